/** Text of checks: numbers, and the one message format of objectives and assertions. */
import type { SloSet } from '../results/types.js'
import { SLO_KEYS } from '../metrics/index.js'
import type { SourceLocation } from './types.js'

/** 912.3, 45.68, 0.85, 12: one decimal from 100 up, four significant digits below. */
export function formatValue(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n)
  if (Math.abs(n) >= 100) return n.toFixed(1)
  return String(Number(n.toPrecision(4)))
}

/** `ttft:500,tpot:50` (`,valid` when good requests must give valid output), the CLI's form. */
export function formatSlo(slo: SloSet): string {
  return [...SLO_KEYS.filter((k) => slo[k] !== undefined).map((k) => `${k}:${slo[k]}`), ...(slo.valid ? ['valid'] : [])].join(',')
}

export interface MessageParts {
  /** The scenario id. */
  scenario?: string
  /** The level, e.g. `concurrency 50`. */
  level?: string
  /** What was measured: `ttft.p95`, or the expression's text. */
  subject: string
  /** `= 912.3 ms`, or why there is no value. */
  actual: string
  expected: string
  location?: SourceLocation
}

/** `chat › concurrency 50: ttft.p95 = 912.3 ms, expected < 800 (latency.bench.ts:14)`. */
export function checkMessage(p: MessageParts): string {
  const head = [p.scenario, p.level].filter((x) => x !== undefined && x !== '').join(' › ')
  const where = p.location ? ` (${p.location.file}:${p.location.line})` : ''
  return `${head ? head + ': ' : ''}${p.subject} ${p.actual}, expected ${p.expected}${where}`
}

/** `= 912.3 ms` */
export function equalsText(value: number, unit: string): string {
  return `= ${formatValue(value)}${unit ? ' ' + unit : ''}`
}
