/** Flags whose text is not one value: headers, JSON bodies, ramps, sweeps. Each throws an Error whose message follows the flag's name. */
import { HEADER_NAME } from './values.js'

/** `Name: value` to `{ name: value }` (names lowercased); the value may be a secret and is never shown. */
export function headerFlag(text: string): Record<string, string> {
  const colon = text.indexOf(':')
  const name = colon > 0 ? text.slice(0, colon).trim() : ''
  if (!HEADER_NAME.test(name)) throw new Error('must look like "Name: value", got a header without a valid name')
  const value = text.slice(colon + 1).trim()
  if (/[\r\n]/.test(value)) throw new Error(`${name}: a header value cannot contain a line break`)
  return { [name.toLowerCase()]: value }
}

export function jsonObjectFlag(text: string): Record<string, unknown> {
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`must be a JSON object such as '{"temperature":0}': ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`must be a JSON object such as '{"temperature":0}'`)
  return parsed as Record<string, unknown>
}

const RAMP_FORMAT = 'concurrency:FROM:TO:OVER or rate:FROM:TO:OVER, optionally :exponential (e.g. concurrency:1:50:2m)'

export function rampFlag(text: string): { of: string; from: number; to: number; over: string; shape?: string } {
  const [of, from, to, over, shape, ...rest] = text.split(':')
  const bad = () => new Error(`must be ${RAMP_FORMAT}, got "${text}"`)
  if (rest.length || over === undefined || (of !== 'concurrency' && of !== 'rate') || (shape !== undefined && shape !== 'linear' && shape !== 'exponential')) throw bad()
  const num = (s: string) => {
    const n = Number(s)
    if (s.trim() === '' || !Number.isFinite(n)) throw bad()
    return n
  }
  return { of, from: num(from), to: num(to), over, ...(shape ? { shape } : {}) }
}

export function sweepFlag(text: string): { method: 'rates' } | { method: 'capacity'; of: string } {
  if (text === 'rates') return { method: 'rates' }
  if (text === 'concurrency' || text === 'rate') return { method: 'capacity', of: text }
  throw new Error(`must be one of concurrency, rate, rates, got "${text}"`)
}
