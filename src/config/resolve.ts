/**
 * One scenario's options from four layers, highest first: the command line's overrides, the
 * bench's own options, the config (a named server's fields, then `defaults`), and the built-in
 * defaults of `llmbench run`. Each layer is checked with messages naming where it was written.
 */
import { checkSloApplicable, SLO_KEYS } from '../metrics/goodput.js'
import type { ScenarioOptions, TelemetrySettings } from '../runner/scenario.js'
import { parseDuration } from '../load/duration.js'
import { promptSpecFromOptions } from '../data/spec-check.js'
import type { PromptSpec } from '../data/prompt.js'
import type { BenchOptions } from '../dsl/types.js'
import type { SloSet } from '../results/types.js'
import { UsageError } from '../errors.js'
import { LoadInputError, toLoadOptions, type LoadInput } from '../load/options.js'
import { fromEnv, httpUrl, keyPath } from './fields.js'
import { checkScenarioOptions, isGoodputBounds } from './options.js'
import { displayPath, unknownServer, type ResolvedConfig } from './validate.js'

/** The defaults of `llmbench run`, under the names bench files use. */
export const SCENARIO_DEFAULTS = {
  server: 'http://127.0.0.1:8000',
  endpoint: 'chat',
  concurrency: [1],
  requests: 100,
  input: { tokens: 256 },
  output: { tokens: 128 },
  stream: true,
  ignoreEos: true,
  includeUsage: true,
  continuousUsage: false,
  timeout: 300_000,
  seed: 0,
} as const satisfies BenchOptions

interface Layer {
  options: BenchOptions
  /** Where it was written (`llmbench.config.ts`), and the key path above its options (`defaults`). */
  where: string
  prefix: string
}

export function resolveScenario(
  bench: BenchOptions,
  config: ResolvedConfig,
  overrides: BenchOptions,
  where: { file: string; scenario: string },
): ScenarioOptions {
  const scenario = `${where.file}, scenario ${JSON.stringify(where.scenario)}`
  const configName = config.configFile ? displayPath(config.configFile) : 'the config'
  const top: Layer[] = [
    { options: checkScenarioOptions(overrides, 'command line', '', true), where: 'command line', prefix: '' },
    { options: checkScenarioOptions(bench, scenario, '', true), where: scenario, prefix: '' },
  ]
  const defaults: Layer = { options: checkScenarioOptions(config.defaults, configName, 'defaults', false), where: configName, prefix: 'defaults' }
  const builtIn: Layer = { options: SCENARIO_DEFAULTS as BenchOptions, where: 'llmbench', prefix: '' }

  // The server first: a configured name brings its own layer of defaults.
  const named = pick([...top, defaults, builtIn], 'server')!
  const name = named.value as string
  const entry = Object.hasOwn(config.servers, name) ? config.servers[name] : undefined
  const url = entry ? entry.url : httpUrl(name)
  if (url === undefined) throw unknownServer(named.layer.where, keyPath(named.layer.prefix, 'server'), name, config.servers, configName)
  const serverLayer: Layer[] = entry
    ? [{ options: { model: entry.model, apiKey: entry.apiKey, headers: entry.headers, endpoint: entry.endpoint }, where: configName, prefix: keyPath('servers', name) }]
    : []
  const layers = [...top, ...serverLayer, defaults, builtIn]
  const value = <K extends keyof BenchOptions>(key: K) => pick(layers, key)?.value as BenchOptions[K]

  const model = value('model')
  if (model === undefined) {
    throw new UsageError(
      `${scenario}: no model to ask for: set model in the bench options, defaults.model or servers.<name>.model in ${config.configFile ? configName : 'llmbench.config.ts'}, or pass --model`,
    )
  }
  const key = pick(layers, 'apiKey')
  const apiKey = key ? fromEnv(key.value as string, key.layer.where, keyPath(key.layer.prefix, 'apiKey')) : process.env.OPENAI_API_KEY
  const stream = value('stream')!
  const concurrency = value('concurrency')!
  const goodput = goodputBounds(overrides, bench, stream, scenario)
  const load = loadShape(layers, goodput !== undefined, scenario)
  return {
    server: url,
    model,
    endpoint: value('endpoint')!,
    stream,
    concurrency: Array.isArray(concurrency) ? [...concurrency] : [concurrency],
    numPrompts: value('requests')!,
    ...load,
    ...promptSource(promptSpecFromOptions(
      { input: value('input')!, output: value('output')!, dataset: value('dataset'), tokenizer: value('tokenizer') },
      config.root,
      scenario,
    )),
    ...(value('calibrate') === false ? { calibrate: false } : {}),
    ...threadsOf(value('threads'), load, concurrency, scenario),
    ...(value('recordsLimit') !== undefined ? { recordsLimit: value('recordsLimit') } : {}),
    ...telemetrySettings(pick(layers, 'telemetry')?.value as BenchOptions['telemetry']),
    inputLen: value('input')!.tokens,
    outputLen: value('output')!.tokens,
    ignoreEos: value('ignoreEos')!,
    includeUsage: value('includeUsage')!,
    continuousUsage: value('continuousUsage')!,
    timeoutMs: value('timeout')!,
    ...(apiKey ? { apiKey } : {}),
    headers: mergeHeaders(layers),
    body: Object.assign({}, ...[...layers].reverse().map((l) => l.options.body ?? {})),
    ...(goodput ? { goodput, ...goodputMin(overrides, bench) } : {}),
    seed: value('seed')!,
  }
}

