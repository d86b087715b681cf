/**
 * The load options as users write them (checked by their declarations, options/scenario.ts), turned
 * into the runner's LoadOptions. Rules that need more than one layer (a capacity sweep needs goodput
 * bounds) are checked here and say so with an OptionError naming the key.
 */
import type { BenchOptions } from '../options/scenario.js'
import { OptionError } from '../options/check.js'
import { parseCountOrTime, parseDuration } from '../options/duration.js'
import type { LoadOptions, RampOptions } from './levels.js'
import type { SweepOptions } from './sweep.js'

export { ARRIVALS } from '../options/vocabulary.js'

/** The user-facing shape (BenchOptions keys). */
export type LoadInput = Pick<BenchOptions, 'rate' | 'arrival' | 'burstiness' | 'maxConcurrency' | 'duration' | 'warmup' | 'cooldown' | 'ramp' | 'sweep'>
export type RampInput = NonNullable<LoadInput['ramp']>
export type SweepInput = NonNullable<LoadInput['sweep']>

/** The LoadOptions fields `input` sets. `goodput`: whether bounds were given (a capacity sweep needs them). */
export function toLoadOptions(input: LoadInput, goodput: boolean): Partial<LoadOptions> & { sweep?: SweepOptions } {
  const out: Partial<LoadOptions> & { sweep?: SweepOptions } = {}
  if (input.rate !== undefined) out.rate = Array.isArray(input.rate) ? [...input.rate] : [input.rate]
  if (input.arrival !== undefined) out.arrival = input.arrival
  if (input.burstiness !== undefined) {
    out.burstiness = input.burstiness
    out.arrival ??= 'gamma'
  }
  if (input.maxConcurrency !== undefined) out.maxConcurrency = input.maxConcurrency
  if (input.duration !== undefined) out.durationMs = parseDuration(input.duration)
  if (input.warmup !== undefined) {
    const w = parseCountOrTime(input.warmup)
    if ('ms' in w) out.warmupMs = w.ms
    else out.warmup = w.count
  }
  if (input.cooldown !== undefined) {
    const c = parseCountOrTime(input.cooldown)
    if ('ms' in c) out.cooldownMs = c.ms
    else out.cooldown = c.count
  }
  if (input.ramp !== undefined) out.ramp = ramp(input.ramp)
  if (input.sweep !== undefined) out.sweep = sweep(input.sweep, out, goodput)
  return out
}

function ramp(r: RampInput): RampOptions {
  return { kind: r.of ?? 'concurrency', from: r.from, to: r.to, overMs: parseDuration(r.over), shape: r.shape ?? 'linear' }
}

function sweep(s: SweepInput, load: Partial<LoadOptions>, goodput: boolean): SweepOptions {
  const method = s.method ?? 'capacity'
  if (method === 'rates') return { method, levels: s.levels ?? 10, saturation: s.saturation ?? 256 }
  if (!goodput) throw new OptionError(['sweep'], 'needs goodput bounds to judge each level: set slo.goodput (or --goodput ttft:500,tpot:50)')
  const kind = s.of ?? (load.rate ? 'rate' : 'concurrency')
  const start = s.start ?? 1
  if (kind === 'concurrency' && !Number.isInteger(start)) throw new OptionError(['sweep', 'start'], `must be a whole number of at least 1 for a concurrency sweep, got ${start}`)
  return {
    method,
    kind,
    start,
    max: s.max ?? (kind === 'concurrency' ? 1024 : 1000),
    factor: s.factor ?? 2,
    resolution: s.resolution ?? (kind === 'concurrency' ? 1 : Math.max(0.01, start / 10)),
    maxLevels: s.levels ?? 12,
    ...(s.maxTime !== undefined ? { maxTimeMs: parseDuration(s.maxTime) } : {}),
    min: s.min ?? 0.9,
  }
}
