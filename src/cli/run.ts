/** `llmbench run`: one scenario from flags alone, levels one after another, tables and a JSON file. */
import type { Argv } from 'yargs'
import { ENDPOINTS } from '../client/registry.js'
import { parseSlo, checkSloApplicable } from '../metrics/index.js'
import { connectionsFor, runScenario, type ScenarioOptions } from '../runner/scenario.js'
import { levelLength, levelValues } from '../runner/levels.js'
import { serverGoneText } from '../runner/server-gone.js'
import { buildRunResult, publicOptions } from '../results/result.js'
import { RecordsWriter } from '../results/records-file.js'
import { headerValueSecrets, knownSecrets, redactArgv, redactDeep, redactSecrets, rememberSecrets } from '../results/redact.js'
import { renderErrorSamples, renderLevel, renderSummary, renderSweep } from '../../reporters/console.js'
import type { PromptsSummary } from '../results/types.js'
import { terminalLine } from '../text/sanitize.js'
import { writeJsonResult } from '../../reporters/json.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { Progress } from './progress.js'
import { headerList, intList, jsonObject, nonNegativeInt, positiveInt, positiveNumber, serverUrl } from './parse.js'
import { detectServer } from '../client/detect.js'
import { authHeaders } from '../client/adapter.js'
import { getAdapter } from '../client/registry.js'
import { spawnSimulator } from '../simulator/spawn.js'
import { loadFlags, loadFromFlags, shardFlags, shardFromFlags, telemetryFlags, telemetryFromFlags } from './load-flags.js'
import { datasetOptions, toPromptSpec } from './dataset-flags.js'
import { keepRunOutputs, reportOptions } from '../report/run-outputs.js'
import { headlineText, runHeadline } from '../report/headline.js'
import { checkOpenFiles } from '../runner/fd-limit.js'

