/** Times as people write them in configs and flags: `500ms`, `60s`, `2m`, `1h`, `1m30s`; a bare number is seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** What a time looks like, for JSON Schema (the value must also be above 0). */
export const DURATION_PATTERN = '^\\s*(?:\\d+(?:\\.\\d+)?|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+)\\s*$'
/** A count of requests, or a time with a unit. */
export const COUNT_OR_TIME_PATTERN = '^\\s*(?:\\d+|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+)\\s*$'

export const DURATION_EXPECTED = 'a time above 0 such as 60s, 2m, 1m30s or 500ms'
export const COUNT_OR_TIME_EXPECTED = 'a number of requests (e.g. 10) or a time (e.g. 30s)'

/** Milliseconds, or an Error whose message says what was expected. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return value * 1000
  } else if (typeof value === 'string') {
    const text = value.trim()
    if (/^\d+(\.\d+)?$/.test(text) && Number(text) > 0) return Number(text) * 1000
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
    if (parts.length && parts.map((p) => p[0]).join('') === text) {
      const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0)
      if (ms > 0) return ms
    }
  }
  throw new Error(`must be ${DURATION_EXPECTED}, got ${JSON.stringify(value)}`)
}

/** A count of requests (a whole number) or a time (a string with a unit). */
export function parseCountOrTime(value: unknown): { count: number } | { ms: number } {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const n = Number(value)
    if (Number.isInteger(n) && n >= 0) return { count: n }
  }
  if (typeof value === 'string' && /[a-z]/.test(value)) return { ms: parseDuration(value) }
  throw new Error(`must be ${COUNT_OR_TIME_EXPECTED}, got ${JSON.stringify(value)}`)
}
