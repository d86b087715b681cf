/**
 * The results a comparison reads: a result file, a folder of result files (repeats of one run),
 * `history:latest`, or `history:<id>` (a run kept in the history folder, docs/report.md).
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import { UsageError } from '../errors.js'
import { readResultFile, type AnyResult } from '../results/read.js'
import { loadHistory } from './history.js'

/** The history holds no run yet: the first run of a project has nothing to compare with. */
export class NoBaselineYet extends UsageError {}

export interface ResultSet {
  /** As messages and tables name it: the file, folder or history entry. */
  label: string
  /** One result, or several: repeats of the same run. */
  results: AnyResult[]
}

const HISTORY = /^history:(.+)$/

/** A baseline as a config or bench file names it: `history:…` as it is, a path from `root`. */
export function baselinePath(spec: string, root: string): string {
  return HISTORY.test(spec) || isAbsolute(spec) ? spec : join(root, spec)
}

/** The results `spec` names; one line naming the fix when it names none. `historyDir`: where `history:` looks. */
export function readResultSet(spec: string, historyDir: string | undefined): ResultSet {
  const h = HISTORY.exec(spec)
  if (h) return fromHistory(h[1], historyDir, spec)
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const files = readdirSync(spec).filter((n) => n.endsWith('.json') && !n.endsWith('.records.json')).sort()
    if (!files.length) throw new UsageError(`${spec} holds no result files (*.json): give a result file, a folder of repeats of one run, or history:latest`)
    return { label: spec, results: files.map((f) => readResultFile(join(spec, f))) }
  }
  return { label: spec, results: [readResultFile(spec)] }
}

function fromHistory(which: string, dir: string | undefined, spec: string): ResultSet {
  if (!dir) throw new UsageError(`${spec}: history is off (--no-history or LLMBENCH_HISTORY=0): give a result file instead`)
  const { runs } = loadHistory(dir)
  if (!runs.length) throw new NoBaselineYet(`${spec}: no run is kept in ${dir} yet: give a result file, or run once with history on`)
  if (which === 'latest') {
    const last = runs[runs.length - 1]
    return { label: `${spec} (${basename(last.file)})`, results: [last.result] }
  }
  const found = runs.filter((r) => basename(r.file, '.json').includes(which))
  if (found.length !== 1) {
    const some = runs.slice(-3).map((r) => `history:${basename(r.file, '.json')}`).join(', ')
    throw new UsageError(`${spec}: ${found.length ? `${found.length} runs match` : 'no run matches'} in ${dir}: give a longer id, e.g. ${some}`)
  }
  return { label: `${spec} (${basename(found[0].file)})`, results: [found[0].result] }
}
