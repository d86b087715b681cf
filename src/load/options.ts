/**
 * The load options as users write them, in a config, a bench file or on the command line, checked
 * and turned into the runner's LoadOptions. Errors are plain messages about the value; the caller
 * adds where it was written (a flag, a file and key path).
 */
import type { Arrival } from '../results/types.js'
import type { LoadOptions, RampOptions } from './levels.js'
import type { SweepOptions } from './sweep.js'
import { parseCountOrTime, parseDuration } from './duration.js'

export const ARRIVALS: readonly Arrival[] = ['constant', 'poisson', 'gamma']


/** The user-facing shape (BenchOptions keys). */
export interface LoadInput {
  /** Request rates in req/s, one open-loop level each (replaces `concurrency` levels). */
  rate?: number | number[]
  /** How arrivals are spaced at a rate: `poisson` (default), `constant`, or `gamma` with `burstiness`. */
  arrival?: Arrival
  /** Gamma shape: 1 is Poisson, below 1 burstier, above 1 more regular (vLLM's --burstiness). */
  burstiness?: number
  /** At a rate: most requests in flight at once; the rest wait and keep their scheduled time. */
  maxConcurrency?: number
  /** Length of each level by time (`'60s'`, `'2m'`) instead of by `requests`. */
  duration?: string | number
  /** Short warm-up requests per level (default: one per concurrent slot), or a time (`'10s'`) at full load. */
  warmup?: number | string
  /** Requests or a time at the level's load after the measured ones, left out of the figures. */
  cooldown?: number | string
  /** One level whose concurrency (or rate) grows: `{ from: 1, to: 50, over: '2m' }`. */
  ramp?: RampInput
  /** Search the capacity under `slo.goodput`, or spread rates between the extremes (docs/workloads.md). */
  sweep?: SweepInput
}

export interface RampInput {
  /** Ramp the concurrency (default) or the request rate. */
  of?: 'concurrency' | 'rate'
  from: number
  to: number
  over: string | number
  shape?: 'linear' | 'exponential'
}

export interface SweepInput {
  /** `capacity`: the highest load meeting the goodput objective; `rates`: GuideLLM's even spread. */
  method?: 'capacity' | 'rates'
  /** What the capacity search varies: concurrency (default) or rate. */
  of?: 'concurrency' | 'rate'
  /** The goodput ratio a level must reach (default 0.9). */
  min?: number
  start?: number
  max?: number
  factor?: number
  resolution?: number
  /** Capacity: most levels in all (default 12). Rates: rates between the two ends (default 10). */
  levels?: number
  maxTime?: string | number
  /** Rates: the concurrency of the saturated level (default 256). */
  saturation?: number
}

/** A failed check: `path` is the key (or flag) at fault, relative to the input. */
export class LoadInputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

function at<T>(path: string, f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof LoadInputError) throw err
    throw new LoadInputError(path, (err as Error).message)
  }
}

function positive(path: string, v: unknown, what = 'a number above 0'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new LoadInputError(path, `must be ${what}, got ${JSON.stringify(v)}`)
  return v
}

function whole(path: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new LoadInputError(path, `must be a whole number of at least ${min}, got ${JSON.stringify(v)}`)
  return v
}

function oneOf<T extends string>(path: string, v: unknown, options: readonly T[]): T {
  if (!options.includes(v as T)) throw new LoadInputError(path, `must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`)
  return v as T
}

/** Checks `input` and returns the LoadOptions fields it sets. `goodput`: whether bounds were given (a capacity sweep needs them). */
export function toLoadOptions(input: LoadInput, goodput: boolean): Partial<LoadOptions> & { sweep?: SweepOptions } {
  const out: Partial<LoadOptions> & { sweep?: SweepOptions } = {}
  if (input.rate !== undefined) {
    const rates = Array.isArray(input.rate) ? input.rate : [input.rate]
    if (rates.length === 0) throw new LoadInputError('rate', 'must list at least one rate in requests per second, e.g. [5, 10, 20]')
    out.rate = rates.map((r, i) => positive(Array.isArray(input.rate) ? `rate[${i}]` : 'rate', r, 'a rate above 0 in requests per second'))
  }
  if (input.arrival !== undefined) out.arrival = oneOf('arrival', input.arrival, ARRIVALS)
  if (input.burstiness !== undefined) {
    out.burstiness = positive('burstiness', input.burstiness)
    out.arrival ??= 'gamma'
    if (out.arrival !== 'gamma') throw new LoadInputError('burstiness', `applies to gamma arrivals only (arrival is ${out.arrival})`)
  }
  if (input.maxConcurrency !== undefined) out.maxConcurrency = whole('maxConcurrency', input.maxConcurrency, 1)
  if (input.duration !== undefined) out.durationMs = at('duration', () => parseDuration(input.duration))
  if (input.warmup !== undefined) {
    const w = at('warmup', () => parseCountOrTime(input.warmup))
    if ('ms' in w) out.warmupMs = w.ms
    else out.warmup = w.count
  }
  if (input.cooldown !== undefined) {
    const c = at('cooldown', () => parseCountOrTime(input.cooldown))
    if ('ms' in c) out.cooldownMs = c.ms
    else out.cooldown = c.count
  }
  if (input.ramp !== undefined) out.ramp = ramp(input.ramp)
  if (input.sweep !== undefined) out.sweep = sweep(input.sweep, out, goodput)
  if (out.ramp && out.sweep) throw new LoadInputError('ramp', 'cannot be combined with sweep: a sweep chooses its own levels')
  if (out.ramp && out.rate) throw new LoadInputError('ramp', 'replaces rate: give the ramp alone, e.g. { of: "rate", from: 1, to: 20, over: "60s" }')
  return out
}

