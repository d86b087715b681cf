/**
 * The history folder: every run's result JSON kept as `<startedAt>-<id>.json` (`.llmbench/history`
 * by default), listed oldest first, and each scenario's key figures over those runs. The folder
 * itself is the file store of results/store-file.ts, which `llmbench serve` uses too.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FileStore, type HistoryRun } from '../store/file.js'
import type { SuiteResult } from '../results/suite.js'
import type { RunResult } from '../results/types.js'
import { suiteStatus } from '../results/suite.js'
import type { AnyResult } from '../results/read.js'
import { digestResult } from './digest.js'
import type { HistoryData, HistoryEntry, HistoryScenario, RunStatus } from './types.js'

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
    const list = digestResult(result)
    const first = list[0]
    entries.push({
      file: file.slice(dir.length + 1),
      href: pathToFileURL(file).href,
      startedAt: result.doc.startedAt,
      version: result.doc.llmbench.version,
      source: result.kind,
      status: statusOf(result),
      name: result.kind === 'run' ? first.name : result.doc.files.map((f) => f.file).join(', '),
      ...(list.length === 1 && first.settings ? { settings: first.settings } : {}),
      headline: list.length === 1 ? first.headline.map((l) => l.text) : list.map((s) => `${s.name}: ${s.headline[0]?.text ?? ''}`),
      servers: [...new Set(list.flatMap((s) => (s.server ? [s.server] : [])))],
      models: [...new Set(list.flatMap((s) => (s.model ? [s.model] : [])))],
      scenarios: list.length,
      levels: list.reduce((n, s) => n + s.levels.length, 0),
    })
    for (const s of list) {
      let hs = scenarios.get(s.key)
      if (!hs) scenarios.set(s.key, (hs = { key: s.key, name: s.name, series: [] }))
      hs.latest = { run, headline: s.headline.map((l) => l.text) }
      for (const { kind, load, ...figures } of s.levels) {
        let series = hs.series.find((x) => x.kind === kind && x.load === load)
        if (!series) hs.series.push((series = { kind, load, points: [] }))
        series.points.push({ run, startedAt: result.doc.startedAt, ...figures })
      }
    }
  })
  for (const s of scenarios.values()) s.series.sort((a, b) => (a.kind === b.kind ? a.load - b.load : a.kind === 'concurrency' ? -1 : 1))
  return { dir, entries, skipped, scenarios: [...scenarios.values()] }
}

function statusOf(r: AnyResult): RunStatus {
  if (r.kind === 'suite') return suiteStatus(r.doc)
  return r.doc.interrupted ? 'interrupted' : 'measured'
}
