/**
 * One scenario's options from four layers, highest first: the command line's overrides, the
 * bench's own options, the config (a named server's fields, then `defaults`), and the built-in
 * defaults (options/scenario.ts). Each layer is checked with messages naming where it was written;
 * the merged options become the runner's ScenarioOptions.
 */
import { checkSloApplicable } from '../metrics/goodput.js'
import type { ScenarioOptions, TelemetrySettings } from '../runner/types.js'
import { parseDuration } from '../options/duration.js'
import { promptSpecFromOptions } from '../data/spec-check.js'
import type { PromptSpec } from '../data/prompt.js'
import { benchSchema, scenarioShape, type BenchOptions } from '../options/scenario.js'
import { goodputBounds, isGoodputBounds, type SloSet } from '../options/slo.js'
import { UsageError } from '../errors.js'
import { stoppingObjectives } from '../dsl/objectives.js'
import { levelValues } from '../load/levels.js'
import { toLoadOptions, type LoadInput } from '../load/options.js'
import { check, keyNaming, keyPath, named, OptionError, optionMessage, type Naming } from '../options/check.js'
import { declaredDefaults } from '../options/defaults.js'
import { recordedScenarioShape, REDACTED, type RecordedScenario } from '../options/recorded.js'
import { httpUrl } from '../options/values.js'
import { toSessionSettings } from '../load/session-options.js'
import { displayPath, unknownServer, type ResolvedConfig } from './validate.js'
import { resolveKinds } from './kinds.js'

/** The built-in defaults, under the names bench files use. */
export const SCENARIO_DEFAULTS = declaredDefaults(scenarioShape) as BenchOptions

interface Layer {
  options: BenchOptions
  /** Where it was written (`llmbench.config.ts`), and the key path above its options (`defaults`). */
  where: string
  prefix: string
}

/**
 * `overrides` come from the command line: already checked by the caller when `naming` is given
 * (it names flags), else checked here as the `command line`. With `modelLater` a missing model is
 * left empty for the caller to ask the server.
 */
