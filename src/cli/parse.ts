/** Flag values to typed options; each failure is one UsageError line naming the flag and the fix. */
import { UsageError } from '../errors.js'

export function positiveInt(flag: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim())
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got "${value}"`)
  return n
}

export function nonNegativeInt(flag: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim())
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number of at least 0, got "${value}"`)
  return n
}

export function positiveNumber(flag: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim())
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number above 0, got "${value}"`)
  return n
}

/** `1,10,50` (or repeated flags) to a list of positive integers, in the order given. */
export function intList(flag: string, value: unknown): number[] {
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(/[,\s]+/))
    .filter((p) => p.length > 0)
  if (parts.length === 0) throw new UsageError(`${flag} needs at least one value, e.g. ${flag} 1,10,50`)
  return parts.map((p) => positiveInt(flag, p))
}

/** `Name: value` headers; names are checked, values may be secrets and are never printed. */
export function headerList(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const h of (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String)) {
    const colon = h.indexOf(':')
    const name = colon > 0 ? h.slice(0, colon).trim() : ''
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`--header must look like "Name: value", got a header without a valid name`)
    }
    const value = h.slice(colon + 1).trim()
    if (/[\r\n]/.test(value)) throw new UsageError(`--header ${name}: a header value cannot contain a line break`)
    out[name.toLowerCase()] = value
  }
  return out
}

export function jsonObject(flag: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(String(value))
  } catch (err) {
    throw new UsageError(`${flag} must be a JSON object such as '{"temperature":0}': ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${flag} must be a JSON object such as '{"temperature":0}'`)
  }
  return parsed as Record<string, unknown>
}

export function serverUrl(flag: string, value: unknown): string {
  const text = String(value ?? '').trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${flag} must be a URL such as http://127.0.0.1:8000, got "${text}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must be an http:// or https:// URL, got "${text}"`)
  }
  return text.replace(/\/+$/, '')
}
