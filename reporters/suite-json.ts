/** The JSON reporter of `npx llmbench`: the suite result, written atomically when the run ends. */
import { resolve } from 'node:path'
import type { SuiteResult } from '../src/results/suite.js'
import { writeJsonFile } from '../src/write-file.js'
import type { Reporter, ReporterOptions } from './types.js'

export const DEFAULT_JSON_FILE = 'llmbench-results/results.json'

export function createSuiteJsonReporter(options: ReporterOptions): Reporter {
  const file = resolve(options.root, options.outputFile ?? DEFAULT_JSON_FILE)
  const stdout = options.stdout ?? process.stdout
  return {
    onRunEnd(result: SuiteResult) {
      writeJsonFile(file, result)
      stdout.write(`JSON report: ${file}\n`)
    },
  }
}
