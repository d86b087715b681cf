/**
 * A level's measured requests in send order, cut into consecutive blocks: the unit every interval
 * resamples. Requests sent close together share the server's state (a batch, a queue), so each
 * block spans at least one "wave" of the requests in flight at once; blocks far apart are nearly
 * independent, and the spread of per-block figures measures the level's real noise (docs/verdicts.md).
 */
import type { LevelResult, RequestRecord } from '../results/types.js'

/**
 * Most blocks a level is cut into. Blocks are short (one wave of requests in flight) so that how
 * far their likeness reaches can be measured (dependence.ts) rather than assumed.
 */
export const MAX_BLOCKS = 1024
/** Fewest blocks for an interval: below it the spread of blocks says too little. */
export const MIN_BLOCKS = 5

export interface Blocks {
  /** The level's kept measured records (not warm-up, not cool-down), in send order. */
  records: RequestRecord[]
  /** Block b holds records[start[b]] .. records[start[b + 1] - 1]; `count` blocks. */
  start: Uint32Array
  count: number
  /** Requests one block must hold at least: the mean number in flight (Little's law), at least 1. */
  minLength: number
}

/** Measured records of a level (warm-up and cool-down left out, as the level summary does), in send order. */
export function measuredRecords(level: LevelResult): RequestRecord[] {
  const out = level.records.filter((r) => !r.warmup && !r.cooldown)
  let sorted = true
  for (let i = 1; i < out.length && sorted; i++) sorted = out[i - 1].index < out[i].index
  if (!sorted) out.sort((a, b) => a.index - b.index || a.sentAt - b.sentAt)
  return out
}

/**
 * Requests in flight on average (Little's law: achieved concurrency), scaled to the kept records
 * when the result keeps only a sample of them.
 */
export function inFlight(level: LevelResult, kept: number): number {
  const achieved = level.summary.concurrency?.achieved ?? 1
  const total = level.summary.requests.total
  const share = total > 0 ? Math.min(1, kept / total) : 1
  return Math.max(1, achieved * share)
}

/** Cuts `records` into as many equal blocks as allowed (at most MAX_BLOCKS, each >= minLength). */
export function cutBlocks(records: RequestRecord[], minLength: number, maxBlocks = MAX_BLOCKS): Blocks {
  const n = records.length
  const length = Math.max(1, Math.ceil(minLength))
  const count = Math.max(n > 0 ? 1 : 0, Math.min(maxBlocks, Math.floor(n / length)))
  const start = new Uint32Array(count + 1)
  for (let b = 0; b <= count; b++) start[b] = Math.round((b * n) / Math.max(1, count))
  return { records, start, count, minLength: length }
}

export function levelBlocks(level: LevelResult, maxBlocks = MAX_BLOCKS): Blocks {
  const records = measuredRecords(level)
  return cutBlocks(records, inFlight(level, records.length), maxBlocks)
}