const LOAD_KEYS = ['rate', 'arrival', 'burstiness', 'maxConcurrency', 'duration', 'warmup', 'cooldown', 'ramp', 'sweep'] as const

/** The load-shape keys, each from the highest layer that sets it, as the runner's options. */
function loadShape(layers: Layer[], goodput: boolean, scenario: string) {
  const input: LoadInput = {}
  for (const key of LOAD_KEYS) {
    const found = pick(layers, key)
    if (found) (input as Record<string, unknown>)[key] = found.value
  }
  try {
    return toLoadOptions(input, goodput)
  } catch (err) {
    if (err instanceof LoadInputError) throw new UsageError(`${scenario}: ${err.path} ${err.message}`)
    throw err
  }
}

/** The prompt spec, when it says more than inputLen and outputLen already do. */
function promptSource(spec: PromptSpec): { prompts?: PromptSpec } {
  const plain = spec.kind === 'synthetic' && !spec.tokenizer && !spec.prefix && !spec.groups && !spec.input.spread && !spec.output.spread && spec.shuffle === undefined
  return plain ? {} : { prompts: spec }
}

/** Threads as given, when every level has a slot for each (as `--threads` checks). */
function threadsOf(threads: BenchOptions['threads'], load: { rate?: number[]; sweep?: unknown }, concurrency: number | number[], scenario: string): { threads?: number | 'auto' } {
  if (threads === undefined) return {}
  if (threads === 'auto' || threads === 1) return { threads }
  if (load.sweep) throw new UsageError(`${scenario}: threads cannot split a sweep: leave threads out (or 'auto')`)
  const small = load.rate?.length ? undefined : [concurrency].flat().find((c) => c < threads)
  if (small !== undefined) throw new UsageError(`${scenario}: threads ${threads}: concurrency ${small} cannot be split over ${threads} threads (each needs at least one slot)`)
  return { threads }
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

/** `slo.goodput.min`, kept with the scenario so reports draw the target and judge each level by it. */
function goodputMin(overrides: BenchOptions, bench: BenchOptions): { goodputMin?: number } {
  const source = isGoodputBounds(overrides.slo?.goodput) ? overrides.slo.goodput : bench.slo?.goodput
  return isGoodputBounds(source) && typeof source.min === 'number' ? { goodputMin: source.min } : {}
}

/** The bounds of `slo.goodput` (without min and level), so each level's summary carries goodput. */
function goodputBounds(overrides: BenchOptions, bench: BenchOptions, stream: boolean, scenario: string): SloSet | undefined {
  const [source, where] = isGoodputBounds(overrides.slo?.goodput) ? [overrides.slo.goodput, 'command line'] : [bench.slo?.goodput, scenario]
  if (!isGoodputBounds(source)) return undefined
  const bounds: SloSet = {}
  for (const k of SLO_KEYS) if (source[k] !== undefined) bounds[k] = source[k]
  try {
    checkSloApplicable(bounds, stream)
  } catch (err) {
    throw new UsageError(`${where}: slo.goodput: ${(err as Error).message}`)
  }
  return bounds
}
