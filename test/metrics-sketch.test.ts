// The quantile sketch against exact type-7 percentiles: the bound stated in src/metrics/sketch.ts,
// over several distributions with fixed seeds, and merging.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import { QuantileSketch } from '../src/metrics/sketch.js'
import { computeStats, percentile } from '../src/metrics/stats.js'

const ALPHA = 0.005
const MIN = 1e-9
/** Floating-point slack on top of the bound (log/exp rounding at bucket edges). */
const ROUNDING = 1e-12
const PS = [0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100]

function normal(rng: () => number): number {
  const u = 1 - rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng())
}

const DISTRIBUTIONS: Record<string, (rng: () => number) => number> = {
  uniform: (rng) => 1 + 99 * rng(),
  lognormal: (rng) => Math.exp(3 + 1.2 * normal(rng)),
  bimodal: (rng) => (rng() < 0.8 ? Math.abs(10 + normal(rng)) : 200 + 20 * normal(rng)),
  // ITL-like: 1 µs resolution, many exact zeros (two events in one read), rare long stalls.
  'itl-like': (rng) => (rng() < 0.1 ? 0 : rng() < 0.995 ? Math.round(Math.exp(2.3 + 0.3 * normal(rng)) * 1000) / 1000 : 500 + 2000 * rng()),
}

function samples(name: string, n: number, seed: number): number[] {
  const rng = mulberry32(seed)
  const draw = DISTRIBUTIONS[name]
  return Array.from({ length: n }, () => draw(rng))
}

function sketchOf(xs: readonly number[]): QuantileSketch {
  const s = new QuantileSketch(ALPHA)
  for (const x of xs) s.add(x)
  return s
}

/** The documented bound of an estimate of the type-7 percentile p of `sorted`. */
function bound(sorted: Float64Array, p: number): number {
  const h = ((sorted.length - 1) * p) / 100
  const lo = Math.floor(h)
  const t = h - lo
  const hi = Math.min(lo + 1, sorted.length - 1)
  const v = percentile(sorted, p)
  return ALPHA * ((1 - t) * Math.abs(sorted[lo]) + t * Math.abs(sorted[hi])) + MIN + ROUNDING * Math.abs(v)
}

