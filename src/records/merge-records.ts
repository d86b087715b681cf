/**
 * Shards merged from their records files (the blobs of `llmbench run --shard i/n`), for runs too
 * large for their result files to hold every record. Every record of every shard is streamed
 * twice, never held: a first pass finds each level's time range (where its time slices start)
 * and checks the shards belong together, a second feeds the level collectors. The merge then
 * keeps what a run keeps, a bounded sample and a few numbers per request, and its figures are
 * those mergeRunResults computes from complete records.
 */
import { checkShards, emptyRange, mergedCollector, mergedLevel, onMergedLine, widenRange, type ShardLevel } from './merge.js'
import { readRecordsLines, recordOfLine, type EndLine, type RunLine } from './records-file.js'
import { UsageError } from '../errors.js'
import { SCHEMA_VERSION, type LevelResult, type RunResult } from '../results/types.js'

interface ShardSeen {
  path: string
  run: RunLine
  levels: Map<number, ShardLevel>
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
      if (line.type === 'level') shard.levels.set(line.index, { load: line.load, ...emptyRange() })
      else if (line.type === 'levelEnd') shard.levels.get(line.index)!.summary = line.summary
      else if (line.type === 'end') shard.end = line
      else if (line.type === 'record') widenRange(shard.levels.get(line.level)!, line, shard.shift)
    }
    if (!shard) throw new UsageError(`${path} is empty: give the records files of the shards`)
    shards.push(shard)
  }
  const count = checkShards(shards.map((s) => ({ name: s.path, shard: s.run.scenario.shard, scenario: s.run.scenario, levels: s.levels.size })))
  const base = shards[0]
  const indices = [...base.levels.keys()].sort((a, b) => a - b)
  const collectors = new Map(indices.map((k) => [k, mergedCollector(k, shards.map((s) => s.levels.get(k)!), base.run.scenario)]))

  for (const s of shards) {
    const shardIndex = s.run.scenario.shard!.index
    for await (const line of readRecordsLines(s.path)) {
      if (line.type !== 'record') continue
      const { level, record } = recordOfLine(line)
      collectors.get(level)?.add(onMergedLine(record, s.shift, count, shardIndex))
    }
  }
  const levels: LevelResult[] = indices.map((k) => mergedLevel(collectors.get(k)!, shards.map((s) => s.levels.get(k)!)))

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
