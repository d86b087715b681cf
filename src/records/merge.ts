/**
 * Shards (`llmbench run --shard i/n`) back into one result: each level's records from every shard
 * on one time line (by the wall clock each shard noted), the figures recomputed from the merged
 * records — percentiles of all requests, never averages of the shards' percentiles.
 */
import { UsageError } from '../errors.js'
import { loadProfile } from '../load/profile.js'
import { sliceWidth } from '../metrics/slices.js'
import { isMeasured } from '../metrics/request.js'
import { LevelCollector } from './level-collector.js'
import type { LevelResult, LevelSummary, LoadSpec, RequestRecord, RunResult, SloSet } from '../results/types.js'
import { goodputBounds } from '../options/slo.js'
import type { RecordedScenario } from '../options/recorded.js'

export const TIME_FIELDS = ['scheduledAt', 'readyAt', 'sentAt', 'firstTokenAt', 'firstContentAt', 'lastTokenAt', 'endAt'] as const

/** What merging needs to know of each shard to check that they are the whole of one run. */
export interface ShardHead {
  name: string
  shard?: { index: number; count: number }
  scenario: { server: string; model: string; endpoint?: string }
  levels: number
}

/** Throws a one-line UsageError unless the shards are each shard of one run, once. Returns the shard count. */
export function checkShards(heads: ShardHead[]): number {
  const count = heads[0]?.shard?.count
  heads.forEach((h) => {
    if (!h.shard) throw new UsageError(`${h.name} is not a shard (it was not run with --shard i/n): merge only shards of one run`)
    if (h.shard.count !== count) throw new UsageError(`${h.name} is shard ${h.shard.index}/${h.shard.count}, but ${heads[0].name} is of ${count} shards: merge the shards of one run`)
  })
  const seen = new Set(heads.map((h) => h.shard!.index))
  if (seen.size !== heads.length) throw new UsageError('the same shard is given twice: give each shard once')
  const missing = Array.from({ length: count! }, (_, i) => i).filter((i) => !seen.has(i))
  if (missing.length) throw new UsageError(`shards ${missing.map((i) => `${i}/${count}`).join(', ')} are missing: give every shard of the run`)
  const base = heads[0]
  for (const h of heads) {
    const a = h.scenario
    const b = base.scenario
    if (a.server !== b.server || a.model !== b.model || a.endpoint !== b.endpoint || h.levels !== base.levels) {
      throw new UsageError(`${h.name} is not a shard of the same run as ${base.name} (server, model, endpoint or levels differ)`)
    }
  }
  return count!
}

export function mergeRunResults(results: RunResult[], names: string[], command: string): RunResult {
  const count = checkShards(results.map((r, k) => ({ name: names[k], shard: r.shard, scenario: r.scenario, levels: r.levels.length })))
  const base = results[0]
  const ref = base.clockOffsetMs ?? 0
  const shifted = results.map((r) => ({ result: r, shift: (r.clockOffsetMs ?? ref) - ref }))
  const levels: LevelResult[] = base.levels.map((_, k) => {
    const parts = shifted.map(({ result, shift }) => {
      const level = result.levels[k]
      const part: ShardLevel = { load: level.summary.load, summary: level.summary, ...emptyRange() }
      for (const r of level.records) widenRange(part, r, shift)
      return part
    })
    const collect = mergedCollector(k, parts, base.scenario)
    for (const { result, shift } of shifted) {
      for (const r of result.levels[k].records) collect.add(onMergedLine(r, shift, count, result.shard!.index))
    }
    return mergedLevel(collect, parts)
  })
  const { shard: _shard, ...scenario } = base.scenario
  const merged: RunResult = {
    ...base,
    startedAt: results.map((r) => r.startedAt).sort()[0],
    finishedAt: results.map((r) => r.finishedAt).sort().reverse()[0],
    interrupted: results.some((r) => r.interrupted),
    command,
    scenario,
    levels,
    shards: count,
    clockOffsetMs: ref,
  }
  delete merged.shard
  delete merged.sweep
  delete merged.recordsFile
  // Every shard sampled the same server: one shard's series tell it.
  if (base.telemetry) merged.telemetry = base.telemetry
  return merged
}