describe('QuantileSketch error bound', () => {
  for (const name of Object.keys(DISTRIBUTIONS)) {
    for (const seed of [1, 2, 3]) {
      it(`${name} (seed ${seed}): every percentile within α of the exact type-7 value, every rank within α of its sample`, () => {
        const xs = samples(name, 20_000, seed)
        const sketch = sketchOf(xs)
        const sorted = new Float64Array(xs).sort()
        let worst = 0
        for (const p of PS) {
          const exact = percentile(sorted, p)
          const err = Math.abs(sketch.percentile(p) - exact)
          expect(err, `p${p}: ${sketch.percentile(p)} vs ${exact}`).toBeLessThanOrEqual(bound(sorted, p))
          // Positive samples: the bound is α·|v| + MIN against the interpolated value itself.
          expect(err).toBeLessThanOrEqual(ALPHA * Math.abs(exact) * (1 + ROUNDING) + MIN)
          if (exact > 0) worst = Math.max(worst, err / exact)
        }
        for (let k = 0; k < sorted.length; k += 97) {
          const err = Math.abs(sketch.valueAtRank(k) - sorted[k])
          expect(err, `rank ${k}`).toBeLessThanOrEqual(Math.max(ALPHA * Math.abs(sorted[k]), MIN) * (1 + ROUNDING))
        }
        // Not trivially exact: the estimates do move within the bound.
        expect(worst).toBeGreaterThan(0)
      })
    }
  }

  it('bounds mixed-sign samples by α·((1 − t)|x(⌊h⌋)| + t|x(⌈h⌉)|) + minIndexable', () => {
    const rng = mulberry32(9)
    const xs = Array.from({ length: 10_001 }, () => (rng() < 0.3 ? -Math.exp(2 * normal(rng)) : rng() < 0.05 ? 0 : Math.exp(2 * normal(rng))))
    const sketch = sketchOf(xs)
    const sorted = new Float64Array(xs).sort()
    for (let p = 0; p <= 100; p += 0.5) {
      expect(Math.abs(sketch.percentile(p) - percentile(sorted, p)), `p${p}`).toBeLessThanOrEqual(bound(sorted, p))
    }
  })

  it('keeps count, min and max exact, and mean and std to rounding', () => {
    const xs = samples('lognormal', 50_000, 4)
    const got = sketchOf(xs).stats()!
    const exact = computeStats(xs)!
    expect(got.count).toBe(exact.count)
    expect(got.min).toBe(exact.min)
    expect(got.max).toBe(exact.max)
    expect(got.mean).toBeCloseTo(exact.mean, 9)
    expect(got.std).toBeCloseTo(exact.std, 8)
    expect(Math.abs(got.p99 - exact.p99)).toBeLessThanOrEqual(ALPHA * exact.p99 * (1 + ROUNDING))
  })

  it('gives the sample itself for one sample, and exact zeros', () => {
    const one = sketchOf([42.5])
    expect(one.percentile(0)).toBe(42.5)
    expect(one.percentile(99.9)).toBe(42.5)
    const zeros = sketchOf([0, 0, 0, 5])
    expect(zeros.percentile(50)).toBe(0)
    expect(zeros.stats()!.p50).toBe(0)
  })

  it('needs ln(max/min)/ln γ buckets, not one per sample', () => {
    // 1 µs to 60 s at α = 0.005: ln(6e7)/ln(1.01005) ≈ 1,790 keys.
    const s = new QuantileSketch(ALPHA)
    const rng = mulberry32(5)
    for (let i = 0; i < 200_000; i++) s.add(Math.exp(Math.log(1e-3) + rng() * Math.log(6e7)))
    const { counts } = (s as unknown as { positive: { counts: Float64Array } }).positive
    expect(counts.length).toBeLessThan(4 * 1790)
  })

  it('rejects what it cannot bound', () => {
    const s = new QuantileSketch(ALPHA)
    expect(() => s.percentile(50)).toThrow(RangeError)
    expect(s.stats()).toBeUndefined()
    expect(() => s.add(NaN)).toThrow(RangeError)
    expect(() => s.add(Infinity)).toThrow(RangeError)
    s.add(1)
    expect(() => s.percentile(101)).toThrow(RangeError)
    expect(() => new QuantileSketch(0)).toThrow(RangeError)
    expect(() => s.merge(new QuantileSketch(0.01))).toThrow(RangeError)
  })
})

describe('QuantileSketch addAll', () => {
  it('equals adding one sample at a time', () => {
    const xs = samples('itl-like', 10_000, 10)
    const one = sketchOf(xs)
    const batched = new QuantileSketch(ALPHA)
    for (let i = 0; i < xs.length; i += 127) batched.addAll(new Float64Array(xs.slice(i, i + 127)))
    batched.addAll([1, 2, 3], 0)
    for (const p of PS) expect(batched.percentile(p)).toBe(one.percentile(p))
    const a = batched.stats()!
    const b = one.stats()!
    expect([a.count, a.min, a.max]).toEqual([b.count, b.min, b.max])
    expect(a.mean).toBeCloseTo(b.mean, 10)
    expect(a.std).toBeCloseTo(b.std, 9)
    expect(() => batched.addAll([1, NaN])).toThrow(RangeError)
    expect(batched.count).toBe(one.count)
  })
})

describe('QuantileSketch merge', () => {
  it('equals one sketch over the union', () => {
    const xs = [...samples('bimodal', 30_000, 7), ...samples('uniform', 5_000, 8).map((x) => -x)]
    const whole = sketchOf(xs)
    const parts = [xs.slice(0, 1_000), xs.slice(1_000, 21_000), xs.slice(21_000)].map(sketchOf)
    const merged = new QuantileSketch(ALPHA)
    for (const p of parts) merged.merge(p)
    merged.merge(new QuantileSketch(ALPHA)) // an empty sketch changes nothing
    for (const p of PS) expect(merged.percentile(p), `p${p}`).toBe(whole.percentile(p))
    for (let k = 0; k < xs.length; k += 101) expect(merged.valueAtRank(k)).toBe(whole.valueAtRank(k))
    const a = merged.stats()!
    const b = whole.stats()!
    expect(a.count).toBe(b.count)
    expect(a.min).toBe(b.min)
    expect(a.max).toBe(b.max)
    expect(a.mean).toBeCloseTo(b.mean, 10)
    expect(a.std).toBeCloseTo(b.std, 9)
    expect(merged.sum).toBeCloseTo(xs.reduce((s, x) => s + x, 0), 6)
  })
})
