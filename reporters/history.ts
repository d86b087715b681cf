/** Keeps each suite result in the history folder (docs/report.md), for `llmbench report --history`. */
import type { SuiteResult } from '../src/results/suite.js'
import { saveToHistory } from '../src/report/history.js'
import type { Reporter } from './types.js'

/** A reporter that keeps the suite result in the history folder when the run ends. */
export function createHistoryReporter(dir: string): Reporter {
  return {
    onRunEnd(result: SuiteResult) {
      if (result.files.some((f) => f.scenarios.some((s) => s.levels.length))) saveToHistory(dir, result)
    },
  }
}
