/**
 * Checks of scenario options wherever they are written: the config's `defaults`, a bench file's
 * options, the command line's overrides. Each message names where, the key and what is expected.
 */
import { ENDPOINTS } from '../client/registry.js'
import { SLO_KEYS } from '../metrics/goodput.js'
import type { BenchOptions, GoodputObjective } from '../dsl/types.js'
import type { ScenarioDefaults } from './define.js'
import {
  bool, checkKeys, fail, headersField, isObject, keyPath, nonEmptyString, oneOf, positiveNumber, secretField,
  wholeNumber, type Obj,
} from './fields.js'
import { UsageError } from '../errors.js'

const SCENARIO_KEY_SET = {
  server: true, model: true, endpoint: true, apiKey: true, headers: true, body: true, concurrency: true,
  requests: true, warmup: true, input: true, output: true, stream: true, timeout: true, ignoreEos: true,
  includeUsage: true, continuousUsage: true, seed: true,
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
  if (has('warmup')) wholeNumber(where, at('warmup'), value.warmup, 0)
  for (const key of ['input', 'output']) if (has(key)) tokens(where, at(key), value[key])
  for (const key of ['stream', 'ignoreEos', 'includeUsage', 'continuousUsage']) if (has(key)) bool(where, at(key), value[key])
  if (has('timeout')) positiveNumber(where, at('timeout'), value.timeout, 'milliseconds')
  if (has('seed')) wholeNumber(where, at('seed'), value.seed, 0)
  if (slo && has('slo')) objectives(where, at('slo'), value.slo)
  return value as BenchOptions
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

function tokens(where: string, path: string, v: unknown): void {
  if (!isObject(v)) fail(where, path, 'an object like { tokens: 256 }', v)
  checkKeys(v, ['tokens'], where, path)
  wholeNumber(where, keyPath(path, 'tokens'), v.tokens, 1)
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
