/**
 * Shards (`llmbench run --shard i/n`) back into one result: each level's records from every shard
 * on one time line (by the wall clock each shard noted), the figures recomputed from the merged
 * records — percentiles of all requests, never averages of the shards' percentiles.
 */
import { UsageError } from '../errors.js'
import { summarizeRecords } from '../runner/summarize.js'
import type { LevelResult, LevelSummary, LoadSpec, RequestRecord, RunResult, SloSet } from './types.js'

export const TIME_FIELDS = ['scheduledAt', 'readyAt', 'sentAt', 'firstTokenAt', 'firstContentAt', 'lastTokenAt', 'endAt'] as const

/** What merging needs to know of each shard to check that they are the whole of one run. */
export interface ShardHead {
  name: string
  shard?: { index: number; count: number }
  scenario: { server: string; model: string; endpoint: string }
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
  const levels: LevelResult[] = base.levels.map((_, k) =>
    mergeLevel(shifted.map(({ result, shift }) => ({ ...result.levels[k], shift, index: result.shard!.index })), count!, { slo: base.scenario.goodput }),
  )
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

export interface LevelPart {
  records: RequestRecord[]
  /** Its own summary: the load, client figures and schedule it saw. */
  summary: Pick<LevelSummary, 'load' | 'client' | 'schedule' | 'timeSlices'>
  /** Ms to add to its times to put them on the merged time line. */
  shift: number
  /** The shard (or thread) it came from. */
  index: number
}

export interface MergeOptions {
  slo?: SloSet
  /** Client figures measured for all parts at once (threads of one process share its CPU). */
  client?: Partial<LevelSummary['client']>
  /** The whole level's target rate, when the parts' cannot be added up (a ramp's mean). */
  targetRate?: number
  /** Keep figures over time (ramps, timed levels); default: when the parts kept them. */
  slices?: boolean
}

/** One level from its parts (shards or threads): figures from all of their records. */
export function mergeLevel(parts: LevelPart[], count: number, o: MergeOptions = {}): LevelResult {
  const records: RequestRecord[] = []
  for (const { records: own, shift, index } of parts) {
    for (const r of own) {
      const copy: RequestRecord = { ...r, index: r.index * count + index }
      for (const f of TIME_FIELDS) if (copy[f] !== undefined) copy[f] = copy[f]! + shift
      records.push(copy)
    }
  }
  records.sort((a, b) => a.scheduledAt - b.scheduledAt)
  const summaries = parts.map((p) => p.summary)
  const load = wholeLoad(summaries.map((s) => s.load))
  const sliced = o.slices ?? summaries.some((s) => s.timeSlices)
  const summary = summarizeRecords(records, {
    load,
    slo: o.slo,
    // Each part's own client; the worst of them says whether any was a bottleneck.
    client: {
      eventLoopDelayP99Ms: Math.max(...summaries.map((s) => s.client.eventLoopDelayP99Ms)),
      cpuPercent: Math.max(...summaries.map((s) => s.client.cpuPercent)),
      ...o.client,
    },
    targetRate: o.targetRate ?? (summaries.reduce((sum, s) => sum + (s.schedule?.targetRate ?? 0), 0) || undefined),
    ...(sliced && records.length ? { slicesFrom: Math.min(...records.map((r) => r.scheduledAt)) } : {}),
  })
  return { summary, records }
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
