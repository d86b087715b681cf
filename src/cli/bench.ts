/** `npx llmbench [filters...]`: discover bench files, run them, report, and fail CI on a missed objective. */
import type { Argv } from 'yargs'
import { resolve } from 'node:path'
import { runSuite } from '../suite/suite.js'
import { UsageError } from '../errors.js'
import { benchSchema, benchShape, type BenchOptions } from '../options/scenario.js'
import { configSchema, configShape } from '../options/config.js'
import { benchCommandSchema, benchCommandShape } from '../options/commands.js'
import { checkFlags, flagsOf, fromFlags, withFlags } from '../options/flags.js'
import { httpUrl } from '../options/values.js'
import { loadConfig, type ResolvedConfig } from '../config/index.js'
import { headerValueSecrets, rememberSecrets } from '../results/redact.js'

const SCENARIO_FLAGS = flagsOf(benchShape, 'bench')
const CONFIG_FLAGS = flagsOf(configShape, 'bench')
const COMMAND_FLAGS = flagsOf(benchCommandShape, 'bench')
export const BENCH_FLAGS = [...COMMAND_FLAGS, ...CONFIG_FLAGS, ...SCENARIO_FLAGS]

export function benchCommand(y: Argv) {
  return withFlags(y.positional('filters', { type: 'string', array: true, describe: 'Run only bench files whose path contains one of these' }), BENCH_FLAGS)
}

export async function benchHandler(a: Record<string, any>): Promise<number> {
  const overrides: BenchOptions = checkFlags(benchSchema, fromFlags(a, SCENARIO_FLAGS, benchShape))
  if (overrides.server !== undefined && /^https?:/.test(overrides.server) && httpUrl(overrides.server) === undefined) {
    throw new UsageError(`--server must be an http:// or https:// URL or the name of a server in the config, got ${JSON.stringify(overrides.server)}`)
  }
  const settings = checkFlags(configSchema, fromFlags(a, CONFIG_FLAGS, configShape))
  const command = checkFlags(benchCommandSchema, fromFlags(a, COMMAND_FLAGS, benchCommandShape))
  const root = command.root ?? process.cwd()
  await rememberRunSecrets(root, command.config, overrides.apiKey)
  return runSuite({
    root,
    configFile: command.config,
    filters: (a.filters ?? []).map(String),
    namePattern: command.testNamePattern,
    reporters: settings.reporters?.map((e) => (typeof e === 'string' ? e : [e[0], { ...(e[1] ?? {}) }])),
    outputFile: outputFiles(settings.outputFile),
    list: command.list,
    bail: settings.bail === undefined ? undefined : Boolean(settings.bail),
    fileParallelism: settings.fileParallelism,
    overrides,
    passWithNoTests: command.passWithNoTests,
    history: { enabled: settings.history?.enabled, dir: settings.history?.dir === undefined ? undefined : resolve(settings.history.dir) },
  })
}

/** `--outputFile.junit=x.xml` arrives as an object; a bare `--outputFile x.json` means the JSON reporter. */
function outputFiles(value: string | Record<string, string> | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined
  return typeof value === 'string' ? { json: value } : value
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
