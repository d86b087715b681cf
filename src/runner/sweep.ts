/**
 * Sweeps driven level by level: the capacity search (load/sweep.ts) decides each next load from
 * the verdicts so far; the rates sweep measures the two ends, then runs rates between them.
 */
import { CapacitySearch, evenRates, type CapacitySweep, type RatesSweep, type SweepOptions } from '../load/sweep.js'
import type { LevelResult } from '../results/types.js'
import { loadOf, planLevel } from '../load/levels.js'
import type { LevelContext } from './level.js'
import { runAnyLevel as runLevel } from './threads.js'
import type { ScenarioOutcome } from './types.js'
import { serverWentAway } from './server-gone.js'

export function runSweep(ctx: LevelContext, sweep: SweepOptions): Promise<ScenarioOutcome> {
  return sweep.method === 'capacity' ? capacity(ctx, sweep) : rates(ctx, sweep)
}

/** A level passes when its goodput ratio (the scenario's goodput bounds) reaches `min`. */
export function levelPasses(level: LevelResult, min: number): boolean {
  const g = level.summary.goodput
  return g !== undefined && g.total > 0 && g.ratio >= min
}

async function capacity(ctx: LevelContext, sweep: CapacitySweep): Promise<ScenarioOutcome> {
  const search = new CapacitySearch(sweep)
  const levels: LevelResult[] = []
  const began = performance.now()
  for (;;) {
    if (ctx.stopped()) search.stop('budget')
    else if (sweep.maxTimeMs !== undefined && performance.now() - began >= sweep.maxTimeMs) search.stop('budget')
    const load = search.next()
    if (load === null) break
    const level = await runLevel(ctx, planLevel(ctx.opts, loadOf(ctx.opts, sweep.kind, load)), levels.length)
    if (ctx.stopped() || serverWentAway(level, false)) {
      levels.push(level)
      break
    }
    search.record(load, levelPasses(level, sweep.min), levels.length)
    levels.push(level)
  }
  return { levels, sweep: search.summary() }
}

async function rates(ctx: LevelContext, sweep: RatesSweep): Promise<ScenarioOutcome> {
  const levels: LevelResult[] = []
  const run = async (kind: 'concurrency' | 'rate', value: number) => {
    if (!ctx.stopped()) levels.push(await runLevel(ctx, planLevel(ctx.opts, loadOf(ctx.opts, kind, value)), levels.length))
  }
  await run('concurrency', 1)
  await run('concurrency', sweep.saturation)
  if (levels.length < 2) return { levels }
  const [low, high] = levels.map((l) => l.summary.throughput.requestsPerSec)
  for (const rate of evenRates(low, high, sweep.levels)) await run('rate', rate)
  return { levels }
}
