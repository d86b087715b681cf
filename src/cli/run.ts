/** `llmbench run`: one scenario from flags alone, levels one after another, tables and a JSON file. */
import type { Argv } from 'yargs'
import { connectionsFor, runScenario, type ScenarioOptions } from '../runner/scenario.js'
import { levelLength, plannedLevels } from '../load/levels.js'
import { serverGoneText } from '../runner/server-gone.js'
import { buildRunResult } from '../results/result.js'
import { recordedScenario } from '../runner/recorded.js'
import { RecordsWriter } from '../records/records-file.js'
import { headerValueSecrets, knownSecrets, redactArgv, redactDeep, redactSecrets, rememberSecrets, requestSecrets } from '../results/redact.js'
import { renderChecks, renderErrorSamples, renderLevel, renderSummary, renderSweep } from '../../reporters/console.js'
import { evaluateObjectives, validateObjectives } from '../dsl/objectives.js'
import type { PromptsSummary } from '../results/types.js'
import { terminalLine } from '../text/sanitize.js'
import { writeJsonFile } from '../write-file.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { Progress } from './progress.js'
import { detectServer } from '../client/detect.js'
import { authHeaders } from '../client/adapter.js'
import { getAdapter } from '../client/registry.js'
import { spawnSimulator } from '../simulator/spawn.js'
import { keepRunOutputs } from '../report/run-outputs.js'
import { headlineText, runHeadline } from '../report/headline.js'
import { checkOpenFiles } from '../runner/fd-limit.js'
import type { Shard } from '../load/levels.js'
// Not config/index.js: `run` reads no config file, so cosmiconfig stays unloaded.
import { resolveScenario, SCENARIO_DEFAULTS } from '../config/resolve.js'
import { validateConfig } from '../config/validate.js'
import { checkPromptFiles } from '../data/spec-check.js'
import { benchSchema, benchShape, type BenchOptions } from '../options/scenario.js'
import { compareCommandSchema, compareCommandShape, runCommandSchema, runCommandShape } from '../options/commands.js'
import { readResultSet } from '../report/baseline.js'
import { historyDir } from '../report/history.js'
import { compareResults } from '../verdicts/index.js'
import { renderVerdicts } from '../../reporters/verdicts.js'
import { compareOptions } from './compare.js'
import { configShape } from '../options/config.js'
import { checkFlags, flagsOf, fromFlags, withFlags } from '../options/flags.js'
import { named } from '../options/check.js'
import { httpUrl } from '../options/values.js'

/** Every flag of `llmbench run`: the scenario's options, the command's own, and the history's. */
const SCENARIO_FLAGS = flagsOf(benchShape, 'run')
const COMMAND_FLAGS = flagsOf(runCommandShape, 'run')
const CONFIG_FLAGS = flagsOf(configShape, 'run')
const COMPARE_FLAGS = flagsOf(compareCommandShape, 'run')
export const RUN_FLAGS = [...SCENARIO_FLAGS, ...COMMAND_FLAGS, ...CONFIG_FLAGS, ...COMPARE_FLAGS]

export function runCommand(y: Argv) {
  return withFlags(y, RUN_FLAGS)
}

type RunArgs = Record<string, unknown>

/** The command's own flags (where it writes, shards), checked. */
export function runSettings(a: RunArgs) {
  return checkFlags(runCommandSchema, fromFlags(a, COMMAND_FLAGS, runCommandShape))
}

/**
 * The scenario the flags describe, through the same checks and layers as a bench file's (with no
 * config). A model or endpoint left to the server is asked for, after every local check passed.
 */
export async function toScenarioOptions(a: RunArgs): Promise<ScenarioOptions> {
  const flags = fromFlags(a, SCENARIO_FLAGS, benchShape)
  const bench: BenchOptions = checkFlags(benchSchema, flags)
  const server = bench.server ?? SCENARIO_DEFAULTS.server!
  if (httpUrl(server) === undefined) throw new UsageError(`--server must be an http:// or https:// URL such as http://127.0.0.1:8000, got ${JSON.stringify(server)}`)
  // Known before any request: every line and file from here on is redacted of them.
  rememberSecrets([bench.apiKey ?? process.env.OPENAI_API_KEY, ...Object.values(bench.headers ?? {}).flatMap(headerValueSecrets)])
  // Checked before the server is asked anything: a wrong path, or too few open files, fail at once.
  named(flags.naming, () => checkPromptFiles(bench, process.cwd()))
  const opts = resolveScenario({}, validateConfig({}, { cwd: process.cwd() }), bench, { file: 'command line', scenario: 'llmbench run', naming: flags.naming, modelLater: true })
  rememberSecrets(requestSecrets(opts))
  Object.assign(opts, shardSettings(runSettings(a), opts))
  checkOpenFiles(connectionsFor(opts))
  if (opts.endpoint === 'auto' || !opts.model) {
    // Ask the server what it speaks and serves (as vLLM's client does for the model).
    const auth = opts.endpoint === 'auto' ? {} : authHeaders(getAdapter(opts.endpoint), opts.apiKey)
    const found = await detectServer(opts.server, { ...opts.headers, ...auth })
    if (opts.endpoint === 'auto') {
      opts.endpoint = found.endpoint
      process.stderr.write(redactSecrets(`llmbench: ${terminalLine(opts.server)} answered ${found.via}: using --endpoint ${found.endpoint}\n`))
    }
    if (!opts.model) {
      if (!found.model) throw new UsageError(`${opts.server} does not list its models (${found.via}): pass --model NAME`)
      opts.model = found.model
    }
  }
  return opts
}

