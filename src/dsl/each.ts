/**
 * Names and arguments of `bench.each` rows, as in Vitest's `test.each`: arrays are spread as
 * arguments, any other row is one argument; the name template takes printf-style placeholders
 * (`%s %d %i %f %j %o`, `%#` the row index, `%$` the index from 1, `%%` a percent sign) and, for
 * object rows, `$key` or `$key.path`.
 */
import { inspect } from 'node:util'

/** The arguments a row gives the options function and the assertions callback. */
export function rowArgs(row: unknown): unknown[] {
  return Array.isArray(row) ? [...row] : [row]
}

const PLACEHOLDER = /%[sdifjo#$%]/g
const KEY_PATH = /\$([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/g

/** The name of row `index` with arguments `args`. */
export function formatName(template: string, args: unknown[], index: number): string {
  let name = template
  const only = args.length === 1 ? args[0] : undefined
  if (isPlainObject(only)) {
    name = name.replace(KEY_PATH, (whole, path: string) => {
      const found = lookup(only, path)
      return found.ok ? str(found.value) : whole
    })
  }
  let next = 0
  return name.replace(PLACEHOLDER, (p) => {
    if (p === '%%') return '%'
    if (p === '%#') return String(index)
    if (p === '%$') return String(index + 1)
    if (next >= args.length) return p
    const v = args[next++]
    switch (p) {
      case '%s':
        return str(v)
      case '%d':
        return typeof v === 'bigint' ? `${v}` : String(Number(v))
      case '%i':
        return typeof v === 'bigint' ? `${v}` : String(Number.parseInt(String(v), 10))
      case '%f':
        return String(Number.parseFloat(String(v)))
      case '%j':
        return json(v)
      default:
        return inspect(v, { depth: 4, breakLength: Infinity })
    }
  })
}

function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'object' && v !== null) return inspect(v, { depth: 2, breakLength: Infinity })
  if (Object.is(v, -0)) return '-0'
  return String(v)
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return '[Circular]'
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

function lookup(obj: Record<string, unknown>, path: string): { ok: boolean; value?: unknown } {
  let cur: unknown = obj
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(key in cur)) return { ok: false }
    cur = (cur as Record<string, unknown>)[key]
  }
  return { ok: true, value: cur }
}
