/** `npx llmbench [filters...]`: discover bench files, run them, report, and fail CI on a missed objective. */
import type { Argv } from 'yargs'
import { resolve } from 'node:path'
import { runSuite } from '../suite/suite.js'
import { UsageError } from '../errors.js'
import type { BenchOptions } from '../dsl/types.js'
import { positiveInt, serverUrl } from './parse.js'
import { loadConfig, type ResolvedConfig } from '../config/index.js'
import { headerValueSecrets, rememberSecrets } from '../results/redact.js'

export function benchCommand(y: Argv) {
  return y
    .positional('filters', { type: 'string', array: true, describe: 'Run only bench files whose path contains one of these' })
    .option('testNamePattern', { alias: 't', type: 'string', describe: 'Run only scenarios whose name matches this regular expression' })
    .option('config', { alias: 'c', type: 'string', describe: 'Config file (default: llmbench.config.* found in --root)' })
    .option('root', { alias: 'r', type: 'string', describe: 'Project root (default: the current folder)' })
    .option('reporter', { type: 'string', array: true, describe: 'Reporter: console, json, junit, github, html, or a module path (repeatable)' })
    .option('outputFile', { describe: 'Where a reporter writes: --outputFile.junit=junit.xml (repeatable)' })
    .option('list', { type: 'boolean', describe: 'Print the scenarios without running them' })
    .option('bail', { type: 'boolean', describe: 'Stop at the first failed scenario' })
    .option('file-parallelism', { type: 'number', describe: 'Bench files run at once (default 1: parallel files share the server)' })
    .option('server', { type: 'string', describe: 'Override the server of every scenario (URL or a configured name)' })
    .option('model', { type: 'string', describe: 'Override the model of every scenario' })
    .option('api-key', { type: 'string', describe: 'API key for every scenario (default: $OPENAI_API_KEY); never recorded' })
    .option('history', { type: 'boolean', describe: 'Keep the suite result in the history folder (default on; --no-history)' })
    .option('history-dir', { type: 'string', describe: 'History folder (default: .llmbench/history in the project root)' })
}

export async function benchHandler(a: Record<string, any>): Promise<number> {
  const overrides: BenchOptions = {}
  if (a.server) overrides.server = /^https?:/.test(a.server) ? serverUrl('--server', a.server) : String(a.server)
  if (a.model) overrides.model = String(a.model)
  if (a.apiKey) overrides.apiKey = String(a.apiKey)
  await rememberRunSecrets(a.root ?? process.cwd(), a.config, overrides.apiKey)
  let namePattern: string | undefined
  if (a.testNamePattern !== undefined) {
    try {
      new RegExp(String(a.testNamePattern))
    } catch (err) {
      throw new UsageError(`-t: not a valid regular expression: ${(err as Error).message}`)
    }
    namePattern = String(a.testNamePattern)
  }
  return runSuite({
    root: a.root ?? process.cwd(),
    configFile: a.config,
    filters: (a.filters ?? []).map(String),
    namePattern,
    reporters: a.reporter,
    outputFile: outputFiles(a.outputFile),
    list: a.list,
    bail: a.bail,
    fileParallelism: a.fileParallelism === undefined ? undefined : positiveInt('--file-parallelism', a.fileParallelism),
    overrides,
    history: { enabled: a.history, dir: a.historyDir === undefined ? undefined : resolve(String(a.historyDir)) },
  })
}

/** `--outputFile.junit=x.xml` arrives as an object; a bare `--outputFile x.json` means the JSON reporter. */
function outputFiles(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return { json: value }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
  }
  throw new UsageError('--outputFile takes a path, or --outputFile.<reporter>=<path>')
}

/**
 * The secrets the scenarios may send, known to this (the main) thread before any runs: the
 * --api-key flag, $OPENAI_API_KEY, and the API keys and header values of the config's defaults and
 * servers (`env:NAME` read from the environment). The reporter dispatcher redacts them from every
 * event and result, so a server that echoes them in an error body never gets them into a report.
 * Keys set in a bench file's own options are not known here: credential-shaped text (`Bearer …`,
 * `sk-…`) is still redacted, and the environment's credential-named variables are (cli/index.ts).
 */
async function rememberRunSecrets(root: string, configFile: string | undefined, apiKey: string | undefined): Promise<void> {
  rememberSecrets([apiKey, process.env.OPENAI_API_KEY])
  let config: ResolvedConfig
  try {
    config = (await loadConfig(root, configFile)).config
  } catch {
    return // runSuite loads it again and reports the problem
  }
  const fromEnv = (v: unknown) => (typeof v !== 'string' ? undefined : v.startsWith('env:') ? process.env[v.slice(4)] : v)
  const layers: Array<{ apiKey?: string; headers?: Record<string, string> }> = [config.defaults, ...Object.values(config.servers)]
  for (const layer of layers) {
    rememberSecrets([fromEnv(layer.apiKey)])
    for (const value of Object.values(layer.headers ?? {})) {
      const v = fromEnv(value)
      if (v) rememberSecrets(headerValueSecrets(v))
    }
  }
}