function ramp(r: RampInput): RampOptions {
  if (typeof r !== 'object' || r === null) throw new LoadInputError('ramp', 'must be an object like { from: 1, to: 50, over: "2m" }')
  const kind = r.of === undefined ? 'concurrency' : oneOf('ramp.of', r.of, ['concurrency', 'rate'] as const)
  const shape = r.shape === undefined ? 'linear' : oneOf('ramp.shape', r.shape, ['linear', 'exponential'] as const)
  const min = kind === 'concurrency' ? 1 : 0
  const from = kind === 'concurrency' ? whole('ramp.from', r.from, 1) : nonNegative('ramp.from', r.from)
  const to = kind === 'concurrency' ? whole('ramp.to', r.to, 1) : positive('ramp.to', r.to)
  if (shape === 'exponential' && from <= 0) throw new LoadInputError('ramp.from', `must be above ${min} for an exponential ramp`)
  return { kind, from, to, overMs: at('ramp.over', () => parseDuration(r.over)), shape }
}

function nonNegative(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new LoadInputError(path, `must be a number of at least 0, got ${JSON.stringify(v)}`)
  return v
}

function sweep(s: SweepInput, load: Partial<LoadOptions>, goodput: boolean): SweepOptions {
  if (typeof s !== 'object' || s === null) throw new LoadInputError('sweep', 'must be an object like { method: "capacity", min: 0.95 }')
  const method = s.method === undefined ? 'capacity' : oneOf('sweep.method', s.method, ['capacity', 'rates'] as const)
  if (method === 'rates') {
    return {
      method,
      levels: s.levels === undefined ? 10 : whole('sweep.levels', s.levels, 1),
      saturation: s.saturation === undefined ? 256 : whole('sweep.saturation', s.saturation, 2),
    }
  }
  if (!goodput) throw new LoadInputError('sweep', 'needs goodput bounds to judge each level: set slo.goodput (or --goodput ttft:500,tpot:50)')
  const kind = s.of === undefined ? (load.rate ? 'rate' : 'concurrency') : oneOf('sweep.of', s.of, ['concurrency', 'rate'] as const)
  const min = s.min === undefined ? 0.9 : s.min
  if (typeof min !== 'number' || !(min > 0 && min <= 1)) throw new LoadInputError('sweep.min', `must be a goodput ratio in (0, 1], e.g. 0.95, got ${JSON.stringify(min)}`)
  const start = s.start === undefined ? 1 : kind === 'concurrency' ? whole('sweep.start', s.start, 1) : positive('sweep.start', s.start)
  const max = s.max === undefined ? (kind === 'concurrency' ? 1024 : 1000) : positive('sweep.max', s.max)
  if (max < start) throw new LoadInputError('sweep.max', `must be at least sweep.start (${start}), got ${max}`)
  const factor = s.factor === undefined ? 2 : positive('sweep.factor', s.factor)
  if (factor <= 1) throw new LoadInputError('sweep.factor', `must be above 1, got ${factor}`)
  const resolution = s.resolution === undefined ? (kind === 'concurrency' ? 1 : Math.max(0.01, start / 10)) : positive('sweep.resolution', s.resolution)
  return {
    method,
    kind,
    start,
    max,
    factor,
    resolution,
    maxLevels: s.levels === undefined ? 12 : whole('sweep.levels', s.levels, 1),
    ...(s.maxTime !== undefined ? { maxTimeMs: at('sweep.maxTime', () => parseDuration(s.maxTime)) } : {}),
    min,
  }
}
