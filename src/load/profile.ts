/**
 * How the target load changes over a level: constant, or a ramp from one value to another,
 * linear or exponential. For rates, `timeAt(s)` maps operational time (arrivals.ts: the expected
 * number of arrivals so far) to ms since the level began, by inverting the cumulative rate
 * Λ(t) = ∫ rate: arrival i then falls at Λ⁻¹(s_i). Each arrival's time comes from the schedule,
 * never from when the previous request went out, so lateness cannot accumulate.
 */
import type { LoadSpec } from '../results/types.js'

export interface Profile {
  /** The target (rate in req/s, or concurrency) at `t` ms after the level began. */
  valueAt(t: number): number
  /** Ms after the level began at which the cumulative number of arrivals reaches `s` (rates only). */
  timeAt(s: number): number
}

/** The mean of the profile's value from `fromMs` to `toMs` (a ramp's mean target over a part of it). */
export function meanValue(p: Profile, fromMs: number, toMs: number): number {
  const steps = 100
  let sum = 0
  for (let k = 0; k < steps; k++) sum += p.valueAt(fromMs + ((k + 0.5) * (toMs - fromMs)) / steps)
  return sum / steps
}

export function constantProfile(value: number): Profile {
  const perMs = value / 1000
  return { valueAt: () => value, timeAt: (s) => s / perMs }
}

export interface Ramp {
  from: number
  to: number
  overMs: number
  shape: 'linear' | 'exponential'
}

/** A ramp; after `overMs` the value stays at `to`. */
export function rampProfile(r: Ramp): Profile {
  const T = r.overMs
  const a = r.from / 1000
  const b = r.to / 1000
  if (r.shape === 'exponential' && r.from !== r.to) {
    if (!(r.from > 0 && r.to > 0)) throw new Error('an exponential ramp needs from and to above 0')
    const k = Math.log(r.to / r.from)
    const total = (a * T * (Math.exp(k) - 1)) / k
    return {
      valueAt: (t) => (t >= T ? r.to : r.from * Math.exp((k * t) / T)),
      timeAt: (s) => (s >= total ? T + (s - total) / b : (T / k) * Math.log(1 + (s * k) / (a * T))),
    }
  }
  // Λ(t) = a·t + (b − a)·t² / 2T: the root of that quadratic, in the form stable when b ≈ a.
  const slope = (b - a) / T
  const total = ((a + b) / 2) * T
  return {
    valueAt: (t) => (t >= T ? r.to : r.from + ((r.to - r.from) * t) / T),
    timeAt: (s) => {
      if (s >= total) return T + (s - total) / b
      return (2 * s) / (a + Math.sqrt(a * a + 2 * slope * s))
    },
  }
}

/** The target load over time of a level: its ramp, or its constant value. */
export function loadProfile(load: LoadSpec): Profile {
  const r = load.ramp
  return r ? rampProfile({ from: r.from, to: load.value, overMs: r.overSec * 1000, shape: r.shape }) : constantProfile(load.value)
}