/** `--shard i/n` and `--start-at`, checked against the levels they split. */
function shardSettings(s: { shard?: string; startAt?: string }, o: ScenarioOptions): { shard?: Shard; startAt?: number } {
  const out: { shard?: Shard; startAt?: number } = {}
  if (s.shard !== undefined) {
    const [index, count] = s.shard.split('/').map((n) => Number(n.trim()))
    if (count < 1 || index >= count) throw new UsageError(`--shard must be I/N with 0 <= I < N, e.g. 0/4, got "${s.shard}"`)
    if (o.sweep) throw new UsageError('--shard cannot split a sweep: a sweep decides its levels from all of their requests')
    const small = o.rate?.length ? undefined : o.concurrency.find((c) => c < count)
    if (small !== undefined) throw new UsageError(`--shard ${index}/${count}: concurrency ${small} cannot be split over ${count} shards (each needs at least one slot)`)
    if (o.numPrompts < count) throw new UsageError(`--shard ${index}/${count}: --num-prompts ${o.numPrompts} cannot be split over ${count} shards`)
    out.shard = { index, count }
  }
  if (s.startAt !== undefined) {
    const text = s.startAt.trim()
    out.startAt = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
  }
  return out
}

export async function runHandler(a: RunArgs): Promise<number> {
  const simulatorArgs = typeof a.simulatorArgs === 'string' ? a.simulatorArgs : undefined
  if (!a.simulate && simulatorArgs === undefined) return runWith(a)
  const options = simulatorArgs === undefined ? {} : (await import('./simulator-args.js')).simulatorOptionsOf(simulatorArgs)
  // The simulator serves the LoRA adapters a run asks for (vLLM's --lora-modules).
  const lora = typeof a.lora === 'string' ? a.lora.split(',').map((s) => s.trim()).filter(Boolean) : []
  if (lora.length) options.loraModules = [...new Set([...(options.loraModules ?? []), ...lora])]
  // The simulator serves the model the run names, so a command written for a real server runs as is.
  if (typeof a.model === 'string' && a.model.trim()) options.model = a.model.trim()
  const sim = await spawnSimulator(options)
  try {
    return await runWith({ ...a, server: sim.url })
  } finally {
    await sim.close()
  }
}

