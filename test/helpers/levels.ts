/**
 * Levels for the verdict tests: records laid out as a closed loop of `concurrency` slots, their
 * TTFT, gaps and outcome drawn by the caller's functions, and the summary from llmbench's own
 * accumulator (summarizeLevel), exactly as a run would hold them.
 */
import { mulberry32 } from '../../src/random.js'
import { summarizeLevel } from '../../src/metrics/level.js'
import type { LevelResult, LoadSpec, RequestRecord, SloSet } from '../../src/results/types.js'

export interface LevelShape {
  requests: number
  concurrency?: number
  /** Output tokens per request (>= 1). */
  tokens?: number
  seed?: number
  /** TTFT of request i (ms). */
  ttft?: (i: number, rand: () => number) => number
  /** Gap before token k (k >= 1) of request i (ms). */
  gap?: (i: number, k: number, rand: () => number) => number
  /** Whether request i fails (an HTTP 500). */
  fails?: (i: number, rand: () => number) => boolean
  slo?: SloSet
  load?: LoadSpec
  warmup?: number
}

export function makeLevel(shape: LevelShape): LevelResult {
  const rand = mulberry32(shape.seed ?? 1)
  const slots = shape.concurrency ?? 1
  const tokens = shape.tokens ?? 8
  const ttftOf = shape.ttft ?? ((_, r) => 40 + r() * 20)
  const gapOf = shape.gap ?? ((_, __, r) => 9 + r() * 2)
  const failsOf = shape.fails ?? (() => false)
  const free = Array.from({ length: slots }, (_, s) => 1000 + s * 0.5)
  const records: RequestRecord[] = []
  const warm = shape.warmup ?? 0
  for (let index = 0; index < shape.requests + warm; index++) {
    let slot = 0
    for (let s = 1; s < slots; s++) if (free[s] < free[slot]) slot = s
    const sentAt = free[slot] + 0.1
    const warmup = index < warm
    const i = index - warm
    const base = { index, warmup, stream: true, scheduledAt: sentAt - 0.01, sentAt, inputTokens: 100, inputTokensSource: 'usage' as const }
    let record: RequestRecord
    if (!warmup && failsOf(i, rand)) {
      record = { ...base, endAt: sentAt + 5, outcome: 'http', error: { status: 500, message: 'boom' }, outputTokens: 0, outputTokensSource: 'events' }
    } else {
      const times = [Math.round(ttftOf(Math.max(0, i), rand) * 1000) / 1000]
      for (let k = 1; k < tokens; k++) times.push(Math.round((times[k - 1] + gapOf(Math.max(0, i), k, rand)) * 1000) / 1000)
      const last = sentAt + times[tokens - 1]
      record = {
        ...base, firstTokenAt: sentAt + times[0], firstContentAt: sentAt + times[0], lastTokenAt: last, endAt: last + 0.2,
        outcome: 'ok', outputTokens: tokens, outputTokensSource: 'usage', tokenTimes: times,
      }
    }
    records.push(record)
    free[slot] = record.endAt + 0.05
  }
  const load = shape.load ?? { kind: 'concurrency', value: slots }
  const summary = summarizeLevel(records, { load, slo: shape.slo, client: { eventLoopDelayP99Ms: 1, cpuPercent: 10 } })
  return { summary, records }
}

/** Every number in a value, recursively: for "never NaN" checks. */
export function numbersIn(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value)
  else if (Array.isArray(value)) for (const v of value) numbersIn(v, out)
  else if (value && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, out)
  return out
}