export function runCommand(y: Argv) {
  return shardFlags(datasetOptions(telemetryFlags(loadFlags(reportOptions(y)))))
    .option('records', { type: 'string', describe: 'Append every request\'s record to this JSONL file as it ends (default with --output: <output>.records.jsonl); rebuild with llmbench report --from' })
    .option('records-limit', { type: 'number', describe: 'Records each level keeps in the result (a seeded sample beyond; the records file has all). Default: 100,000, shared down to 10,000 when a run has many levels' })
    .option('calibrate', { type: 'boolean', default: true, describe: "Fit synthetic prompts to the server's /tokenize when it has one (--no-calibrate to skip)" })
    .option('server', { type: 'string', default: 'http://127.0.0.1:8000', describe: 'Base URL of the server (a trailing /v1 is fine)' })
    .option('simulate', { type: 'boolean', default: false, describe: 'Start the built-in simulator on a free port and run against it (ignores --server)' })
    .option('model', { type: 'string', describe: 'Model name; default: the first model the server lists at /v1/models' })
    .option('endpoint', { type: 'string', default: 'chat', choices: ENDPOINTS, describe: 'API to call (auto: ask the server)' })
    .option('concurrency', { type: 'string', default: '1', describe: 'Concurrency levels, e.g. 1,10,50 (each a level, run in turn)' })
    .option('num-prompts', { type: 'number', default: 100, describe: 'Measured requests per level' })
    .option('input-len', { type: 'number', default: 256, describe: 'Prompt length in tokens (synthetic prompts)' })
    .option('output-len', { type: 'number', default: 128, describe: 'Output tokens to ask for (max_tokens)' })
    .option('stream', { type: 'boolean', default: true, describe: 'Stream responses (--no-stream for one body per request)' })
    .option('goodput', { type: 'string', array: true, describe: 'SLO bounds in ms, e.g. ttft:500,tpot:50 (keys: ttft, ttfc, tpot, itl, e2e)' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the result JSON to this file' })
    .option('api-key', { type: 'string', describe: 'API key sent as a Bearer token (default: $OPENAI_API_KEY); never recorded' })
    .option('header', { alias: 'H', type: 'string', array: true, describe: 'Extra header "Name: value" (repeatable); values never recorded' })
    .option('body', { type: 'string', describe: 'Extra JSON fields merged into every request body, e.g. \'{"temperature":0}\'' })
    .option('ignore-eos', { type: 'boolean', default: true, describe: 'Send ignore_eos so outputs have exactly --output-len tokens (--no-ignore-eos for Ollama/OpenAI)' })
    .option('include-usage', { type: 'boolean', default: true, describe: 'Ask for a usage chunk (stream_options.include_usage); --no-include-usage for servers that reject it' })
    .option('continuous-usage', { type: 'boolean', default: false, describe: 'Ask for usage on every chunk (vLLM, SGLang): exact per-token ITL with multi-token chunks' })
    .option('timeout', { type: 'number', default: 300, describe: 'Per-request timeout in seconds' })
    .option('seed', { type: 'number', default: 0, describe: 'Seed for the synthetic prompts' })
}

type RunArgs = Record<string, unknown>

export async function toScenarioOptions(a: RunArgs): Promise<ScenarioOptions> {
  const server = serverUrl('--server', a.server)
  const goodputText = Array.isArray(a.goodput) ? a.goodput.join(' ') : (a.goodput as string | undefined)
  let goodput
  if (goodputText !== undefined) {
    try {
      goodput = parseSlo(goodputText)
    } catch (err) {
      throw new UsageError(`--goodput: ${(err as Error).message}`)
    }
  }
  const stream = a.stream !== false
  if (goodput) {
    try {
      checkSloApplicable(goodput, stream)
    } catch (err) {
      throw new UsageError(`--goodput: ${(err as Error).message}`)
    }
  }
  const apiKey = (a.apiKey as string | undefined) ?? process.env.OPENAI_API_KEY
  const headers = headerList(a.header)
  // Known before any request: every line and file from here on is redacted of them.
  rememberSecrets([apiKey, ...Object.values(headers).flatMap(headerValueSecrets)])
  const opts: ScenarioOptions = {
    server,
    model: '',
    endpoint: String(a.endpoint),
    stream,
    concurrency: intList('--concurrency', a.concurrency),
    numPrompts: positiveInt('--num-prompts', a.numPrompts),
    ...loadFromFlags(a, goodput !== undefined),
    telemetry: telemetryFromFlags(a),
    calibrate: a.calibrate !== false,
    inputLen: positiveInt('--input-len', a.inputLen),
    outputLen: positiveInt('--output-len', a.outputLen),
    ignoreEos: a.ignoreEos !== false,
    includeUsage: a.includeUsage !== false,
    continuousUsage: a.continuousUsage === true,
    timeoutMs: positiveNumber('--timeout', a.timeout) * 1000,
    apiKey: apiKey || undefined,
    headers,
    body: jsonObject('--body', a.body),
    goodput,
    seed: nonNegativeInt('--seed', a.seed),
    ...(a.recordsLimit !== undefined ? { recordsLimit: nonNegativeInt('--records-limit', a.recordsLimit) } : {}),
  }
  Object.assign(opts, shardFromFlags(a, opts))
  // Checked before the server is asked anything: too few open files, or a wrong path, fail at once.
  checkOpenFiles(connectionsFor(opts))
  opts.prompts = toPromptSpec(a, opts.inputLen, opts.outputLen)
  if (opts.endpoint === 'auto' || !a.model) {
    // Ask the server what it speaks and serves (as vLLM's client does for the model).
    const auth = opts.endpoint === 'auto' ? {} : authHeaders(getAdapter(opts.endpoint), opts.apiKey)
    const found = await detectServer(server, { ...headers, ...auth })
    if (opts.endpoint === 'auto') {
      opts.endpoint = found.endpoint
      process.stderr.write(`llmbench: ${terminalLine(server)} answered ${found.via}: using --endpoint ${found.endpoint}\n`)
    }
    if (!a.model) {
      if (!found.model) throw new UsageError(`${server} does not list its models (${found.via}): pass --model NAME`)
      opts.model = found.model
    }
  }
  if (a.model) opts.model = String(a.model)
  return opts
}

export async function runHandler(a: RunArgs): Promise<number> {
  if (!a.simulate) return runWith(a)
  const sim = await spawnSimulator()
  try {
    return await runWith({ ...a, server: sim.url })
  } finally {
    await sim.close()
  }
}

async function runWith(a: RunArgs): Promise<number> {
  const options = await toScenarioOptions(a)
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
  const records = recordsPath ? RecordsWriter.open(recordsPath, { scenario: publicOptions(options), startedAt, command }, { secrets }) : undefined
  if (records) say(`Records are written to ${records.path} as requests end\n`)
  const planned = options.sweep ? Infinity : levelValues(options).length
  const { levels, sweep, telemetry, prompts, serverGone: gone } = await runScenario(options, {
    onPrompts: (p) => say(`${promptsLine(p)}\n`),
    onLevelStart: (l) => progress.start(`${l.plan.label}: warm-up`, l.warmup),
    onWarmupEnd: (l) => progress.start(l.plan.label, l.total, l.durationSec),
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
    options,
    levels,
    sweep,
    telemetry,
    prompts,
    startedAt,
    finishedAt: new Date(),
    interrupted,
    command,
  })
  if (levels.length) say(`\n${headlineText(runHeadline(result)).map((l) => terminalLine(l)).join('\n')}\n`)
  if (records) {
    records.end({ finishedAt: result.finishedAt, interrupted, telemetry, sweep })
    result.recordsFile = records.path
  }
  // Error excerpts come from server bodies, which may echo the request's credentials.
  const redacted = redactDeep(result, (text) => redactSecrets(text, secrets))
  if (a.output) {
    path = writeJsonResult(String(a.output), redacted)
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
  return EXIT.OK
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