export function resolveScenario(
  bench: BenchOptions,
  config: ResolvedConfig,
  overrides: BenchOptions,
  where: { file: string; scenario: string; naming?: Naming; modelLater?: boolean },
): ScenarioOptions {
  const scenario = `${where.file}, scenario ${JSON.stringify(where.scenario)}`
  const configName = config.configFile ? displayPath(config.configFile) : 'the config'
  const merged = where.naming ?? keyNaming(scenario)
  const top: Layer[] = [
    { options: where.naming ? overrides : check(benchSchema, overrides, keyNaming('command line')), where: 'command line', prefix: '' },
    { options: check(benchSchema, bench, keyNaming(scenario)), where: scenario, prefix: '' },
  ]
  const defaults: Layer = { options: config.defaults, where: configName, prefix: 'defaults' }
  const builtIn: Layer = { options: SCENARIO_DEFAULTS, where: 'llmbench', prefix: '' }

  // The server first: a configured name brings its own layer of defaults.
  const chosen = pick([...top, defaults, builtIn], 'server')!
  const name = chosen.value as string
  const entry = Object.hasOwn(config.servers, name) ? config.servers[name] : undefined
  const url = entry ? entry.url : httpUrl(name)
  if (url === undefined) throw unknownServer(chosen.layer.where, keyPath(chosen.layer.prefix, 'server'), name, config.servers, configName)
  const serverLayer: Layer[] = entry
    ? [{ options: { model: entry.model, apiKey: entry.apiKey, headers: entry.headers, endpoint: entry.endpoint }, where: configName, prefix: keyPath('servers', name) }]
    : []
  const layers = [...top, ...serverLayer, defaults, builtIn]
  const value = <K extends keyof BenchOptions>(key: K) => pick(layers, key)?.value as BenchOptions[K]

  const model = value('model') ?? (where.modelLater ? '' : undefined)
  if (model === undefined) {
    throw new UsageError(
      `${scenario}: no model to ask for: set model in the bench options, defaults.model or servers.<name>.model in ${config.configFile ? configName : 'llmbench.config.ts'}, or pass --model`,
    )
  }
  const key = pick(layers, 'apiKey')
  const apiKey = key ? fromEnv(key.value as string, key.layer.where, keyPath(key.layer.prefix, 'apiKey')) : process.env.OPENAI_API_KEY
  const stream = value('stream')!
  const concurrency = value('concurrency')!
  const goodput = goodputOf(overrides, bench, stream, where.naming ?? keyNaming('command line'), keyNaming(scenario))
  const load = named(merged, () => loadShape(layers, goodput !== undefined))
  const headers = mergeHeaders(layers)
  const body = Object.assign({}, ...[...layers].reverse().map((l) => l.options.body ?? {}))
  const slo = overrides.slo || bench.slo ? { ...bench.slo, ...overrides.slo } : undefined
  const prompts = promptSource(named(merged, () => promptSpecFromOptions(
    { input: value('input')!, output: value('output')!, dataset: value('dataset'), tokenizer: value('tokenizer') },
    config.root,
  )))
  const workload = named(merged, () => sessionOptions(value('sessions'), value('agent'), prompts.prompts))
  const recorded: RecordedScenario = {
    server: url,
    model,
    ...Object.fromEntries(RECORDED_KEYS.map((k) => [k, value(k)]).filter(([, v]) => v !== undefined)),
    concurrency: [concurrency].flat(),
    // Names only: a header's value may be a secret.
    headers: Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED])),
    body,
    ...(slo ? { slo } : {}),
  }
  // A validity function of a bench file is code: the result records that there was one, not the function.
  if (typeof recorded.structured?.check === 'function') recorded.structured = { ...recorded.structured, check: undefined }
  // A bench file's tool function is no JSON: the result says there was one.
  if (typeof recorded.agent?.toolResult === 'function') recorded.agent = { ...recorded.agent, toolResult: '(function)' as never }
  return {
    recorded,
    server: url,
    model,
    endpoint: value('endpoint')!,
    stream,
    concurrency: Array.isArray(concurrency) ? [...concurrency] : [concurrency],
    numPrompts: value('requests')!,
    ...(value('repeat')! > 1 ? { repeat: value('repeat') } : {}),
    ...load,
    ...prompts,
    ...(value('calibrate') === false ? { calibrate: false } : {}),
    ...named(merged, () => threadsOf(value('threads'), load, concurrency, workload.agent !== undefined && 'fn' in workload.agent.result)),
    ...workload,
    ...(value('resetPrefixCache') ? { resetPrefixCache: true } : {}),
    ...(value('recordsLimit') !== undefined ? { recordsLimit: value('recordsLimit') } : {}),
    ...telemetrySettings(pick(layers, 'telemetry')?.value as BenchOptions['telemetry']),
    inputLen: value('input')!.tokens,
    outputLen: value('output')!.tokens,
    ignoreEos: value('ignoreEos')!,
    includeUsage: value('includeUsage')!,
    continuousUsage: value('continuousUsage')!,
    timeoutMs: value('timeout')!,
    ...(apiKey ? { apiKey } : {}),
    headers,
    body,
    ...(goodput ? { goodput } : {}),
    ...(value('stopEarly') ? { stopEarly: { ...watched(slo, levelValues({ concurrency: [concurrency].flat(), ...load, numPrompts: value('requests')! })), minRequests: value('minRequests')! } } : {}),
    seed: value('seed')!,
    // Request kinds (docs/request-kinds.md).
    ...named(merged, () => resolveKinds(
      { images: value('images'), audio: value('audio'), lora: value('lora'), structured: value('structured'), cost: value('cost') },
      { root: config.root, endpoint: value('endpoint')!, dataset: value('dataset') !== undefined, goodput },
    )),
  }
}

/** The objectives an early stop watches; objectives that do not parse are reported before the run (validateObjectives). */
function watched(slo: BenchOptions['slo'], levels: number[]) {
  try {
    return stoppingObjectives(slo, levels)
  } catch {
    return { objectives: [], untracked: 0 }
  }
}

/** Recorded as the layers give them; the others are recorded as resolved (server, model, headers, body, slo). */
const RECORDED_KEYS = (Object.keys(recordedScenarioShape) as Array<keyof RecordedScenario & keyof BenchOptions>).filter(
  (k) => !['server', 'model', 'headers', 'body', 'slo', 'concurrency'].includes(k),
)

const LOAD_KEYS = ['rate', 'arrival', 'burstiness', 'maxConcurrency', 'duration', 'warmup', 'cooldown', 'ramp', 'sweep'] as const

/** The load-shape keys, each from the highest layer that sets it, as the runner's options. */
function loadShape(layers: Layer[], goodput: boolean) {
  const input: LoadInput = {}
  for (const key of LOAD_KEYS) {
    const found = pick(layers, key)
    if (found) (input as Record<string, unknown>)[key] = found.value
  }
  return toLoadOptions(input, goodput)
}

/** The prompt spec, when it says more than inputLen and outputLen already do. */
function promptSource(spec: PromptSpec): { prompts?: PromptSpec } {
  const plain = spec.kind === 'synthetic' && !spec.tokenizer && !spec.prefix && !spec.groups && !spec.input.spread && !spec.output.spread && spec.shuffle === undefined
  return plain ? {} : { prompts: spec }
}

