/**
 * Per-request values (METRICS.md, "Per-request values"), derived from one RequestRecord.
 * Every function returns undefined where the value does not exist (never zero): non-streamed
 * requests have no TTFT, TTFC, TPOT or ITL. All values are in ms. No function allocates.
 */
import type { RequestRecord } from '../results/types.js'

/**
 * A request of the level's measured part that ended on its own: not warm-up or cool-down, and not
 * cut by Ctrl-C (outcome `aborted`, counted apart as interrupted). Only these make the figures.
 */
export function isMeasured(r: RequestRecord): boolean {
  return !r.warmup && !r.cooldown && r.outcome !== 'aborted'
}

/** A request succeeded: 2xx, at least one token, clean end of stream. */
export function isSuccess(r: RequestRecord): boolean {
  return r.outcome === 'ok'
}

/** TTFT = firstTokenAt − sentAt (first event carrying any generated token, reasoning included). */
export function ttft(r: RequestRecord): number | undefined {
  if (!r.stream || r.firstTokenAt === undefined) return undefined
  return r.firstTokenAt - r.sentAt
}

/** TTFC = firstContentAt − sentAt (first non-empty visible content). */
export function ttfc(r: RequestRecord): number | undefined {
  if (!r.stream || r.firstContentAt === undefined) return undefined
  return r.firstContentAt - r.sentAt
}

/** E2E = lastTokenAt − sentAt when streamed (undefined without any token); endAt − sentAt when not. */
export function e2e(r: RequestRecord): number | undefined {
  if (!r.stream) return r.endAt - r.sentAt
  if (r.lastTokenAt === undefined) return undefined
  return r.lastTokenAt - r.sentAt
}

/** E2E including the client's own queueing: lastTokenAt (endAt when not streamed) − scheduledAt. */
export function e2eWithQueue(r: RequestRecord): number | undefined {
  if (!r.stream) return r.endAt - r.scheduledAt
  if (r.lastTokenAt === undefined) return undefined
  return r.lastTokenAt - r.scheduledAt
}

/** Queue delay = sentAt − scheduledAt: how late the client itself was. */
export function queueDelay(r: RequestRecord): number {
  return r.sentAt - r.scheduledAt
}

/** TPOT = (E2E − TTFT) / (N − 1); undefined for N < 2 and for non-streamed requests. */
export function tpot(r: RequestRecord): number | undefined {
  const n = r.outputTokens
  if (!r.stream || !(n >= 2)) return undefined
  const first = ttft(r)
  const end = e2e(r)
  if (first === undefined || end === undefined) return undefined
  return (end - first) / (n - 1)
}

/** Tokens known to be carried by event i when more than one (continuous usage), else 1. */
function splitOf(counts: number[] | undefined, i: number): number {
  if (counts === undefined) return 1
  const k = counts[i]
  return k !== undefined && k > 1 && Number.isInteger(k) ? k : 1
}

/** How many ITL samples `itlSamples` would produce for this request. */
export function itlSampleCount(r: RequestRecord): number {
  const times = r.tokenTimes
  if (!r.stream || times === undefined) return 0
  let n = 0
  for (let i = 1; i < times.length; i++) n += splitOf(r.tokenCounts, i)
  return n
}

/**
 * Appends this request's ITL samples to `out`: for each token-carrying event after the first,
 * the gap since the previous one; when the event carried k > 1 tokens (tokenCounts), k samples
 * of gap/k (SGLang's method). Returns how many samples were appended.
 */
export function itlSamples(r: RequestRecord, out: number[]): number {
  const times = r.tokenTimes
  if (!r.stream || times === undefined) return 0
  const counts = r.tokenCounts
  let n = 0
  for (let i = 1; i < times.length; i++) {
    const k = splitOf(counts, i)
    const sample = (times[i] - times[i - 1]) / k
    for (let j = 0; j < k; j++) out.push(sample)
    n += k
  }
  return n
}

/**
 * Writes the ITL samples of `r` into `out` from `offset` (room for `itlSampleCount(r)` needed).
 * Returns the offset after the last sample written. For pooling many requests without growth.
 */
export function writeItlSamples(r: RequestRecord, out: Float64Array, offset: number): number {
  const times = r.tokenTimes
  if (!r.stream || times === undefined) return offset
  const counts = r.tokenCounts
  let o = offset
  for (let i = 1; i < times.length; i++) {
    const k = splitOf(counts, i)
    const sample = (times[i] - times[i - 1]) / k
    for (let j = 0; j < k; j++) out[o++] = sample
  }
  return o
}

/** The largest single ITL sample of the request (a stall); undefined with fewer than two events. */
export function maxTokenGap(r: RequestRecord): number | undefined {
  const times = r.tokenTimes
  if (!r.stream || times === undefined || times.length < 2) return undefined
  const counts = r.tokenCounts
  let max = -Infinity
  for (let i = 1; i < times.length; i++) {
    const sample = (times[i] - times[i - 1]) / splitOf(counts, i)
    if (sample > max) max = sample
  }
  return max
}
