/**
 * A scenario's levels as plans: what load each applies (a concurrency, a rate, a ramp), how long
 * it lasts (a count of requests or a time), and the warm-up and cool-down around the measured part.
 */
import type { Arrival, LoadSpec } from '../results/types.js'
import { loadLabel } from '../results/labels.js'
import type { PhasePlan } from './phases.js'
import type { Profile } from './profile.js'
import { loadProfile } from './profile.js'

export interface LoadOptions {
  concurrency: number[]
  /** Each level this many times in a row (default 1): repeats measure run-to-run variance. */
  repeat?: number
  /** Request-rate levels in req/s (open loop); when given, `concurrency` does not make levels. */
  rate?: number[]
  arrival?: Arrival
  burstiness?: number
  maxConcurrency?: number
  numPrompts: number
  /** Length of each level by time instead of by `numPrompts`. */
  durationMs?: number
  /** Short warm-up requests per level (≤ 16 tokens), before the level's clock starts. */
  warmup?: number
  /** Warm-up by time instead: the level's own load for this long, left out of the figures. */
  warmupMs?: number
  /** Requests (or a time) at the level's load after the measured ones, left out of the figures. */
  cooldown?: number
  cooldownMs?: number
  ramp?: RampOptions
  /** Replay the prompts' own arrival times (a trace file): one open-loop level. */
  trace?: boolean
  /** This run is shard `index` of `count`: it applies its share of every level (docs/scale.md). */
  shard?: Shard
}

export interface Shard {
  index: number
  count: number
}

/** Shard `index`'s whole share of `total` units: the first `total mod count` shards take one more. */
export function shareOf(total: number, shard: Shard | undefined): number {
  if (!shard) return total
  return Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0)
}

/** A level's load for one shard: whole slots of a concurrency, an even part of a rate. */
function shardLoad(load: LoadSpec, shard: Shard | undefined): LoadSpec {
  if (!shard || shard.count === 1) return load
  const part = (x: number) => (load.kind === 'concurrency' ? shareOf(x, shard) : x / shard.count)
  const out: LoadSpec = { ...load, value: part(load.value) }
  if (load.maxConcurrency !== undefined) out.maxConcurrency = Math.max(1, shareOf(load.maxConcurrency, shard))
  if (load.ramp) out.ramp = { ...load.ramp, from: part(load.ramp.from) }
  return out
}

export interface RampOptions {
  kind: 'concurrency' | 'rate'
  from: number
  to: number
  overMs: number
  shape: 'linear' | 'exponential'
}

export interface LevelPlan {
  load: LoadSpec
  phases: PhasePlan
  /** The target over time: rates always, concurrency for ramps. */
  profile?: Profile
  /** Short warm-up requests before the clock starts, and how many run at once. */
  shortWarmup: { count: number; concurrency: number }
  /** For the progress line, e.g. "rate 20 req/s (poisson)". */
  label: string
  /** Arrivals come from the prompts' own times (a trace replayed), not from a rate. */
  trace?: boolean
  /** The level whose prompts and arrivals a repeat draws again (its index among the planned levels). */
  seedIndex?: number
}

/** Each plan `repeat` times in a row, each a level of its own with the same prompts and arrivals. */
export function repeatedLevels(plans: LevelPlan[], repeat = 1): LevelPlan[] {
  if (repeat <= 1) return plans
  return plans.flatMap((plan, i) =>
    Array.from({ length: repeat }, (_, r) => {
      const load = { ...plan.load, repeat: { index: r + 1, of: repeat } }
      return { ...plan, load, label: `${plan.label} (repeat ${r + 1} of ${repeat})`, seedIndex: i }
    }),
  )
}

/** Rate levels open this many connections at most in their short warm-up. */
const MAX_RATE_WARMUP = 64

/** The levels to run, in order; with `repeat`, each one that many times in a row. */
export function plannedLevels(o: LoadOptions): LevelPlan[] {
  return repeatedLevels(distinctLevels(o), o.repeat)
}

