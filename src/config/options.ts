/**
 * Checks of scenario options wherever they are written: the config's `defaults`, a bench file's
 * options, the command line's overrides. Each message names where, the key and what is expected.
 */
import { ENDPOINTS } from '../client/registry.js'
import { SLO_KEYS } from '../metrics/goodput.js'
import type { BenchOptions, GoodputObjective } from '../dsl/types.js'
import type { ScenarioDefaults } from './define.js'
import {
  bool, checkKeys, fail, headersField, httpUrl, isObject, keyPath, nonEmptyString, oneOf, positiveNumber, secretField,
  wholeNumber, type Obj,
} from './fields.js'
import { UsageError } from '../errors.js'
import { checkPromptOptions } from '../data/spec-check.js'
import { LoadInputError, toLoadOptions, type LoadInput } from '../load/options.js'
import { parseDuration } from '../load/duration.js'
import { MIN_INTERVAL_MS } from '../telemetry/sampler.js'

const SCENARIO_KEY_SET = {
  server: true, model: true, endpoint: true, apiKey: true, headers: true, body: true, concurrency: true,
  requests: true, warmup: true, input: true, output: true, stream: true, timeout: true, ignoreEos: true,
  includeUsage: true, continuousUsage: true, seed: true, rate: true, arrival: true, burstiness: true, maxConcurrency: true,
  duration: true, cooldown: true, ramp: true, sweep: true, telemetry: true, dataset: true, tokenizer: true, calibrate: true, threads: true, recordsLimit: true,
} satisfies Record<keyof ScenarioDefaults, true>

/** Every scenario option but `slo`, in the order they are documented. */
export const SCENARIO_KEYS = Object.keys(SCENARIO_KEY_SET) as Array<keyof ScenarioDefaults>
const BENCH_KEYS: readonly string[] = [...SCENARIO_KEYS, 'slo']
const GOODPUT_KEYS: readonly string[] = [...SLO_KEYS, 'min', 'level']

/**
 * Checks scenario options and returns them typed. `where` names the file (and scenario), `prefix`
 * the key path above them (`defaults`), `slo` whether objectives are allowed here.
 */
export function checkScenarioOptions(value: unknown, where: string, prefix: string, slo: boolean): BenchOptions {
  if (!isObject(value)) fail(where, prefix || 'the options', 'an object', value)
  if (!slo && value.slo !== undefined) {
    throw new UsageError(`${where}: ${keyPath(prefix, 'slo')} is not allowed here: objectives belong to each bench's options`)
  }
  checkKeys(value, slo ? BENCH_KEYS : SCENARIO_KEYS, where, prefix)
  const at = (key: string) => keyPath(prefix, key)
  const has = (key: string) => value[key] !== undefined
  if (has('server')) nonEmptyString(where, at('server'), value.server)
  if (has('model')) nonEmptyString(where, at('model'), value.model)
  if (has('endpoint')) oneOf(where, at('endpoint'), value.endpoint, ENDPOINTS)
  if (has('apiKey')) secretField(where, at('apiKey'), value.apiKey)
  if (has('headers')) headersField(where, at('headers'), value.headers)
  if (has('body') && !isObject(value.body)) fail(where, at('body'), 'an object of fields to add to every request body', value.body)
  if (has('concurrency')) concurrency(where, at('concurrency'), value.concurrency)
  if (has('requests')) wholeNumber(where, at('requests'), value.requests, 1)
  loadShape(value, where, prefix)
  if (has('telemetry')) telemetry(where, at('telemetry'), value.telemetry)
  checkPromptOptions(value, where, prefix)
  if (has('calibrate')) bool(where, at('calibrate'), value.calibrate)
  if (has('threads') && value.threads !== 'auto') wholeNumber(where, at('threads'), value.threads, 1)
  if (has('recordsLimit')) wholeNumber(where, at('recordsLimit'), value.recordsLimit, 0)
  for (const key of ['stream', 'ignoreEos', 'includeUsage', 'continuousUsage']) if (has(key)) bool(where, at(key), value[key])
  if (has('timeout')) positiveNumber(where, at('timeout'), value.timeout, 'milliseconds')
  if (has('seed')) wholeNumber(where, at('seed'), value.seed, 0)
  if (slo && has('slo')) objectives(where, at('slo'), value.slo)
  return value as BenchOptions
}

