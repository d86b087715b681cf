/** What `llmbench run` keeps besides its JSON file: the HTML report (`--html [dir]`) and the history copy. */
import type { RunResult } from '../results/types.js'
import { buildReportData } from './data.js'
import { historyDir, saveToHistory } from './history.js'
import { writeReport } from './page.js'

export const DEFAULT_REPORT_DIR = 'llmbench-report'

/** Writes the HTML report when asked and keeps the result in the history; returns the lines to print. */
export function keepRunOutputs(result: RunResult, a: Record<string, unknown>, cwd = process.cwd()): string[] {
  const lines: string[] = []
  if (typeof a.html === 'string') {
    const file = writeReport(a.html || DEFAULT_REPORT_DIR, buildReportData([{ result: { kind: 'run', doc: result } }]))
    lines.push(`HTML report written to ${file}`)
  }
  const flags = { enabled: a.history as boolean | undefined, dir: a.historyDir as string | undefined }
  const dir = historyDir(cwd, flags)
  if (dir && result.levels.length) {
    try {
      saveToHistory(dir, result)
    } catch (err) {
      // The run's own output is written by now: a history that cannot be kept is worth a line, not a failure.
      process.stderr.write(`llmbench: could not keep the result in the history folder ${dir}: ${(err as Error).message.split('\n')[0]} (--no-history to skip it)\n`)
    }
  }
  return lines
}
