/**
 * Command-line flags, derived from the declarations: the yargs options of a command (name, alias,
 * type, help text with the default), and the argv yargs parsed turned back into options, every
 * value kept as typed so a message can quote it (`--timeout must be a number of seconds above 0,
 * got "abc"`).
 */
import type { Argv } from 'yargs'
import * as z from 'zod'
import { UsageError } from '../errors.js'
import { docOf, type Command, type FlagDecl } from './declare.js'
import { check, closest, keyPath, named, nodeAt, OptionError, type Naming, type Segment } from './check.js'

export interface Flag {
  name: string
  alias?: string
  boolean: boolean
  repeatable: boolean
  describe: string
  /** Where its value goes in the options object (several places for `--range-mode`). */
  targets: Array<{ path: Segment[]; decl: FlagDecl }>
  decl: FlagDecl
  /** Set when `decl.requires` / `decl.conflicts` name other flags. */
}

type Shape = Record<string, z.ZodType>

/** The flags of `command` declared on the options of `shape`, in declaration order. */
export function flagsOf(shape: Shape, command: Command): Flag[] {
  const byName = new Map<string, Flag>()
  for (const [key, schema] of Object.entries(shape)) {
    const doc = docOf(schema)
    for (const decl of doc?.flags ?? []) {
      if (!(decl.commands ?? ['run']).includes(command)) continue
      const path: Segment[] = [key, ...(decl.path ? decl.path.split('.') : [])]
      const found = byName.get(decl.name)
      if (found) {
        // One flag declared at several places (`--range-mode`, `--shuffle`): each place adds a target, the first says the rest.
        found.targets.push({ path, decl })
        found.decl = { ...decl, ...found.decl }
        if (!found.describe && decl.describe) found.describe = decl.describe
        continue
      }
      const node = nodeAt(z.strictObject(shape), path)
      const boolean = !decl.parse && !decl.raw && kinds(node).has('boolean')
      const shownDefault = decl.defaultText ?? (decl.path ? undefined : defaultText(doc?.default, decl.scale))
      byName.set(decl.name, {
        name: decl.name,
        alias: decl.alias,
        boolean,
        repeatable: decl.repeatable === true,
        describe: (decl.describe ?? (decl.path ? '' : doc!.description)) + choicesText(node) + (shownDefault !== undefined ? ` [default: ${shownDefault}]` : ''),
        targets: [{ path, decl }],
        decl,
      })
    }
  }
  return [...byName.values()]
}

/** ` (one of chat, completions, …)` for a flag that takes a fixed set of words. */
function choicesText(node: z.ZodType): string {
  const d = (bareOf(node) as unknown as { _zod: { def: { type: string; entries?: Record<string, unknown> } } })._zod.def
  return d.type === 'enum' && d.entries ? ` (one of ${Object.values(d.entries).join(', ')})` : ''
}

function bareOf(node: z.ZodType): z.ZodType {
  const d = (node as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def
  return d.type === 'optional' && d.innerType ? bareOf(d.innerType) : node
}

function defaultText(value: unknown, scale = 1): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number') return String(value / scale)
  if (Array.isArray(value)) return value.join(',')
  if (typeof value === 'object') return undefined
  return String(value)
}

/** Adds `flags` to a yargs command: booleans as booleans (`--no-x` too), everything else as the text typed. */
export function withFlags<T>(y: Argv<T>, flags: readonly Flag[]): Argv<T> {
  let out = y
  for (const f of flags) {
    out = out.option(f.name, {
      ...(f.decl.raw ? {} : { type: f.boolean ? ('boolean' as const) : ('string' as const) }),
      ...(f.alias ? { alias: f.alias } : {}),
      ...(f.repeatable ? { array: true } : {}),
      describe: f.describe,
    }) as Argv<T>
  }
  return out
}

/** The options the given flags set, with the naming that lets messages name the flags. */
export interface FromFlags {
  options: Record<string, unknown>
  naming: Naming
  /** Flags the user gave, by name. */
  given: Set<string>
}

/**
 * Turns parsed argv (yargs camel-cases names) into options. Only flags given are set. Checks
 * `requires` and `conflicts` between flags; values are checked later, with the schema.
 */
export function fromFlags(argv: Record<string, unknown>, flags: readonly Flag[], shape: Shape): FromFlags {
  const options: Record<string, unknown> = {}
  const typed = new Map<string, string>()
  const byPath = new Map<string, Flag>()
  const given = new Set(flags.filter((f) => argv[camel(f.name)] !== undefined).map((f) => f.name))
  const root = z.strictObject(shape)
  for (const f of flags) {
    for (const t of f.targets) byPath.set(t.path.join('.'), f)
    if (!given.has(f.name)) continue
    for (const rule of [f.decl.requires, f.decl.conflicts]) if (rule) checkRule(f, rule, given, rule === f.decl.conflicts)
    const raw = argv[camel(f.name)]
    for (const t of f.targets) {
      if (t.decl.when?.given && !given.has(t.decl.when.given)) continue
      if (t.decl.when?.absent && given.has(t.decl.when.absent)) continue
      const values = Array.isArray(raw) && !f.decl.raw ? raw : [raw]
      const read = (v: unknown) => (f.boolean || typeof v === 'boolean' ? v : f.decl.raw && !t.decl.parse ? v : valueOf(f, t, f.decl.raw ? (v as string) : String(v), root, typed))
      // A flag inside an option with a default object fills in that default first: --input-spread keeps --input-len's 256.
      const key = String(t.path[0])
      if (t.path.length > 1 && options[key] === undefined) {
        const base = docOf(shape[key])?.default
        if (isPlain(base)) options[key] = structuredClone(base)
      }
      // A repeated flag that sets a list sets all of it; one that sets an object adds to it (--header).
      if (f.repeatable && kinds(nodeAt(root, t.path)).has('list')) setAt(options, t.path, values.map(read))
      else for (const v of values) setAt(options, t.path, read(v))
    }
  }
  const naming: Naming = {
    name: (path) => flagFor(path, byPath) ?? path.reduce<string>((p, k) => keyPath(p, k), ''),
    typed: (path) => typed.get(path.join('.')),
    unit: (path) => {
      const f = byPath.get(path.join('.'))
      return f?.decl.unit ? { unit: f.decl.unit, scale: f.decl.scale ?? 1 } : undefined
    },
  }
  return { options, naming, given }
}

