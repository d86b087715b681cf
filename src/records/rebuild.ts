/**
 * A result rebuilt from a records file (records-file.ts), complete or cut short by a crash: each
 * level's summary recomputed from its records by the same accumulator a run uses, its records
 * trimmed as a run trims them. Figures the records cannot give (the client's event-loop delay and
 * CPU, open-loop schedule figures) come from the level's end line when the level ended.
 */
import { stat } from 'node:fs/promises'
import { LevelAccumulator, type LevelAccumulatorOptions } from '../metrics/accumulator.js'
import { readRecordsLines, recordOfLine, type EndLine, type LevelEndLine, type LevelLine, type RunLine } from './records-file.js'
import { levelResultOf, levelSampleSeed, RecordSampler } from './trim.js'
import { SCHEMA_VERSION, type LevelResult, type LevelSummary, type RunResult } from '../results/types.js'
import { goodputBounds } from '../options/slo.js'

export const CLIENT_UNKNOWN_WARNING = 'rebuilt from records: client load figures unknown'

export interface RebuildOptions extends LevelAccumulatorOptions {
  /** Records kept per level in the result (trim.ts); default 100,000. */
  recordsLimit?: number
}

interface Level {
  start: LevelLine
  acc: LevelAccumulator
  sampler: RecordSampler
  end?: LevelEndLine
}

/** Fields of a summary the accumulator computes; any other field of the end line is carried over. */
const RECOMPUTED = new Set(['itlApprox', 'goodput'])

function summaryOf(level: Level, header: RunLine): LevelSummary {
  const ended = level.end?.summary
  const summary = level.acc.finish({
    load: level.start.load,
    slo: goodputBounds(header.scenario.slo),
    client: ended?.client ?? { eventLoopDelayP99Ms: 0, cpuPercent: 0 },
  })
  if (ended === undefined) {
    summary.warnings.push(CLIENT_UNKNOWN_WARNING)
    return summary
  }
  const carried: Partial<LevelSummary> = {}
  for (const [key, value] of Object.entries(ended)) {
    if (!(key in summary) && !RECOMPUTED.has(key)) (carried as Record<string, unknown>)[key] = value
  }
  // Warnings the run added from figures outside the records (open-loop schedule) stay.
  const warnings = [...summary.warnings, ...ended.warnings.filter((w) => !summary.warnings.includes(w))]
  return { ...summary, ...carried, warnings }
}

/**
 * Reads `path` as a stream (memory grows with the kept sample, not with the file) and builds the
 * run's result. Without an end line the run counts as interrupted and finishedAt is the file's
 * last modification. A last line cut short is left out, with a warning on the last level.
 */
export async function rebuildRunResult(path: string, opts: RebuildOptions = {}): Promise<RunResult> {
  let header: RunLine | undefined
  let end: EndLine | undefined
  let truncatedAt: number | undefined
  const levels = new Map<number, Level>()
  for await (const line of readRecordsLines(path)) {
    switch (line.type) {
      case 'run':
        header = line
        break
      case 'level':
        levels.set(line.index, {
          start: line,
          acc: new LevelAccumulator(opts),
          sampler: new RecordSampler({ limit: opts.recordsLimit, seed: levelSampleSeed(header!.scenario.seed ?? 0, line.index) }),
        })
        break
      case 'record': {
        const { level, record } = recordOfLine(line)
        const l = levels.get(level)!
        l.acc.add(record)
        l.sampler.add(record)
        break
      }
      case 'levelEnd':
        levels.get(line.index)!.end = line
        break
      case 'end':
        end = line
        break
      case 'truncated':
        truncatedAt = line.line
        break
    }
  }
  const h = header!
  const results: LevelResult[] = [...levels.values()].map((l) => levelResultOf(summaryOf(l, h), l.sampler))
  if (truncatedAt !== undefined && results.length > 0) {
    results[results.length - 1].summary.warnings.push(
      `rebuilt from records: line ${truncatedAt} of the records file was cut short (the run stopped while writing it) and is left out`,
    )
  }
  const finishedAt = end?.finishedAt ?? (await stat(path)).mtime.toISOString()
  return {
    schemaVersion: SCHEMA_VERSION,
    llmbench: { version: h.llmbench.version },
    startedAt: h.startedAt,
    finishedAt,
    interrupted: end === undefined || end.interrupted,
    command: h.command,
    environment: h.environment,
    scenario: h.scenario,
    levels: results,
    ...(end?.telemetry !== undefined ? { telemetry: end.telemetry } : {}),
    ...(end?.sweep !== undefined ? { sweep: end.sweep } : {}),
    recordsFile: path,
  }
}
