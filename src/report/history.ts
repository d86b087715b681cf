/**
 * The history folder: every run's result JSON kept as `<startedAt>-<id>.json` (`.llmbench/history`
 * by default), listed oldest first, and each scenario's key figures over those runs. The folder
 * itself is the file store of results/store-file.ts, which `llmbench serve` uses too.
 */
import { resolve } from 'node:path'
import { FileStore, type HistoryRun } from '../store/file.js'
import type { SuiteResult } from '../results/suite.js'
import type { LevelSummary, RunResult } from '../results/types.js'
import { suiteStatus } from '../results/suite.js'
import type { AnyResult } from '../results/read.js'
import { errorRate } from '../metrics/figures.js'
import type { HistoryData, HistoryEntry, HistoryPoint, HistoryScenario, RunStatus } from './types.js'
import { scenarioLengths } from '../results/labels.js'

export const DEFAULT_HISTORY_DIR = '.llmbench/history'

/** Where history goes, resolved; undefined when it is off. */
export interface HistorySettings {
  /** The flag (`--no-history` is false). */
  enabled?: boolean
  /** The flag `--history-dir`: asking for a folder turns history on. */
  dir?: string
}

/**
 * The history folder of a run, or undefined when history is off: the flags win, then
 * LLMBENCH_HISTORY (0, false or off turns it off), then the config's `history`, then on.
 */
export function historyDir(
  base: string,
  flags: HistorySettings = {},
  config: { dir?: string; enabled?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flags.enabled === false) return undefined
  if (flags.dir) return resolve(base, flags.dir)
  const fromEnv = env.LLMBENCH_HISTORY?.trim().toLowerCase()
  const enabled = flags.enabled ?? (fromEnv ? !['0', 'false', 'off', 'no'].includes(fromEnv) : config.enabled ?? true)
  return enabled ? resolve(base, config.dir ?? DEFAULT_HISTORY_DIR) : undefined
}

/** Saves a result into `dir`; returns the file's path. Names sort in time order. */
export function saveToHistory(dir: string, doc: RunResult | SuiteResult): string {
  return new FileStore(dir).saveResultSync(doc)
}

export type { HistoryRun }

/** The saved results in `dir`, oldest first, and the files that are not results (with why). */
export function loadHistory(dir: string): { runs: HistoryRun[]; skipped: HistoryData['skipped'] } {
  return new FileStore(dir).readAllSync()
}

/** The history page's data: one entry per saved run, and each scenario's figures per load over time. */
export function historyData(dir: string): HistoryData {
  const { runs, skipped } = loadHistory(dir)
  const entries: HistoryEntry[] = []
  const scenarios = new Map<string, HistoryScenario>()
  runs.forEach(({ file, result }, run) => {
    const list = scenariosOf(result)
    entries.push({
      file: file.slice(dir.length + 1),
      startedAt: result.doc.startedAt,
      version: result.doc.llmbench.version,
      source: result.kind,
      status: statusOf(result),
      servers: [...new Set(list.flatMap((s) => (s.server ? [s.server] : [])))],
      models: [...new Set(list.flatMap((s) => (s.model ? [s.model] : [])))],
      scenarios: list.length,
      levels: list.reduce((n, s) => n + s.levels.length, 0),
    })
    for (const s of list) {
      let hs = scenarios.get(s.key)
      if (!hs) scenarios.set(s.key, (hs = { key: s.key, name: s.name, series: [] }))
      for (const level of s.levels) {
        const { kind, value } = level.load
        let series = hs.series.find((x) => x.kind === kind && x.load === value)
        if (!series) hs.series.push((series = { kind, load: value, points: [] }))
        series.points.push(pointOf(run, result.doc.startedAt, level))
      }
    }
  })
  for (const s of scenarios.values()) s.series.sort((a, b) => a.load - b.load)
  return { dir, entries, skipped, scenarios: [...scenarios.values()] }
}

interface Flat {
  key: string
  name: string
  server?: string
  model?: string
  levels: LevelSummary[]
}

function scenariosOf(r: AnyResult): Flat[] {
  if (r.kind === 'run') {
    // Over time, only runs of the same shape are one series (the server's port may change between runs).
    const o = r.doc.scenario
    const name = `${o.model}, ${scenarioLengths(o)} (${o.endpoint}${o.stream === false ? ', not streamed' : ''})`
    return [{ key: `run > ${name}`, name, server: o.server, model: o.model, levels: r.doc.levels.map((l) => l.summary) }]
  }
  return r.doc.files.flatMap((f) =>
    f.scenarios.map((s) => ({ key: `${s.file} > ${s.id}`, name: s.id, server: s.options?.server, model: s.options?.model, levels: s.levels.map((l) => l.summary) })),
  )
}

function statusOf(r: AnyResult): RunStatus {
  if (r.kind === 'suite') return suiteStatus(r.doc)
  return r.doc.interrupted ? 'interrupted' : 'measured'
}

function pointOf(run: number, startedAt: string, s: LevelSummary): HistoryPoint {
  const p: HistoryPoint = {
    run,
    startedAt,
    outputTokensPerSec: s.throughput.outputTokensPerSec,
    requestsPerSec: s.throughput.requestsPerSec,
    errorRate: errorRate(s),
  }
  if (s.stats.ttft) [p.ttftP50, p.ttftP99] = [s.stats.ttft.p50, s.stats.ttft.p99]
  if (s.stats.tpot) p.tpotP50 = s.stats.tpot.p50
  if (s.stats.itl) p.itlP99 = s.stats.itl.p99
  if (s.stats.e2e) p.e2eP99 = s.stats.e2e.p99
  if (s.goodput) p.goodput = s.goodput.ratio
  return p
}
