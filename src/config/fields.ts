/**
 * Checks of config and bench values. Every failure is one UsageError line:
 * `<where>: <key path> must be <what is expected>, got <value>`.
 */
import { UsageError } from '../errors.js'

export type Obj = Record<string, unknown>

export function isObject(v: unknown): v is Obj {
  const tag = Object.prototype.toString.call(v)
  return tag === '[object Object]' || tag === '[object Module]'
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

/** What a secret is, without its value. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v)
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** `defaults.headers["x-team"]`: dots for identifiers, brackets otherwise. */
export function keyPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`
  if (!parent) return part.startsWith('[') ? JSON.stringify(key) : part
  return part.startsWith('[') ? parent + part : `${parent}.${part}`
}

export function fail(where: string, path: string, expected: string, value: unknown, secret = false): never {
  throw new UsageError(`${where}: ${path} must be ${expected}, got ${secret ? kindOf(value) : show(value)}`)
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
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

/** Throws on the first key of `obj` not in `known`, suggesting the closest known one. */
export function checkKeys(obj: Obj, known: readonly string[], where: string, parent: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue
    const guess = closest(key, known)
    const hint = guess ? `, did you mean "${keyPath(parent, guess)}"?` : `: expected one of ${known.join(', ')}`
    throw new UsageError(`${where}: unknown key "${keyPath(parent, key)}"${hint}`)
  }
}

export function wholeNumber(where: string, path: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(where, path, `a whole number of at least ${min}`, v)
  return v
}

export function positiveNumber(where: string, path: string, v: unknown, unit: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(where, path, `a number of ${unit} above 0`, v)
  return v
}

export function nonEmptyString(where: string, path: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') fail(where, path, 'a non-empty string', v)
  return v
}

export function bool(where: string, path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(where, path, 'true or false', v)
  return v
}

export function stringList(where: string, path: string, v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) fail(where, path, `a list of ${what}`, v)
  return [...(v as string[])]
}

export function oneOf(where: string, path: string, v: unknown, choices: readonly string[]): string {
  if (typeof v === 'string' && choices.includes(v)) return v
  const guess = typeof v === 'string' ? closest(v, choices) : undefined
  const hint = guess ? ` (did you mean "${guess}"?)` : ''
  throw new UsageError(`${where}: ${path} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${show(v)}${hint}`)
}

const URL_EXAMPLE = 'http://127.0.0.1:8000'

/** An http(s) URL without its trailing slash, or undefined when `text` is not one. */
export function httpUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  return text.trim().replace(/\/+$/, '')
}

export function urlField(where: string, path: string, v: unknown): string {
  const url = typeof v === 'string' ? httpUrl(v) : undefined
  if (url === undefined) fail(where, path, `an http:// or https:// URL such as ${URL_EXAMPLE}`, v)
  return url
}

const ENV_PREFIX = 'env:'
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A secret: a string, where `env:NAME` must name a variable. */
export function secretField(where: string, path: string, v: unknown): string {
  if (typeof v !== 'string') fail(where, path, 'a string', v, true)
  if (v.startsWith(ENV_PREFIX) && !ENV_NAME.test(v.slice(ENV_PREFIX.length))) {
    throw new UsageError(`${where}: ${path} must name an environment variable after "env:", e.g. "env:OPENAI_API_KEY"`)
  }
  return v
}

/** `env:NAME` to the value of that variable; anything else as it is. Unset or empty is an error. */
export function fromEnv(value: string, where: string, path: string): string {
  if (!value.startsWith(ENV_PREFIX)) return value
  const name = value.slice(ENV_PREFIX.length)
  const found = process.env[name]
  if (found === undefined || found === '') {
    throw new UsageError(`${where}: ${path} is "env:${name}" but the environment variable ${name} is not set: set it or change ${path}`)
  }
  return found
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Header names to values (secrets, maybe `env:NAME`); names are checked, values never shown. */
export function headersField(where: string, path: string, v: unknown): Record<string, string> {
  if (!isObject(v)) fail(where, path, 'an object of header names to values', v)
  for (const [name, value] of Object.entries(v)) {
    if (!HEADER_NAME.test(name)) throw new UsageError(`${where}: ${path} has an invalid header name ${JSON.stringify(name)}`)
    const sub = keyPath(path, name)
    secretField(where, sub, value)
    if (/[\r\n]/.test(value as string)) throw new UsageError(`${where}: ${sub} cannot contain a line break`)
  }
  return v as Record<string, string>
}
