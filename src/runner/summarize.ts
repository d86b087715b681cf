/**
 * A level's summary from its records: METRICS.md's figures (metrics/level.ts), and for open loops
 * the schedule, for ramps and timed levels the time slices. One function for a level just run and
 * for levels merged from shards, so both read the same.
 */
import { summarizeLevel } from '../metrics/index.js'
import { summarizeSchedule } from '../metrics/schedule.js'
import { timeSlices } from '../metrics/slices.js'
import { constantProfile, rampProfile } from '../load/profile.js'
import type { LevelSummary, LoadSpec, RequestRecord, SloSet } from '../results/types.js'

export interface LevelFigures {
  load: LoadSpec
  slo?: SloSet
  client: LevelSummary['client']
  /** Rate levels: the mean target rate over the measured part (default: the load's value). */
  targetRate?: number
  /** Ramps and timed levels: keep figures over time, from this monotonic ms (the level's start). */
  slicesFrom?: number
}

export function summarizeRecords(records: readonly RequestRecord[], f: LevelFigures): LevelSummary {
  // Warm-up and cool-down records are counted apart and left out of the figures by the accumulator.
  const summary = summarizeLevel(records, { load: f.load, slo: f.slo, client: f.client })
  const measured = records.filter((r) => !r.warmup && !r.cooldown)
  if (f.load.kind === 'rate') {
    const { schedule, warnings } = summarizeSchedule({ measured, targetRate: f.targetRate ?? f.load.value, maxConcurrency: f.load.maxConcurrency })
    summary.schedule = schedule
    summary.warnings.push(...warnings)
  }
  if (f.slicesFrom !== undefined) {
    const profile = loadProfile(f.load)
    summary.timeSlices = timeSlices(measured, f.slicesFrom, (t) => profile.valueAt(t))
  }
  return summary
}

/** The target load over time of a level. */
export function loadProfile(load: LoadSpec) {
  const r = load.ramp
  return r ? rampProfile({ from: r.from, to: load.value, overMs: r.overSec * 1000, shape: r.shape }) : constantProfile(load.value)
}
