/**
 * `llmbench report <result.json...>`: the HTML report of saved results, several overlaid with each
 * figure's change against the first; `--history` instead draws the runs kept in the history folder.
 */
import { relative, resolve } from 'node:path'
import type { Argv } from 'yargs'
import { loadConfig } from '../config/index.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { buildReportData, labelOfFile } from '../report/data.js'
import { DEFAULT_HISTORY_DIR, historyData } from '../report/history.js'
import { readResultFile } from '../results/read.js'
import { openInBrowser } from '../report/open.js'
import { writeReport } from '../report/page.js'
import { DEFAULT_REPORT_DIR } from '../report/run-outputs.js'
import { REPORT_DATA_VERSION, type ReportData } from '../report/types.js'
import { VERSION } from '../version.js'
import { existsSync } from 'node:fs'
import { rebuildRunResult } from '../records/rebuild.js'
import type { RunResult } from '../results/types.js'
import { renderLevel } from '../../reporters/console.js'
import { writeJsonFile } from '../write-file.js'

export function reportCommand(y: Argv) {
  return y
    .positional('files', { type: 'string', array: true, describe: 'Result JSON files (llmbench run --output, or the json reporter); the first is the baseline' })
    .option('output', { alias: 'o', type: 'string', default: DEFAULT_REPORT_DIR, describe: 'Folder to write index.html into (or a path ending in .html)' })
    .option('history', { type: 'boolean', default: false, describe: 'Report the runs kept in the history folder over time' })
    .option('history-dir', { type: 'string', describe: `History folder (default: the config's history.dir, else ${DEFAULT_HISTORY_DIR})` })
    .option('from', { type: 'string', describe: 'Rebuild the result from a records file (llmbench run --records, kept even after a crash) and report it' })
    .option('open', { type: 'boolean', default: false, describe: 'Open the report in the browser' })
}

export async function reportHandler(a: Record<string, unknown>): Promise<number> {
  const files = ((a.files as unknown[] | undefined) ?? []).map(String)
  let data: ReportData
  if (a.history) {
    if (files.length) throw new UsageError('report --history reads the history folder: pass no result files with it (or drop --history)')
    const dir = a.historyDir ? resolve(String(a.historyDir)) : await configuredHistoryDir()
    const history = historyData(dir)
    if (!history.entries.length) {
      throw new UsageError(`no saved runs in ${dir}: run llmbench first (each run is kept there), or pass --history-dir`)
    }
    data = { version: REPORT_DATA_VERSION, kind: 'history', generatedAt: new Date().toISOString(), generator: VERSION, runs: [], history }
  } else if (a.from !== undefined) {
    if (files.length) throw new UsageError('report --from reads one records file: pass no result files with it')
    data = buildReportData([{ result: { kind: 'run', doc: await rebuilt(String(a.from)) }, label: labelOfFile(String(a.from)) }])
  } else {
    if (!files.length) throw new UsageError('report needs at least one result file: llmbench report result.json [other.json...] (or --history)')
    const results = files.map((file) => ({ result: readResultFile(file), label: labelOfFile(file) }))
    data = buildReportData(results)
  }
  const page = writeReport(String(a.output), data)
  process.stdout.write(`HTML report written to ${page}\n`)
  const shown = relative(process.cwd(), page).startsWith('..') ? page : relative(process.cwd(), page)
  if (a.open) openInBrowser(page)
  else process.stdout.write(`Open it with: llmbench show-report ${shown.replace(/[\\/]?index\.html$/, '') || '.'}\n`)
  return EXIT.OK
}

/** The result a records file holds, printed and saved beside it as <name>.rebuilt.json. */
async function rebuilt(path: string): Promise<RunResult> {
  if (!existsSync(path)) throw new UsageError(`--from: no such file ${path} (give the .records.jsonl file llmbench run wrote)`)
  const result = await rebuildRunResult(path)
  for (const level of result.levels) process.stdout.write(renderLevel(level.summary) + '\n\n')
  const saved = writeJsonFile(path.replace(/(\.records)?\.jsonl$/i, '') + '.rebuilt.json', result)
  process.stdout.write(`Rebuilt ${result.levels.length} levels from ${path}${result.interrupted ? ' (the run did not finish)' : ''}; result written to ${saved}\n`)
  return result
}

/** The config's history folder when the current folder has a config that names one. */
async function configuredHistoryDir(): Promise<string> {
  try {
    const { config } = await loadConfig(process.cwd())
    return resolve(config.root, config.history?.dir ?? DEFAULT_HISTORY_DIR)
  } catch {
    return resolve(DEFAULT_HISTORY_DIR)
  }
}
