/**
 * Goodput bounds written as text (`--goodput ttft:500,tpot:50`, vLLM's `ttft:500 tpot:50`) and in
 * canonical key order. Apart from slo.ts's schemas: the metrics, and through them `import 'llmbench'`,
 * need these without loading Zod.
 */
import { SLO_KEYS, type SloKey } from './vocabulary.js'

/** Bounds in ms, inclusive (a request is good when value <= bound); `valid`: a good request's output must also pass the validity check (request-kinds.md). */
export type SloSet = Partial<Record<SloKey, number>> & { valid?: boolean }

/** Accepted spellings (lower case) of each key. */
const ALIASES: Record<string, SloKey> = { ttft: 'ttft', ttfc: 'ttfc', tpot: 'tpot', itl: 'itl', e2e: 'e2e', e2el: 'e2e' }
const VALID_KEYS = 'ttft, ttfc, tpot, itl, e2e (alias e2el), or valid'
const EXAMPLE = 'e.g. ttft:500,tpot:50'
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/**
 * Parses an SLO set: `key:ms` pairs separated by commas and/or spaces (`ttft:500,tpot:50`, or
 * vLLM's `ttft:500 tpot:50`); `e2el` is an alias of `e2e`. Keys are case-insensitive. Throws an
 * Error with a one-line message for empty text, a malformed pair, an unknown key, a value that is
 * not a positive finite number of ms, or a key given twice.
 */
export function parseSlo(text: string): SloSet {
  const pieces = text.split(/[\s,]+/).filter((p) => p !== '')
  if (pieces.length === 0) throw new Error(`Goodput SLO is empty: give objectives as key:milliseconds, ${EXAMPLE}`)
  const slo: SloSet = {}
  for (const piece of pieces) {
    // `valid` (or valid:true): good requests must also give valid output (structured outputs).
    if (/^valid(:true)?$/i.test(piece)) {
      slo.valid = true
      continue
    }
    const colon = piece.indexOf(':')
    if (colon < 0) throw new Error(`Goodput SLO "${piece}" is not key:milliseconds: write it like ${EXAMPLE}`)
    const name = piece.slice(0, colon)
    const raw = piece.slice(colon + 1)
    const key = ALIASES[name.toLowerCase()]
    if (key === undefined) throw new Error(`Goodput SLO key "${name}" is unknown: use one of ${VALID_KEYS}`)
    if (!NUMBER.test(raw)) throw new Error(`Goodput SLO ${name}:${raw} has a non-numeric value: give a positive number of milliseconds, e.g. ${name}:500`)
    const value = Number(raw)
    if (!Number.isFinite(value)) throw new Error(`Goodput SLO ${name}:${raw} is not finite: give a positive number of milliseconds, e.g. ${name}:500`)
    if (!(value > 0)) throw new Error(`Goodput SLO ${name}:${raw} is not positive: give a bound greater than 0 ms, e.g. ${name}:500`)
    if (slo[key] !== undefined) {
      const alias = key === 'e2e' ? ' (e2el is an alias of e2e)' : ''
      throw new Error(`Goodput SLO key "${key}" is given twice${alias}: keep one bound per key`)
    }
    slo[key] = value
  }
  return sloBounds(slo)
}

/** The bounds of a goodput objective in canonical key order, without min and level (`e2el` read as `e2e`). */
export function sloBounds(g: SloSet & { e2el?: number; min?: number; level?: number; confidence?: string; adapter?: string }): SloSet {
  const ordered: SloSet = {}
  for (const key of SLO_KEYS) {
    const v = g[key] ?? (key === 'e2e' ? g.e2el : undefined)
    if (v !== undefined) ordered[key] = v
  }
  if (g.valid === true) ordered.valid = true
  return ordered
}

/**
 * `llmbench run --expect 'ttft.p95 < 500'`: one objective as the `slo` entry a bench file writes
 * (`{ 'ttft.p95': '< 500' }`). `goodput >= 0.9` is the least share of good requests under the
 * `--goodput` bounds (`{ goodput: { min: 0.9 } }`, merged with them). The figure's name is checked
 * with the objectives' schema, which suggests the name meant.
 */
export function parseExpect(text: string): Record<string, unknown> {
  const m = /^\s*([A-Za-z][\w.]*)\s*(<=|>=|==|<|>)\s*(\S.*?)\s*$/.exec(text)
  if (!m) throw new Error(`"${text}" is not an objective: write FIGURE OP NUMBER, e.g. 'ttft.p95 < 500', 'errors.rate < 0.01' or 'goodput >= 0.9'`)
  const [, figure, op, value] = m
  if (!NUMBER.test(value)) throw new Error(`"${text}": ${value} is not a number: write the bound in the figure's unit, e.g. 'ttft.p95 < 500' (ms)`)
  if (figure === 'goodput') {
    if (op !== '>=') throw new Error(`"${text}": a goodput objective is the least share of good requests: write 'goodput >= 0.9', with the bounds in --goodput`)
    return { goodput: { min: Number(value) } }
  }
  return { [figure]: `${op} ${value}` }
}