async function runWith(a: RunArgs): Promise<number> {
  const options = await toScenarioOptions(a)
  // --expect: checked against what the run can measure before it starts (a TTFT objective without streaming).
  const slo = options.recorded?.slo
  if (options.sweep && a.expect !== undefined) {
    throw new UsageError('--expect checks every level, and a sweep probes past its capacity on purpose: its verdict is the capacity it finds (--goodput bounds, --sweep-min); drop --expect or --sweep')
  }
  if (slo) {
    const words = { key: (key: string) => `--expect ${key}`, streamOff: '--no-stream' }
    try {
      validateObjectives(slo, options.sweep ? [] : plannedLevels(options).map((l) => l.load.value), { stream: options.stream, adapters: options.lora ? [...options.lora.adapters, options.model] : [], words })
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
  }
  // Read before the run: a baseline that is not there fails at once, not after the measuring.
  const history = historyDir(process.cwd(), { enabled: a.history as boolean | undefined, dir: a.historyDir as string | undefined })
  const baseline = options.recorded?.baseline ? readResultSet(options.recorded.baseline, history) : undefined
  const compare = compareOptions(checkFlags(compareCommandSchema, fromFlags(a, COMPARE_FLAGS, compareCommandShape)))
  const secrets = knownSecrets()
  const out = process.stdout
  // Every line below may carry server text (the model it listed, error bodies): redacted of the
  // run's secrets and stripped of terminal control sequences before it is shown.
  const say = (text: string) => out.write(redactSecrets(text, secrets))
  const progress = new Progress()
  const startedAt = new Date()
  const lengths = options.prompts?.kind === 'file' ? '' : `${options.inputLen} tokens in / ${options.outputLen} out, `
  say(`llmbench run: ${terminalLine(options.model)} at ${terminalLine(options.server)} (${options.endpoint}, ${options.stream ? 'streaming' : 'not streaming'}), ` +
    `${lengths}${levelLength(options)}\n`)

  const interrupt = onInterrupt()
  const command = ['llmbench', ...redactArgv(process.argv.slice(2))].join(' ')
  const recordsPath = recordsPathOf(a)
  const records = recordsPath ? RecordsWriter.open(recordsPath, { scenario: recordedScenario(options), startedAt, command }, { secrets }) : undefined
  if (records) say(`Records are written to ${records.path} as requests end\n`)
  const planned = options.sweep ? Infinity : plannedLevels(options).length
  const { levels, sweep, telemetry, prompts, serverGone: gone } = await runScenario(options, {
    onPrompts: (p) => say(`${promptsLine(p)}\n`),
    onLevelStart: (l) => progress.start(`${l.plan.label}: warm-up`, l.warmup),
    onWarmupEnd: (l) => progress.start(l.plan.label, l.total, l.durationSec, l.sessions ? 'sessions' : 'requests'),
    onRecord: (r) => progress.record(r),
    onNotice: (line) => process.stderr.write(redactSecrets(`llmbench: ${terminalLine(line)}\n`, secrets)),
    onLevelEnd: (level, start) => {
      progress.end()
      const samples = renderErrorSamples(level.records, secrets)
      say(renderLevel(level.summary) + (samples ? `\n${samples}` : '') + '\n\n')
    },
  }, interrupt.signal, records)
  interrupt.dispose()
  const interrupted = interrupt.signal.aborted
  if (interrupted) {
    progress.end()
    say('Interrupted: the figures below cover what was measured before Ctrl-C.\n')
  }
  if (levels.length) say(renderSummary(levels.map((l) => l.summary)) + '\n')
  if (sweep) say(renderSweep(sweep) + '\n')

  let path: string | undefined
  const result = buildRunResult({
    scenario: recordedScenario(options),
    levels,
    sweep,
    telemetry,
    prompts,
    startedAt,
    finishedAt: new Date(),
    interrupted,
    command,
  })
  const checks = slo && levels.length && !interrupted ? evaluateObjectives(slo, levels, undefined, { confidence: options.recorded?.confidence }) : []
  if (checks.length) {
    result.checks = checks
    say(`\n${renderChecks(checks, { color: out.isTTY === true })}\n`)
  }
  if (levels.length) say(`\n${headlineText(runHeadline(result)).map((l) => terminalLine(l)).join('\n')}\n`)
  if (records) {
    records.end({ finishedAt: result.finishedAt, interrupted, telemetry, sweep })
    result.recordsFile = records.path
  }
  if (baseline && levels.length && !interrupted) {
    result.comparison = { baseline: baseline.label, ...compareResults(baseline.results.map((r) => r.doc), result, compare) }
    say('\n' + renderVerdicts(result.comparison, { color: out.isTTY === true, base: baseline.label, next: 'this run' }) + '\n\n')
  }
  // Error excerpts come from server bodies, which may echo the request's credentials.
  const redacted = redactDeep(result, (text) => redactSecrets(text, secrets))
  if (a.output) {
    path = writeJsonFile(String(a.output), redacted)
    say(`Result written to ${path}\n`)
  }
  for (const line of keepRunOutputs(redacted, a)) say(`${line}\n`)
  if (interrupted) return EXIT.INTERRUPTED
  if (gone) {
    const skipped = levels.length < planned ? '; the remaining levels were not run' : ''
    const kept = path ? `; the figures measured so far are in ${path}` : ''
    process.stderr.write(redactSecrets(
      `llmbench: ${serverGoneText(terminalLine(options.server), gone)}${skipped}${kept}\n`,
      secrets,
    ))
    return EXIT.RUNTIME
  }
  const failed = (result.comparison?.counts.regressed ?? 0) > 0 || (result.checks ?? []).some((c) => !c.passed)
  return failed ? EXIT.OBJECTIVE_FAILED : EXIT.OK
}

/** The records file: --records, else beside --output; none without either. */
function recordsPathOf(a: RunArgs): string | undefined {
  if (typeof a.records === 'string' && a.records) return a.records
  if (a.output === undefined || a.records === false) return undefined
  return String(a.output).replace(/\.json$/i, '') + '.records.jsonl'
}

/** Where the prompts come from, and what fitting them to the server's tokenizer found. */
function promptsLine(p: PromptsSummary): string {
  const c = p.calibration
  if (!c) return `Prompts: ${terminalLine(p.source)}`
  const offset = c.meanOffsetBefore === 0 ? 'the same count as ours' : `${c.meanOffsetBefore > 0 ? '+' : ''}${c.meanOffsetBefore.toFixed(1)} tokens against ours${c.mode === 'chat' ? ' (its chat template)' : ''}`
  return `Prompts: ${terminalLine(p.source)}; fitted to the server's /tokenize: ${offset}, ${c.exactAfter}/${c.samples} samples exact after fitting`
}


/**
 * The first Ctrl-C (or SIGTERM) stops the run and keeps what was measured; a second one
 * quits at once.
 */
function onInterrupt() {
  const controller = new AbortController()
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED)
    process.stderr.write('\nStopping: in-flight requests end as aborted; the result so far is kept (Ctrl-C again to quit now).\n')
    controller.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