function telemetry(where: string, path: string, v: unknown): void {
  if (!isObject(v)) fail(where, path, "an object like { interval: '2s' } or { enabled: false }", v)
  checkKeys(v, ['enabled', 'interval', 'gpu', 'dcgmUrl'], where, path)
  for (const key of ['enabled', 'gpu']) if (v[key] !== undefined) bool(where, keyPath(path, key), v[key])
  if (v.interval !== undefined) telemetryInterval(where, keyPath(path, 'interval'), v.interval)
  if (v.dcgmUrl !== undefined && (typeof v.dcgmUrl !== 'string' || httpUrl(v.dcgmUrl) === undefined)) fail(where, keyPath(path, 'dcgmUrl'), 'an http:// URL of a DCGM exporter, e.g. http://gpu-host:9400', v.dcgmUrl)
}

/** Milliseconds of a telemetry interval; throws the one-line message for `path`. */
export function telemetryInterval(where: string, path: string, v: unknown): number {
  let ms: number
  try {
    ms = parseDuration(v)
  } catch (err) {
    throw new UsageError(`${where}: ${path} ${(err as Error).message}`)
  }
  if (ms < MIN_INTERVAL_MS) throw new UsageError(`${where}: ${path} must be at least ${MIN_INTERVAL_MS}ms, got ${JSON.stringify(v)}`)
  return ms
}

/** The load-shape keys, checked by the module that turns them into levels (load/options.ts). */
function loadShape(value: Obj, where: string, prefix: string): void {
  try {
    // Goodput bounds may come from another layer: a capacity sweep's need of them is checked once resolved.
    toLoadOptions(value as LoadInput, true)
  } catch (err) {
    if (err instanceof LoadInputError) throw new UsageError(`${where}: ${segments(err.path).reduce<string>(keyPath, prefix)} ${err.message}`)
    throw err
  }
}

/** `ramp.from` or `rate[1]` as keys and indices, for keyPath. */
function segments(path: string): Array<string | number> {
  return path.split('.').flatMap((part) => {
    const m = /^(.*)\[(\d+)\]$/.exec(part)
    return m ? [m[1], Number(m[2])] : [part]
  })
}

function concurrency(where: string, path: string, v: unknown): void {
  if (typeof v === 'number') {
    wholeNumber(where, path, v, 1)
    return
  }
  if (!Array.isArray(v) || v.some((n) => typeof n !== 'number')) fail(where, path, 'a number or a list of numbers', v)
  if (v.length === 0) throw new UsageError(`${where}: ${path} must list at least one concurrency level, got []`)
  v.forEach((n, i) => wholeNumber(where, keyPath(path, i), n, 1))
}

/**
 * Only goodput bounds are checked here (they become the scenario's goodput); threshold
 * expressions, `goodput: '>= 0.9'` among them, are the objectives module's to read.
 */
function objectives(where: string, path: string, v: unknown): void {
  if (!isObject(v)) fail(where, path, 'an object of objectives', v)
  if (!isGoodputBounds(v.goodput)) return
  const gp = keyPath(path, 'goodput')
  const goodput: Obj = v.goodput
  checkKeys(goodput, GOODPUT_KEYS, where, gp)
  const bounds = SLO_KEYS.filter((k) => goodput[k] !== undefined)
  if (bounds.length === 0) {
    throw new UsageError(`${where}: ${gp} needs at least one bound in ms (${SLO_KEYS.join(', ')}), e.g. { ttft: 500, tpot: 50, min: 0.9 }`)
  }
  for (const k of bounds) positiveNumber(where, keyPath(gp, k), goodput[k], 'milliseconds')
  const min = goodput.min
  if (typeof min !== 'number' || !(min >= 0 && min <= 1)) fail(where, keyPath(gp, 'min'), 'a ratio between 0 and 1, e.g. 0.9', min)
  if (goodput.level !== undefined) wholeNumber(where, keyPath(gp, 'level'), goodput.level, 1)
}

/** `slo.goodput` as bounds (`{ ttft: 500, min: 0.9 }`) rather than an expression (`'>= 0.9'`, `{ expect }`). */
export function isGoodputBounds(v: unknown): v is GoodputObjective {
  return isObject(v) && v.expect === undefined
}
