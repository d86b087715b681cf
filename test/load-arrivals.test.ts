import { describe, expect, it } from 'vitest'
import { gapSource } from '../src/load/arrivals.js'
import { constantProfile, rampProfile } from '../src/load/profile.js'
import { mulberry32 } from '../src/random.js'

const N = 20_000

function draw(arrival: 'constant' | 'poisson' | 'gamma', burstiness: number, seed: number): number[] {
  const gap = gapSource(arrival, burstiness, mulberry32(seed))
  return Array.from({ length: N }, gap)
}

function meanVar(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length]
}

/** Kolmogorov-Smirnov statistic of `xs` against the CDF `F`. */
function ks(xs: number[], F: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b)
  let d = 0
  s.forEach((x, i) => {
    const f = F(x)
    d = Math.max(d, Math.abs((i + 1) / s.length - f), Math.abs(f - i / s.length))
  })
  return d
}

/** Regularized lower incomplete gamma P(a, x), by its series (converges for every x; fine at these sizes). */
function gammaP(a: number, x: number): number {
  if (x <= 0) return 0
  let term = 1 / a
  let sum = term
  for (let n = 1; n < 10_000; n++) {
    term *= x / (a + n)
    sum += term
    if (term < sum * 1e-15) break
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * sum
}

function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z)
  z -= 1
  let x = c[0]
  for (let i = 1; i < 9; i++) x += c[i] / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x)
}

/** The KS critical value at α = 0.001: a correct sampler fails this once in a thousand seeds. */
const KS_CRITICAL = 1.95 / Math.sqrt(N)

describe('arrival processes (gaps with mean 1)', () => {
  it('constant gaps are exactly 1', () => {
    expect(new Set(draw('constant', 1, 1))).toEqual(new Set([1]))
  })

  it('poisson gaps are exponential: mean 1, variance 1, and pass a KS test', () => {
    const xs = draw('poisson', 1, 42)
    const [m, v] = meanVar(xs)
    expect(m).toBeCloseTo(1, 1)
    expect(v).toBeGreaterThan(0.93)
    expect(v).toBeLessThan(1.07)
    expect(ks(xs, (x) => 1 - Math.exp(-x))).toBeLessThan(KS_CRITICAL)
  })

  for (const b of [0.25, 0.5, 2, 4]) {
    it(`gamma gaps with burstiness ${b}: mean 1, variance 1/${b}, and pass a KS test against Gamma(${b}, 1/${b})`, () => {
      const xs = draw('gamma', b, 7 + b * 100)
      const [m, v] = meanVar(xs)
      expect(Math.abs(m - 1)).toBeLessThan(0.04)
      expect(Math.abs(v * b - 1)).toBeLessThan(0.1)
      expect(ks(xs, (x) => gammaP(b, b * x))).toBeLessThan(KS_CRITICAL)
    })
  }

  it('burstiness 1 is Poisson, and a gamma sampler is told apart from the exponential by the same test', () => {
    const xs = draw('gamma', 0.5, 3)
    expect(ks(xs, (x) => 1 - Math.exp(-x))).toBeGreaterThan(KS_CRITICAL)
    expect(draw('gamma', 1, 9)).toEqual(draw('poisson', 1, 9))
  })

  it('the same seed gives the same gaps; another seed others', () => {
    expect(draw('gamma', 0.7, 5)).toEqual(draw('gamma', 0.7, 5))
    expect(draw('gamma', 0.7, 5)).not.toEqual(draw('gamma', 0.7, 6))
  })
})

describe('rate profiles', () => {
  it('a constant rate puts arrival s at s / rate seconds', () => {
    const p = constantProfile(20)
    expect(p.timeAt(0)).toBe(0)
    expect(p.timeAt(20)).toBeCloseTo(1000, 9)
    expect(p.valueAt(123)).toBe(20)
  })

  for (const shape of ['linear', 'exponential'] as const) {
    it(`a ${shape} ramp's timeAt inverts its cumulative rate, and it holds the final rate afterwards`, () => {
      const r = { from: 2, to: 50, overMs: 60_000, shape }
      const p = rampProfile(r)
      // Numerically integrate the rate to t and check timeAt(Λ(t)) = t.
      for (const t of [0, 1000, 15_000, 30_000, 59_999, 60_000, 90_000]) {
        let lambda = 0
        const steps = 20_000
        for (let k = 0; k < steps; k++) lambda += (p.valueAt(((k + 0.5) * t) / steps) / 1000) * (t / steps)
        expect(p.timeAt(lambda)).toBeCloseTo(t, 0)
      }
      expect(p.valueAt(0)).toBeCloseTo(2, 9)
      expect(p.valueAt(60_000)).toBe(50)
      expect(p.valueAt(120_000)).toBe(50)
    })
  }

  it('a linear ramp from 0 still schedules arrivals', () => {
    const p = rampProfile({ from: 0, to: 10, overMs: 10_000, shape: 'linear' })
    // Λ(t) = t² / 2000 per ms² at this slope: 5 arrivals by 3.162 s.
    expect(p.timeAt(5)).toBeCloseTo(Math.sqrt(5 * 2 * 1_000_000), 0)
  })
})
