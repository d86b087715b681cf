/**
 * Sweeps. `CapacitySearch` finds the highest load that still meets the objectives: probe upward
 * geometrically until a level fails, then bisect between the last pass and the first failure to
 * the set resolution, within a budget of levels. `evenRates` is GuideLLM's sweep: rates spread
 * evenly between one-at-a-time and saturated throughput.
 */
import type { SweepSummary } from '../results/types.js'

export interface CapacitySweep {
  method: 'capacity'
  kind: 'concurrency' | 'rate'
  /** The first load probed. */
  start: number
  /** Never probe above this. */
  max: number
  /** Growth between probes while they pass. */
  factor: number
  /** Stop bisecting when the pass and the failure are this close (a concurrency is a whole number). */
  resolution: number
  /** Levels in all, probes and bisection together. */
  maxLevels: number
  /** Stop starting new levels after this long. */
  maxTimeMs?: number
  /** The goodput ratio a level must reach to pass, with the scenario's goodput bounds. */
  min: number
}

export interface RatesSweep {
  method: 'rates'
  /** Rates run between the two measured throughputs. */
  levels: number
  /** The concurrency of the saturated level. */
  saturation: number
}

export type SweepOptions = CapacitySweep | RatesSweep

export class CapacitySearch {
  private pass: number | null = null
  private fail: number | null = null
  private readonly probes: SweepSummary['probes'] = []
  private stoppedBy: SweepSummary['stoppedBy'] | null = null

  constructor(private readonly opts: CapacitySweep) {}

  /** The next load to probe, or null when the search is over. */
  next(): number | null {
    if (this.stoppedBy) return null
    const o = this.opts
    if (this.probes.length >= o.maxLevels) return this.stop('budget')
    if (this.probes.length === 0) return this.snap(Math.min(o.start, o.max))
    if (this.fail === null) {
      const passed = this.pass as number
      if (passed >= o.max) return this.stop('max')
      return this.snap(Math.min(o.max, Math.max(passed * o.factor, passed + this.step())))
    }
    const lo = this.pass ?? 0
    if (this.fail - lo <= o.resolution) return this.stop('resolution')
    const mid = this.snap((lo + this.fail) / 2)
    // Whole concurrencies can leave no untried value between the two: the answer is found.
    if (mid <= lo || mid >= this.fail || mid < this.step()) return this.stop('resolution')
    return mid
  }

  /** The verdict of a probe; `level` is its index among the scenario's levels. */
  record(load: number, passed: boolean, level: number): void {
    this.probes.push({ load, passed, level })
    if (passed) this.pass = Math.max(this.pass ?? load, load)
    else this.fail = Math.min(this.fail ?? load, load)
  }

  /** Ends the search early (the time budget ran out, or the run was stopped). */
  stop(reason: SweepSummary['stoppedBy']): null {
    this.stoppedBy ??= reason
    return null
  }

  summary(): SweepSummary {
    return {
      kind: this.opts.kind,
      capacity: this.pass,
      firstFailing: this.fail,
      resolution: this.opts.resolution,
      probes: [...this.probes],
      stoppedBy: this.stoppedBy ?? 'budget',
    }
  }

  private step(): number {
    return this.opts.kind === 'concurrency' ? 1 : this.opts.resolution
  }

  private snap(x: number): number {
    if (this.opts.kind === 'concurrency') return Math.max(1, Math.round(x))
    // Rates keep three significant decimals: probe values print and compare cleanly.
    return Math.round(x * 1000) / 1000
  }
}

/** `count` rates evenly between `low` and `high` req/s, both ends excluded (they were measured). */
export function evenRates(low: number, high: number, count: number): number[] {
  if (!(high > low)) return []
  return Array.from({ length: count }, (_, k) => Math.round((low + ((high - low) * (k + 1)) / (count + 1)) * 1000) / 1000)
}
