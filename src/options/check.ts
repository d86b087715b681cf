/**
 * Checks a value against a declared schema and says what is wrong in one line:
 * `<where>: <key path or flag> must be <what is expected>, got <the value as typed>`, with
 * "did you mean" for unknown keys and misspelled choices. Config files, bench options, the API's
 * run body and the command line all go through here.
 */
import * as z from 'zod'
import { UsageError } from '../errors.js'
import { docOf, type OptionDoc } from './declare.js'

export type Segment = string | number

/**
 * A mistake found after the schema's own checks (by the module that turns options into a run):
 * the path at fault and a message that follows its name (`applies to trace files, not to …`), or a
 * whole sentence after a colon. `{@key}` in the message names a sibling key, `{@^2/a.b}` a key two
 * levels up (see fill), as the reader knows them (a key path, or a flag).
 */
export class OptionError extends Error {
  constructor(
    readonly path: Segment[],
    message: string,
    readonly sentence = false,
  ) {
    super(message)
  }
}

/** How a message names what the user wrote. */
export interface Naming {
  /** Opens every message: a file (and scenario), `request body`; none for flags. */
  where?: string
  /** The name of the value at `path`: a key path (`defaults.input.tokens`) or a flag (`--input-len`). */
  name(path: Segment[]): string
  /** The value as the user typed it (a flag's text), when known. */
  typed?(path: Segment[]): string | undefined
  /** The unit a number at `path` was written in, and its factor to the option's (flags in seconds). */
  unit?(path: Segment[]): { unit: string; scale: number } | undefined
}

/** Names as key paths under `prefix` (`defaults.input.tokens`), opening with `where`. */
export function keyNaming(where: string | undefined, prefix = ''): Naming {
  return { where, name: (path) => path.reduce<string>((p, k) => keyPath(p, k), prefix) }
}

