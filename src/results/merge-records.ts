/**
 * Shards merged from their records files (the blobs of `llmbench run --shard i/n`), for runs too
 * large for their result files to hold every record. Every record of every shard is streamed
 * twice, never held: a first pass finds each level's time range (where its time slices start)
 * and checks the shards belong together, a second feeds the level collectors. The merge then
 * keeps what a run keeps, a bounded sample and a few numbers per request, and its figures are
 * those mergeRunResults computes from complete records.
 */
import { checkShards, wholeLoad, TIME_FIELDS } from './merge.js'
import { LevelCollector } from './level-collector.js'
import { readRecordsLines, recordOfLine, type EndLine, type LevelEndLine, type RunLine } from './records-file.js'
import { sliceWidth } from '../metrics/slices.js'
import { loadProfile } from '../runner/summarize.js'
import { UsageError } from '../errors.js'
import { SCHEMA_VERSION, type LevelResult, type LoadSpec, type RequestRecord, type RunResult } from './types.js'

interface LevelSeen {
  load: LoadSpec
  end?: LevelEndLine
  /** Earliest scheduled time of any record; earliest send and latest end of the measured ones (shifted). */
  firstScheduled: number
  firstSent: number
  lastEnd: number
}

interface ShardSeen {
  path: string
  run: RunLine
  levels: Map<number, LevelSeen>
  end?: EndLine
  shift: number
}

export async function mergeRecordsFiles(paths: string[], command: string): Promise<RunResult> {
  const shards: ShardSeen[] = []
  let ref: number | undefined
  for (const path of paths) {
    let shard: ShardSeen | undefined
    for await (const line of readRecordsLines(path)) {
      if (line.type === 'run') {
        ref ??= line.clockOffsetMs ?? 0
        shard = { path, run: line, levels: new Map(), shift: (line.clockOffsetMs ?? ref) - ref }
        continue
      }
      if (!shard) throw new UsageError(`${path} does not start with a run line: is it a records file of llmbench run?`)
      if (line.type === 'level') shard.levels.set(line.index, { load: line.load, firstScheduled: Infinity, firstSent: Infinity, lastEnd: -Infinity })
      else if (line.type === 'levelEnd') shard.levels.get(line.index)!.end = line
      else if (line.type === 'end') shard.end = line
      else if (line.type === 'record') {
        const l = shard.levels.get(line.level)!
        l.firstScheduled = Math.min(l.firstScheduled, line.scheduledAt + shard.shift)
        if (!line.warmup && !line.cooldown) {
          l.firstSent = Math.min(l.firstSent, line.sentAt + shard.shift)
          l.lastEnd = Math.max(l.lastEnd, line.endAt + shard.shift)
        }
      }
    }
    if (!shard) throw new UsageError(`${path} is empty: give the records files of the shards`)
    shards.push(shard)
  }
  const count = checkShards(shards.map((s) => ({ name: s.path, shard: s.run.scenario.shard, scenario: s.run.scenario, levels: s.levels.size })))
  const base = shards[0]
  const indices = [...base.levels.keys()].sort((a, b) => a - b)
  const collectors = new Map(indices.map((k) => [k, collectorOf(k, shards, base)]))

  for (const s of shards) {
    const shardIndex = s.run.scenario.shard!.index
    for await (const line of readRecordsLines(s.path)) {
      if (line.type !== 'record') continue
      const { level, record } = recordOfLine(line)
      const r: RequestRecord = { ...record, index: record.index * count + shardIndex }
      for (const f of TIME_FIELDS) if (r[f] !== undefined) r[f] = r[f]! + s.shift
      collectors.get(level)?.add(r)
    }
  }

  const levels: LevelResult[] = indices.map((k) => {
    const ends = shards.map((s) => s.levels.get(k)?.end?.summary)
    const known = ends.filter((e) => e !== undefined)
    const summary = collectors.get(k)!.summary(
      {
        eventLoopDelayP99Ms: Math.max(0, ...known.map((e) => e.client.eventLoopDelayP99Ms)),
        cpuPercent: Math.max(0, ...known.map((e) => e.client.cpuPercent)),
      },
      known.reduce((sum, e) => sum + (e.schedule?.targetRate ?? 0), 0) || wholeLoad(shards.map((s) => s.levels.get(k)!.load)).value,
    )
    if (known.length < ends.length) summary.warnings.push('a shard\'s records file ends before this level did (the shard stopped): its records so far are merged')
    return collectors.get(k)!.result(summary)
  })

  const { shard: _shard, ...scenario } = base.run.scenario
  const ends = shards.map((s) => s.end)
  return {
    schemaVersion: SCHEMA_VERSION,
    llmbench: { version: base.run.llmbench.version },
    startedAt: shards.map((s) => s.run.startedAt).sort()[0],
    finishedAt: ends.map((e) => e?.finishedAt ?? '').sort().reverse()[0] || base.run.startedAt,
    interrupted: ends.some((e) => e === undefined || e.interrupted),
    command,
    environment: base.run.environment,
    scenario,
    levels,
    shards: count,
    clockOffsetMs: ref,
    ...(base.end?.telemetry !== undefined ? { telemetry: base.end.telemetry } : {}),
  }
}

/** A level's collector for the whole load of all shards, slicing time as a merge of full results does. */
function collectorOf(k: number, shards: ShardSeen[], base: ShardSeen): LevelCollector {
  const seen = shards.map((s) => s.levels.get(k)!)
  const load = wholeLoad(seen.map((l) => l.load))
  const c = new LevelCollector({ index: k, load, slo: base.run.scenario.goodput, seed: base.run.scenario.seed })
  const sliced = seen.some((l) => l.end?.summary.timeSlices !== undefined) || load.ramp !== undefined
  const firstSent = Math.min(...seen.map((l) => l.firstSent))
  const lastEnd = Math.max(...seen.map((l) => l.lastEnd))
  if (sliced && Number.isFinite(firstSent)) {
    const profile = loadProfile(load)
    c.startSlices({ origin: firstSent, width: sliceWidth(lastEnd - firstSent), levelStart: Math.min(...seen.map((l) => l.firstScheduled)), loadAt: (t) => profile.valueAt(t) })
  }
  return c
}