/** Threads as given, when every level has a slot for each. A bench file's tool function lives in its own thread: one thread then. */
function threadsOf(threads: BenchOptions['threads'], load: { rate?: number[]; sweep?: unknown }, concurrency: number | number[], toolFunction = false): { threads?: number | 'auto' } {
  if (toolFunction) {
    if (threads !== undefined && threads !== 'auto' && threads > 1) throw new OptionError(['threads'], `${threads}: a function as agent.toolResult runs in the bench file's thread, so the load cannot be split: leave threads out`)
    return { threads: 1 }
  }
  if (threads === undefined) return {}
  if (threads === 'auto' || threads === 1) return { threads }
  if (load.sweep) throw new OptionError(['threads'], "cannot split a sweep: leave it out (or 'auto')")
  const small = load.rate?.length ? undefined : [concurrency].flat().find((c) => c < threads)
  if (small !== undefined) throw new OptionError(['threads'], `${threads}: concurrency ${small} cannot be split over ${threads} threads (each needs at least one slot)`)
  return { threads }
}

/** Sessions and tool loops as the runner takes them; prompts replayed at their own times (a trace) cannot make sessions. */
function sessionOptions(s: BenchOptions['sessions'], a: BenchOptions['agent'], prompts: PromptSpec | undefined): ReturnType<typeof toSessionSettings> {
  if (!s && !a) return {}
  const key = s ? 'sessions' : 'agent'
  if (prompts?.kind === 'file' && prompts.format === 'trace') throw new OptionError([key], 'cannot be combined with a trace: a trace replays single requests at their own times')
  if (prompts?.kind === 'file' && prompts.multiTurn) throw new OptionError([key], "cannot be combined with dataset.multiTurn, which replays the dataset's own replies: leave multiTurn out (sessions take each conversation's user turns and the server's replies)")
  const conversations = prompts?.kind === 'file' && (prompts.format === 'sharegpt' || prompts.format === 'jsonl')
  return toSessionSettings(s, a, conversations)
}

function telemetrySettings(t: BenchOptions['telemetry']): { telemetry?: TelemetrySettings } {
  if (!t) return {}
  const gpu = t.dcgmUrl !== undefined ? { dcgmUrl: t.dcgmUrl } : t.gpu
  return { telemetry: {
    ...(t.enabled !== undefined ? { enabled: t.enabled } : {}),
    ...(t.interval !== undefined ? { intervalMs: parseDuration(t.interval) } : {}),
    ...(gpu !== undefined ? { gpu } : {}),
  } }
}

function pick(layers: Layer[], key: keyof BenchOptions): { value: unknown; layer: Layer } | undefined {
  for (const layer of layers) if (layer.options[key] !== undefined) return { value: layer.options[key], layer }
  return undefined
}

const ENV_PREFIX = 'env:'

/** `env:NAME` to the value of that variable; anything else as it is. Unset or empty is an error. */
function fromEnv(value: string, where: string, path: string): string {
  if (!value.startsWith(ENV_PREFIX)) return value
  const name = value.slice(ENV_PREFIX.length)
  const found = process.env[name]
  if (found === undefined || found === '') {
    throw new UsageError(`${where}: ${path} is "env:${name}" but the environment variable ${name} is not set: set it or change ${path}`)
  }
  return found
}

/** Headers of every layer, names lowercased, a higher layer's value winning; `env:NAME` read last. */
function mergeHeaders(layers: Layer[]): Record<string, string> {
  const winners = new Map<string, { value: string; name: string; layer: Layer }>()
  for (const layer of [...layers].reverse()) {
    for (const [name, value] of Object.entries(layer.options.headers ?? {})) winners.set(name.toLowerCase(), { value, name, layer })
  }
  const headers: Record<string, string> = {}
  for (const [lower, { value, name, layer }] of winners) {
    const path = keyPath(keyPath(layer.prefix, 'headers'), name)
    const text = fromEnv(value, layer.where, path)
    if (/[\r\n]/.test(text)) throw new UsageError(`${layer.where}: ${path} cannot contain a line break`)
    headers[lower] = text
  }
  return headers
}

/** The bounds of `slo.goodput` (without min and level), so each level's summary carries goodput. */
function goodputOf(overrides: BenchOptions, bench: BenchOptions, stream: boolean, cli: Naming, scenario: Naming): SloSet | undefined {
  const fromCli = isGoodputBounds(overrides.slo?.goodput)
  const bounds = fromCli ? goodputBounds(overrides.slo) : goodputBounds(bench.slo)
  if (!bounds) return undefined
  try {
    checkSloApplicable(bounds, stream)
  } catch (err) {
    throw new UsageError(optionMessage(new OptionError(['slo', 'goodput'], (err as Error).message, true), fromCli ? cli : scenario))
  }
  return bounds
}