function distinctLevels(o: LoadOptions): LevelPlan[] {
  if (o.trace) return [{ ...planLevel(o, { kind: 'rate', value: 1, arrival: 'trace' }), trace: true, label: 'trace replay' }]
  if (o.ramp) return [planLevel(o, { kind: o.ramp.kind, value: o.ramp.to, ...rateShape(o, o.ramp.kind), ramp: { from: o.ramp.from, overSec: o.ramp.overMs / 1000, shape: o.ramp.shape } })]
  if (o.rate?.length) return o.rate.map((r) => planLevel(o, { kind: 'rate', value: r, ...rateShape(o, 'rate') }))
  return o.concurrency.map((c) => planLevel(o, { kind: 'concurrency', value: c }))
}

/** Whether the levels are concurrencies or rates. */
export function levelKind(o: LoadOptions): LoadSpec['kind'] {
  return o.ramp ? o.ramp.kind : o.rate?.length ? 'rate' : 'concurrency'
}

/** The level values in order, once each, as objectives name them (`level: 10`). */
export function levelValues(o: LoadOptions): number[] {
  return distinctLevels(o).map((l) => l.load.value)
}

/** A level of `kind` at `value`, with the scenario's arrival shape for rates. */
export function loadOf(o: LoadOptions, kind: LoadSpec['kind'], value: number): LoadSpec {
  return { kind, value, ...rateShape(o, kind) }
}

function rateShape(o: LoadOptions, kind: LoadSpec['kind']): Partial<LoadSpec> {
  if (kind !== 'rate') return {}
  const arrival = o.arrival ?? 'poisson'
  return {
    arrival,
    ...(arrival === 'gamma' ? { burstiness: o.burstiness ?? 1 } : {}),
    ...(o.maxConcurrency !== undefined ? { maxConcurrency: o.maxConcurrency } : {}),
  }
}

export function planLevel(o: LoadOptions, whole: LoadSpec): LevelPlan {
  const load = shardLoad(whole, o.shard)
  const ramp = load.ramp
  const lengthMs = o.durationMs ?? (ramp ? ramp.overSec * 1000 : undefined)
  const phases: PhasePlan = {
    warmup: o.warmupMs !== undefined ? { ms: o.warmupMs } : { count: 0 },
    measured: lengthMs !== undefined ? { ms: lengthMs } : { count: shareOf(o.numPrompts, o.shard) },
    cooldown: o.cooldownMs !== undefined ? { ms: o.cooldownMs } : { count: shareOf(o.cooldown ?? 0, o.shard) },
  }
  const start = ramp ? Math.max(1, Math.ceil(ramp.from)) : Math.ceil(load.value)
  const warmConcurrency = load.kind === 'rate' ? Math.min(start, load.maxConcurrency ?? Infinity, MAX_RATE_WARMUP) : start
  const warmCount = o.warmupMs !== undefined ? 0 : o.warmup !== undefined ? shareOf(o.warmup, o.shard) : warmConcurrency
  const profile = ramp || load.kind === 'rate' ? loadProfile(load) : undefined
  return { load, phases, profile, shortWarmup: { count: warmCount, concurrency: Math.max(1, warmConcurrency) }, label: loadLabel(load) }
}


/** Prompts prepared at most for a level bounded by time (raise --num-prompts for more). */
const MAX_TIMED_POOL = 10_000

/** Prompts to prepare for a level: its count, or for a timed level an estimate from its load. */
export function promptsNeeded(plan: LevelPlan, numPrompts: number): number {
  const { warmup, measured, cooldown } = plan.phases
  let n = 0
  let ms = 0
  for (const b of [warmup, measured, cooldown]) {
    if ('count' in b) n += b.count
    else ms += b.ms
  }
  if (ms === 0) return n
  // A rate level sends about rate × time; a concurrency level is guessed at two requests per slot
  // per second. Either way at least `numPrompts`, and at most a pool that is quick to prepare (and
  // to fit to /tokenize): past it prompts are reused, counted and warned about.
  const perSec = plan.load.kind === 'rate' ? plan.load.value * 1.1 + 5 : plan.load.value * 2
  return Math.max(numPrompts, Math.min(MAX_TIMED_POOL, n + Math.ceil((perSec * ms) / 1000)))
}

/** How long each level runs, for the run's first line: "100 requests per level", "60 s per level". */
export function levelLength(o: LoadOptions): string {
  if (o.durationMs !== undefined) return `${o.durationMs / 1000} s per level`
  if (o.ramp) return `one ramp over ${o.ramp.overMs / 1000} s`
  return `${o.numPrompts} requests per level`
}
