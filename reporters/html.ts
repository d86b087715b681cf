/**
 * The HTML reporter of `npx llmbench`: one self-contained page with the suite's charts and tables
 * (llmbench-report/index.html by default), opened in the browser per `open` when on a terminal.
 */
import { resolve } from 'node:path'
import type { SuiteResult } from '../src/results/suite.js'
import { buildReportData } from '../src/report/data.js'
import { openInBrowser, openMode, shouldOpen } from '../src/report/open.js'
import { writeReport } from '../src/report/page.js'
import type { Reporter, ReporterOptions } from './types.js'

export const DEFAULT_HTML_DIR = 'llmbench-report'

export function createHtmlReporter(options: ReporterOptions & { open?: unknown }): Reporter {
  const out = resolve(options.root, options.outputFile ?? DEFAULT_HTML_DIR)
  const open = openMode(options.open, 'the html reporter')
  const stdout = options.stdout ?? process.stdout
  return {
    onRunEnd(result: SuiteResult) {
      const file = writeReport(out, buildReportData([{ result: { kind: 'suite', doc: result } }]))
      stdout.write(`HTML report: ${file}\n`)
      if (shouldOpen(open, result.exitCode !== 0, stdout as { isTTY?: boolean }, options.env ?? process.env)) openInBrowser(file)
    },
  }
}