/** One shard's level as a merge sees it before its records go through (times on the merged line). */
export interface ShardLevel {
  load: LoadSpec
  /** The shard's own summary of the level; none when its records file ends inside the level. */
  summary?: Pick<LevelSummary, 'client' | 'schedule' | 'timeSlices'>
  /** Earliest scheduled time of any record; earliest send and latest end of the measured ones. */
  firstScheduled: number
  firstSent: number
  lastEnd: number
}

export function emptyRange(): Pick<ShardLevel, 'firstScheduled' | 'firstSent' | 'lastEnd'> {
  return { firstScheduled: Infinity, firstSent: Infinity, lastEnd: -Infinity }
}

/** Takes a record (not yet shifted) into its shard level's time range. */
export function widenRange(l: ShardLevel, r: RequestRecord, shift: number): void {
  l.firstScheduled = Math.min(l.firstScheduled, r.scheduledAt + shift)
  if (!isMeasured(r)) return
  l.firstSent = Math.min(l.firstSent, r.sentAt + shift)
  l.lastEnd = Math.max(l.lastEnd, r.endAt + shift)
}

/** A shard's record on the merged time line, numbered as the whole level's (shard i's request k is k·n + i). */
export function onMergedLine(r: RequestRecord, shift: number, count: number, shard: number): RequestRecord {
  const copy: RequestRecord = { ...r, index: r.index * count + shard }
  for (const f of TIME_FIELDS) if (copy[f] !== undefined) copy[f] = copy[f]! + shift
  return copy
}

/** The collector of a merged level: the whole load, its time sliced when the shards' was. */
export function mergedCollector(index: number, parts: ShardLevel[], scenario: RecordedScenario): LevelCollector {
  const load = wholeLoad(parts.map((p) => p.load))
  const c = new LevelCollector({ index, load, slo: goodputBounds(scenario.slo), seed: scenario.seed ?? 0, ...(scenario.lora ? { adapters: { base: scenario.model } } : {}) })
  const firstSent = Math.min(...parts.map((p) => p.firstSent))
  const lastEnd = Math.max(...parts.map((p) => p.lastEnd))
  const sliced = load.ramp !== undefined || parts.some((p) => p.summary?.timeSlices !== undefined)
  if (sliced && Number.isFinite(firstSent)) {
    const profile = loadProfile(load)
    c.startSlices({ origin: firstSent, width: sliceWidth(lastEnd - firstSent), levelStart: Math.min(...parts.map((p) => p.firstScheduled)), loadAt: (t) => profile.valueAt(t) })
  }
  return c
}

/** The merged level: the worst shard's client figures (any bottleneck shows), the shards' target rates added up. */
export function mergedLevel(c: LevelCollector, parts: ShardLevel[]): LevelResult {
  const known = parts.flatMap((p) => (p.summary ? [p.summary] : []))
  const summary = c.summary(
    {
      eventLoopDelayP99Ms: Math.max(0, ...known.map((s) => s.client.eventLoopDelayP99Ms)),
      ...maxKnown(known.map((s) => s.client.eventLoopDelayMaxMs)),
      cpuPercent: Math.max(0, ...known.map((s) => s.client.cpuPercent)),
    },
    known.reduce((sum, s) => sum + (s.schedule?.targetRate ?? 0), 0) || wholeLoad(parts.map((p) => p.load)).value,
  )
  if (known.length < parts.length) summary.warnings.push('a shard\'s records file ends before this level did (the shard stopped): its records so far are merged')
  return c.result(summary)
}

/** The whole level's load: the parts' shares added up. */
export function wholeLoad(loads: LoadSpec[]): LoadSpec {
  const sum = (f: (l: LoadSpec) => number | undefined) => loads.reduce((s, l) => s + (f(l) ?? 0), 0)
  const round = (x: number) => Math.round(x * 1e6) / 1e6
  const load: LoadSpec = { ...loads[0], value: round(sum((l) => l.value)) }
  if (loads[0].maxConcurrency !== undefined) load.maxConcurrency = sum((l) => l.maxConcurrency)
  if (loads[0].ramp) load.ramp = { ...loads[0].ramp, from: round(sum((l) => l.ramp?.from)) }
  return load
}

/** The largest event-loop stall of the shards that measured one (results before it have none). */
function maxKnown(values: Array<number | undefined>): { eventLoopDelayMaxMs?: number } {
  const known = values.filter((v): v is number => v !== undefined)
  return known.length ? { eventLoopDelayMaxMs: Math.max(...known) } : {}
}