function checkRule(f: Flag, rule: { flags: readonly string[]; message: string }, given: Set<string>, conflict: boolean): void {
  const hit = rule.flags.some((n) => given.has(n))
  if (conflict ? hit : !hit) throw new UsageError(`--${f.name} ${rule.message}`)
}

/** The flag that sets `path`, or the nearest one above it (`--concurrency` for `concurrency[1]`). */
function flagFor(path: Segment[], byPath: Map<string, Flag>): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const f = byPath.get(path.slice(0, n).join('.'))
    if (f) return `--${f.name}`
  }
  return undefined
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

function valueOf(f: Flag, t: { path: Segment[]; decl: FlagDecl }, text: string, root: z.ZodType, typed: Map<string, string>): unknown {
  const key = t.path.join('.')
  if (t.decl.parse) {
    try {
      return t.decl.parse(text)
    } catch (err) {
      // A phrase follows the flag's name ("--ramp must be …"), a sentence follows a colon.
      const message = (err as Error).message
      throw new UsageError(`--${f.name}${/^[a-z]/.test(message) ? ' ' : ': '}${message}`)
    }
  }
  typed.set(key, text)
  const k = kinds(nodeAt(root, t.path))
  const scale = t.decl.scale ?? 1
  const num = (s: string) => (NUMBER.test(s.trim()) ? Number(s.trim()) * scale : s)
  if (k.has('number-list')) {
    const parts = text.split(/[,\s]+/).filter(Boolean)
    parts.forEach((p, i) => typed.set(`${key}.${i}`, p))
    return parts.length ? parts.map(num) : text
  }
  if (k.has('number')) return num(text)
  return text
}

/** What a flag's text can become at a node: a number, a list of numbers, a boolean, text. */
function kinds(node: z.ZodType): Set<string> {
  const out = new Set<string>()
  const walk = (s: z.ZodType) => {
    const d = (s as unknown as { _zod: { def: { type: string; [k: string]: any } } })._zod.def
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default') return walk(d.innerType)
    if (d.type === 'union') return (d.options as z.ZodType[]).forEach(walk)
    if (d.type === 'number' || d.type === 'int') out.add('number')
    if (d.type === 'boolean') out.add('boolean')
    if (d.type === 'array') {
      out.add('list')
      if (kinds(d.element).has('number')) out.add('number-list')
    }
  }
  walk(node)
  return out
}

function setAt(obj: Record<string, unknown>, path: readonly Segment[], value: unknown): void {
  let cur = obj
  for (const key of path.slice(0, -1)) {
    const k = String(key)
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {}
    cur = cur[k] as Record<string, unknown>
  }
  const last = String(path[path.length - 1])
  cur[last] = merged(cur[last], value)
}

/** A flag that sets an object adds to what is there, nested objects too (`--expect 'goodput >= 0.9'` beside `--goodput`'s bounds). */
function merged(prev: unknown, value: unknown): unknown {
  if (!isPlain(prev) || !isPlain(value)) return value
  const out: Record<string, unknown> = { ...prev }
  for (const [k, v] of Object.entries(value)) out[k] = merged(prev[k], v)
  return out
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** Checks options made from flags against their schema, naming the flags in any message. */
export function checkFlags<T extends z.ZodType>(schema: T, from: FromFlags): z.output<T> {
  return named(from.naming, () => check(schema, from.options, from.naming))
}

/** `Unknown argument: concurency` as one line with the flag it most likely was. */
export function unknownFlagMessage(message: string, known: readonly string[]): string | undefined {
  const m = /^Unknown arguments?: (.+)$/.exec(message.split('\n')[0])
  if (!m) return undefined
  const first = m[1].split(', ')[0].replace(/^-+/, '')
  // A quoted value that starts with dashes (`--simulator-args "--seed 3"`) reads as one flag with a space in it.
  if (/\s/.test(first.trim())) return `a quoted value that starts with -- reads as a flag of its own: put it after an =, as in --simulator-args="--seed 3", or write its words without dashes`
  const kebab = first.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  const guess = closest(kebab, known)
  return `unknown flag --${kebab}${guess ? `, did you mean --${guess}?` : ''} (see llmbench <command> --help)`
}

export { OptionError }