/** `defaults.headers["x-team"]`: dots for identifiers, brackets otherwise. */
export function keyPath(parent: string, key: Segment): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`
  if (!parent) return part.startsWith('[') ? JSON.stringify(key) : part
  return part.startsWith('[') ? parent + part : `${parent}.${part}`
}

/** The checked value, or a UsageError naming the first mistake. */
export function check<T extends z.ZodType>(schema: T, value: unknown, naming: Naming): z.output<T> {
  const r = schema.safeParse(value, { reportInput: true })
  if (r.success) return r.data
  // A misspelled key explains the missing one it was meant to be: report it first.
  const issues = r.error.issues
  throw new UsageError(render(issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0], schema, naming))
}

/** An OptionError (or any Error) as the one line a user sees. */
export function optionMessage(err: OptionError, naming: Naming): string {
  const name = naming.name(err.path)
  const text = fill(err.message, err.path, naming)
  return open(naming, err.sentence ? `${name}: ${text}` : `${name} ${text}`)
}

/** Runs `f`, turning an OptionError it throws into a UsageError named by `naming`. */
export function named<T>(naming: Naming, f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof OptionError) throw new UsageError(optionMessage(err, naming))
    throw err
  }
}

type Issue = z.core.$ZodIssue

/** The issue to report, and the schema it is about: inside a union, the branch the value was meant for. */
function resolveIssue(issue: Issue, root: z.ZodType): { issue: Issue; node: z.ZodType } {
  const path = segments(issue.path)
  const node = nodeAt(root, path)
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return { issue, node: branchOf(node, issue) }
  const options = unionOptions(node)
  let best = -1
  let bestScore = -1
  issue.errors.forEach((errs, i) => {
    if (!errs.length) return
    const first = errs[0]
    const typeOnly = first.path.length === 0 && (first.code === 'invalid_type' || first.code === 'invalid_value')
    // The branch the value was written for: the one that got furthest into it.
    const score = first.path.length * 2 + (typeOnly ? 0 : 1)
    if (score > bestScore) [best, bestScore] = [i, score]
  })
  if (bestScore <= 0 || !options[best]) return { issue, node }
  const sub = resolveIssue(issue.errors[best][0], options[best])
  return { issue: { ...sub.issue, path: [...issue.path, ...sub.issue.path] } as Issue, node: sub.node }
}

/** Zod reports the one branch of a union that took the value's type: its schema says what was expected. */
function branchOf(node: z.ZodType, issue: Issue): z.ZodType {
  const input = (issue as { input?: unknown }).input
  const fits = unionOptions(node).find((o) => {
    const r = o.safeParse(input)
    return !r.success && r.error.issues[0]?.code === issue.code
  })
  return fits ? branchOf(fits, issue) : node
}

const segments = (path: readonly PropertyKey[]): Segment[] => path.filter((p): p is Segment => typeof p !== 'symbol')

function unionOptions(node: z.ZodType): z.ZodType[] {
  const d = defOf(bare(node))
  return d.type === 'union' ? (d.options as z.ZodType[]) : []
}

/** Zod's own wording starts with a capital ("Invalid input"); a declaration's with a verb ("must …") or is a sentence. */
const ours = (issue: Issue) => /^[a-z]/.test(issue.message) || (issue.code === 'custom' && issue.message !== 'Invalid input')

function render(raw: Issue, root: z.ZodType, naming: Naming): string {
  const { issue, node } = resolveIssue(raw, root)
  const path = segments(issue.path)
  const input = (issue as { input?: unknown }).input
  const secret = secretAlong(root, path)
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]
    const known = keysOf(node)
    const guess = closest(key, known)
    const hook = declared(node, 'unknownKey')
    if (hook) return open(naming, `${naming.name(path)} ${hook(key, guess)}`)
    const hint = guess ? `, did you mean "${naming.name([...path, guess])}"?` : `: expected one of ${known.join(', ')}`
    return open(naming, `unknown key "${naming.name([...path, key])}"${hint}`)
  }
  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1])
    const parent = path.slice(0, -1)
    const noun = expected(keySchemaOf(nodeAt(root, parent))).replace(/^an? /, '')
    return open(naming, `${naming.name(parent)} has an invalid ${noun} ${JSON.stringify(key)}`)
  }
  const name = naming.name(path)
  if (ours(issue)) {
    const text = fill(issue.message, path, naming)
    if ((issue as { params?: { sentence?: boolean } }).params?.sentence) return open(naming, `${name}: ${text}`)
    const got = text.startsWith('must ') && !text.includes(', got ') && !secret ? `, got ${shown(input, path, naming)}` : ''
    return open(naming, `${name} ${text}${got}`)
  }
  const unit = naming.unit?.(path)
  const what = expected(node, unit)
  const guess = typeof input === 'string' && !secret ? closest(input, choicesOf(node)) : undefined
  return open(naming, `${name} must be ${what}, got ${shown(input, path, naming, secret)}${guess ? ` (did you mean "${guess}"?)` : ''}`)
}

/** A value under a secret declaration is shown by its kind only (`got a number`). */
function secretAlong(root: z.ZodType, path: readonly Segment[]): boolean {
  let cur: z.ZodType | undefined = root
  for (let i = 0; cur; i++) {
    if (declared(cur, 'secret') === true) return true
    if (i >= path.length) return false
    cur = child(cur, path[i])
  }
  return false
}

function open(naming: Naming, text: string): string {
  return naming.where ? `${naming.where}: ${text}` : text
}

/**
 * Other keys a message mentions, as the reader names them: `{@key}` a sibling of the key at fault,
 * `{@^2/a.b}` a key two levels up from it, `{@/a.b}` a key from the root of what was checked.
 */
function fill(message: string, path: Segment[], naming: Naming): string {
  return message.replace(/\{@(\^(\d+))?(\/?)([^}]+)\}/g, (_, up: string | undefined, levels: string | undefined, abs: string, rel: string) => {
    const parts = rel.split('.')
    const base = up ? path.slice(0, Math.max(0, path.length - Number(levels))) : abs ? [] : path.slice(0, -1)
    return naming.name([...base, ...parts])
  })
}

function shown(input: unknown, path: Segment[], naming: Naming, secret = false): string {
  if (secret) return kindOf(input)
  const typed = naming.typed?.(path)
  return typed !== undefined ? JSON.stringify(typed) : show(input)
}

/** What a secret is, without its value. */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v)
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** A value as an error shows it: short, and quoted when a string. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)
  if (typeof v === 'function') return 'a function'
  if (Array.isArray(v)) {
    const text = JSON.stringify(v) ?? '[…]'
    return text.length > 40 ? `${text.slice(0, 37)}...]` : text
  }
  if (v !== null && typeof v === 'object') return 'an object'
  return String(v)
}

// ---- the schema at a path, and what it expects ----

type Def = { type: string; [k: string]: any }
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def

/** A fact declared on `node` or on a schema it wraps (an option is declared on its optional wrapper). */
function declared<K extends keyof OptionDoc>(node: z.ZodType, key: K): OptionDoc[K] | undefined {
  let cur: z.ZodType | undefined = node
  while (cur) {
    const v = docOf(cur)?.[key]
    if (v !== undefined) return v
    const d = defOf(cur)
    cur = d.innerType ?? d.in
  }
  return undefined
}

/** Optional, nullable, default, readonly and pipe wrappers removed. */
function bare(s: z.ZodType): z.ZodType {
  let cur = s
  for (;;) {
    const d = defOf(cur)
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default' || d.type === 'readonly' || d.type === 'prefault' || d.type === 'catch') cur = d.innerType
    else if (d.type === 'pipe') cur = d.in
    else return cur
  }
}

function child(s: z.ZodType, key: Segment): z.ZodType | undefined {
  const b = bare(s)
  const d = defOf(b)
  switch (d.type) {
    case 'object':
      return typeof key === 'string' ? (d.shape[key] ?? d.catchall) : undefined
    case 'record':
      return d.valueType
    case 'array':
      return d.element
    case 'tuple':
      return typeof key === 'number' ? d.items[key] : undefined
    case 'union':
      for (const o of d.options as z.ZodType[]) {
        const c = child(o, key)
        if (c) return c
      }
      return undefined
    default:
      return undefined
  }
}

/** The schema a path leads to (the last one found, when the path runs past the schema). */
export function nodeAt(root: z.ZodType, path: readonly Segment[]): z.ZodType {
  let cur = root
  for (const key of path) {
    const next = child(cur, key)
    if (!next) return cur
    cur = next
  }
  return cur
}

function keysOf(node: z.ZodType): string[] {
  const d = defOf(bare(node))
  if (d.type === 'object') return Object.keys(d.shape)
  if (d.type === 'union') return (d.options as z.ZodType[]).flatMap(keysOf)
  return []
}

function keySchemaOf(node: z.ZodType): z.ZodType {
  const d = defOf(bare(node))
  return d.type === 'record' ? d.keyType : node
}

/** String values a node accepts (its enum or literals), for "did you mean". */
function choicesOf(node: z.ZodType): string[] {
  const d = defOf(bare(node))
  if (d.type === 'enum') return Object.values(d.entries as Record<string, unknown>).filter((v): v is string => typeof v === 'string')
  if (d.type === 'literal') return (d.values as unknown[]).filter((v): v is string => typeof v === 'string')
  if (d.type === 'union') return (d.options as z.ZodType[]).flatMap(choicesOf)
  return []
}

/** What a value at `node` must be, in words: the declared wording, else read from its JSON Schema. */
export function expected(node: z.ZodType, unit?: { unit: string; scale: number }): string {
  const wording = declared(node, 'expected')
  if (!unit && wording) return wording
  let json: Record<string, any>
  try {
    json = z.toJSONSchema(bare(node), { unrepresentable: 'any', io: 'input' }) as Record<string, any>
  } catch {
    return 'valid'
  }
  const own = declared(node, 'unit')
  return describeJson(json, unit ?? (own ? { unit: own, scale: 1 } : undefined))
}

const quote = (v: unknown) => JSON.stringify(v)

function describeJson(j: Record<string, any>, unit?: { unit: string; scale: number }): string {
  if (j.anyOf) return (j.anyOf as Record<string, any>[]).map((o) => describeJson(o, unit)).join(', or ')
  if (j.const !== undefined) return quote(j.const)
  if (j.enum) return `one of ${(j.enum as unknown[]).map(quote).join(', ')}`
  const type = Array.isArray(j.type) ? j.type[0] : j.type
  const of = unit ? ` of ${unit.unit}` : ''
  const scale = (n: number) => (unit ? n / unit.scale : n)
  const max = typeof j.maximum === 'number' && j.maximum < Number.MAX_SAFE_INTEGER ? scale(j.maximum) : undefined
  if (type === 'integer') {
    const min = typeof j.minimum === 'number' && j.minimum > Number.MIN_SAFE_INTEGER ? scale(j.minimum) : undefined
    if (min !== undefined && max !== undefined) return `a whole number${of} from ${min} to ${max}`
    return min !== undefined ? `a whole number${of} of at least ${min}` : `a whole number${of}`
  }
  if (type === 'number') {
    if (typeof j.exclusiveMinimum === 'number') return `a number${of} above ${scale(j.exclusiveMinimum)}`
    if (typeof j.minimum === 'number' && max !== undefined) return `a number${of} from ${scale(j.minimum)} to ${max}`
    if (typeof j.minimum === 'number') return `a number${of} of at least ${scale(j.minimum)}`
    return `a number${of}`
  }
  if (type === 'boolean') return 'true or false'
  if (type === 'string') return j.minLength || j.pattern ? 'a non-empty string' : 'a string'
  if (type === 'array') return 'a list'
  if (type === 'object') return 'an object'
  return 'valid'
}

// ---- did you mean ----

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]
}

/** The known word closest to a typo, when one is close enough to be what was meant. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) && bestDistance < word.length ? best : undefined
}
