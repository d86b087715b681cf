/**
 * A level's figures over time, in equal slices, for ramps and timed levels: the report draws how
 * latency and throughput moved as the load changed. A request belongs to the slice it ended in.
 */
import type { RequestRecord, TimeSlice } from '../results/types.js'
import { isSuccess, itlSamples, ttft } from './request.js'
import { computeStats } from './stats.js'

/** About this many slices per level, none shorter than a second. */
const TARGET_SLICES = 30
const MIN_SLICE_MS = 1000

/** `loadAt` gives the target load at a time in ms after `levelStart` (monotonic ms). */
export function timeSlices(measured: readonly RequestRecord[], levelStart: number, loadAt: (ms: number) => number): TimeSlice[] {
  if (measured.length === 0) return []
  let origin = Infinity
  let end = -Infinity
  for (const r of measured) {
    origin = Math.min(origin, r.sentAt)
    end = Math.max(end, r.endAt)
  }
  const span = end - origin
  const sliceMs = Math.max(MIN_SLICE_MS, Math.ceil(span / TARGET_SLICES / 100) * 100)
  const count = Math.max(1, Math.ceil(span / sliceMs))
  const buckets: RequestRecord[][] = Array.from({ length: count }, () => [])
  for (const r of measured) buckets[Math.min(count - 1, Math.floor((r.endAt - origin) / sliceMs))].push(r)
  return buckets.map((rs, k) => {
    const startMs = k * sliceMs
    const endMs = Math.min(span, startMs + sliceMs)
    const ok = rs.filter(isSuccess)
    const seconds = Math.max(endMs - startMs, 1) / 1000
    const ttfts = computeStats(ok.map(ttft).filter((v): v is number => v !== undefined))
    const gaps: number[] = []
    for (const r of ok) itlSamples(r, gaps)
    const itl = computeStats(gaps)
    const slice: TimeSlice = {
      startSec: startMs / 1000,
      endSec: endMs / 1000,
      load: loadAt(origin - levelStart + (startMs + endMs) / 2),
      ended: rs.length,
      failed: rs.length - ok.length,
      outputTokensPerSec: ok.reduce((sum, r) => sum + r.outputTokens, 0) / seconds,
    }
    if (ttfts) Object.assign(slice, { ttftP50: ttfts.p50, ttftP99: ttfts.p99 })
    if (itl) Object.assign(slice, { itlP50: itl.p50, itlP99: itl.p99 })
    return slice
  })
}
