/**
 * The summary of one level (METRICS.md, "Per level aggregates" and "Validity") from an array of
 * its records: every record through a LevelAccumulator (accumulator.ts, which owns the figures).
 */
import type { LevelSummary, RequestRecord } from '../results/types.js'
import { LevelAccumulator, maxInFlightOf, type LevelAccumulatorOptions, type SummarizeLevelOptions } from './accumulator.js'

export { THRESHOLDS } from './accumulator.js'
export type { SummarizeLevelOptions } from './accumulator.js'

/**
 * The largest number of requests in flight at once, from an exact sweep over [sentAt, endAt):
 * at equal times an end frees its slot before a start takes one.
 */
export function maxInFlight(records: readonly RequestRecord[]): number {
  const starts = new Float64Array(records.length)
  const ends = new Float64Array(records.length)
  for (let i = 0; i < records.length; i++) {
    starts[i] = records[i].sentAt
    ends[i] = records[i].endAt
  }
  return maxInFlightOf(starts, ends)
}

/**
 * Summarizes one level. Warm-up records are counted in `requests.warmup` and left out of
 * everything else. Latency statistics, throughputs and token counts use succeeded requests only;
 * queue delay and max in flight use every measured request; goodput counts every measured request.
 * Pooled ITL is exact up to `acc.itlExactBudget` gaps, then sketched (`summary.itlApprox`).
 */
export function summarizeLevel(records: readonly RequestRecord[], opts: SummarizeLevelOptions, acc?: LevelAccumulatorOptions): LevelSummary {
  const accumulator = new LevelAccumulator(acc)
  for (const r of records) accumulator.add(r)
  return accumulator.finish(opts)
}
