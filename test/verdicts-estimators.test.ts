// The estimators behind verdicts, against values computed by hand or published, and against
// brute-force references: order statistics by full sort, block variances by enumerating every
// block resample, Woodruff's percentile noise by a plain block bootstrap.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import { percentile } from '../src/metrics/stats.js'
import { newcombe, normalQuantile, tQuantile, wilson } from '../src/verdicts/distributions.js'
import { longRunVariance } from '../src/verdicts/dependence.js'
import { LevelView } from '../src/verdicts/estimate.js'
import { figureSpec } from '../src/verdicts/figures.js'
import { OrderStats } from '../src/verdicts/order.js'
import type { StatName, Stats } from '../src/results/types.js'
import { makeLevel } from './helpers/levels.js'

describe('distributions', () => {
  it('t quantiles match the printed table', () => {
    // Two-sided 95% (p = 0.975) and 99.9% (p = 0.9995) critical values.
    const table: Array<[number, number, number]> = [
      [0.975, 1, 12.7062], [0.975, 2, 4.3027], [0.975, 5, 2.5706], [0.975, 10, 2.2281], [0.975, 30, 2.0423],
      [0.9995, 3, 12.924], [0.9995, 20, 3.8495], [0.995, 7, 3.4995], [0.9, 4, 1.5332],
    ]
    for (const [p, df, t] of table) expect(tQuantile(p, df)).toBeCloseTo(t, 3)
    expect(tQuantile(0.025, 10)).toBeCloseTo(-2.2281, 3)
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.95996, 4)
    expect(tQuantile(0.975, 2.5)).toBeGreaterThan(tQuantile(0.975, 3))
    expect(tQuantile(0.975, 2.5)).toBeLessThan(tQuantile(0.975, 2))
  })

  it('normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.5)).toBe(0)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5)
  })

  it("Wilson's interval by hand: 5 of 10 at z = 1.96", () => {
    // centre 0.5, half-width 1.96·sqrt(0.025 + 0.0096)/1.38416 = 0.26340
    const [lo, hi] = wilson(0.5, 10, 1.96)
    expect(lo).toBeCloseTo(0.2366, 4)
    expect(hi).toBeCloseTo(0.7634, 4)
    const [l0, h0] = wilson(0, 20, 1.96)
    expect(l0).toBe(0)
    expect(h0).toBeCloseTo(0.1611, 4)
  })

  it("Newcombe's published example (method 10): 56/70 − 48/80 → [0.0524, 0.3339]", () => {
    // Newcombe (1998), Statistics in Medicine 17:873, table II, example (a), reversed sign.
    const [lo, hi] = newcombe(48 / 80, 80, 56 / 70, 70, 1.959964)
    expect(lo).toBeCloseTo(0.0524, 4)
    expect(hi).toBeCloseTo(0.3339, 4)
  })
})

describe('order statistics', () => {
  function data(n: number, seed: number): Float64Array {
    const r = mulberry32(seed)
    const v = new Float64Array(n)
    // Ties (values rounded to 1 µs), zeros, a -0, a heavy tail and a far outlier.
    for (let i = 0; i < n; i++) v[i] = r() < 0.01 ? 0 : Math.round((5 + r() * 10 + (r() < 0.02 ? r() * 500 : 0)) * 1000) / 1000
    v[3] = -0
    v[n - 1] = 90_000
    return v
  }

  it('the histogram path gives exactly the sorted order statistics and percentiles', () => {
    for (const seed of [1, 2, 3]) {
      const v = data(20_000, seed)
      const sorted = v.slice().sort()
      const hist = new OrderStats(v, 0)
      const ranks = [0, 1, 2, 17, 9_999, 10_000, 19_998, 19_999, 12_345]
      expect(hist.at(ranks)).toEqual(ranks.map((k) => sorted[k]))
      for (const p of [0, 0.1, 25, 50, 90, 95, 99, 99.9, 100]) expect(hist.percentile(p)).toBe(percentile(sorted, p))
    }
  })

  it('per-block counts under each percentile equal a brute-force count, on both paths', () => {
    const v = data(12_000, 7)
    const start = new Uint32Array([0, 1000, 1003, 5000, 5000, 12_000])
    const pcts = [50, 90, 95, 99, 99.9]
    for (const limit of [0, Infinity]) {
      const { qs, under } = new OrderStats(v, limit).percentilesWithCounts(pcts, start)
      const sorted = v.slice().sort()
      expect(qs).toEqual(pcts.map((p) => percentile(sorted, p)))
      for (let b = 0; b < start.length - 1; b++) {
        pcts.forEach((_, j) => {
          let c = 0
          for (let i = start[b]; i < start[b + 1]; i++) if (v[i] <= qs[j]) c++
          expect(under[b * pcts.length + j]).toBe(c)
        })
      }
    }
  })
})

describe('point estimates equal the level summary (the accumulator)', () => {
  const level = makeLevel({
    requests: 1500, concurrency: 8, tokens: 12, seed: 5,
    fails: (_, r) => r() < 0.03,
    ttft: (_, r) => 30 + r() * 40 + (r() < 0.05 ? r() * 400 : 0),
  })
  const stats: StatName[] = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e', 'e2eWithQueue', 'queueDelay', 'maxTokenGap', 'outputTokens']
  const fields: Array<[keyof Stats, number]> = [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99], ['p999', 99.9]]

  it('every percentile, on the sorted and the histogram path', () => {
    for (const limit of [Infinity, 0]) {
      const view = new LevelView(level)
      for (const stat of stats) {
        const order = new OrderStats(view.samplesOf(stat).values, limit)
        const got = order.percentiles(fields.map(([, p]) => p))
        expect(got).toEqual(fields.map(([f]) => level.summary.stats[stat]![f]))
      }
    }
  })

  it('sample counts and means', () => {
    const view = new LevelView(level)
    for (const stat of stats) {
      const { values } = view.samplesOf(stat)
      expect(values.length).toBe(level.summary.stats[stat]!.count)
      const mean = values.reduce((s, x) => s + x, 0) / values.length
      expect(mean).toBeCloseTo(level.summary.stats[stat]!.mean, 9)
    }
  })

  it("rates and shares come out as the summary's", () => {
    const view = new LevelView(level)
    for (const name of ['throughput.requests', 'throughput.output', 'errors.rate']) {
      const e = view.estimate(figureSpec(name)!, 2)
      expect(e.ok).toBe(true)
      const s = level.summary
      const want = { 'throughput.requests': s.throughput.requestsPerSec, 'throughput.output': s.throughput.outputTokensPerSec, 'errors.rate': s.requests.failed / s.requests.total }[name]
      expect(e.value).toBe(want)
    }
  })
})

describe('noise of a sum over blocks', () => {
  it('with few, independent blocks: the exact block-bootstrap variance of a mean (every resample enumerated) × K/(K−1)', () => {
    const r = mulberry32(3)
    const K = 5
    const L = 7
    const blockSums = Array.from({ length: K }, () => Array.from({ length: L }, () => r() * 10).reduce((s, x) => s + x, 0))
    const n = K * L
    const mean = blockSums.reduce((s, x) => s + x, 0) / n
    // Brute force: all K^K equally likely draws of K blocks with replacement.
    let s1 = 0
    let s2 = 0
    let count = 0
    const pick = new Array<number>(K).fill(0)
    for (;;) {
      const m = pick.reduce((s, b) => s + blockSums[b], 0) / n
      s1 += m
      s2 += m * m
      count++
      let d = 0
      while (d < K && ++pick[d] === K) pick[d++] = 0
      if (d === K) break
    }
    const bootstrap = s2 / count - (s1 / count) ** 2
    const resid = Float64Array.from(blockSums, (s) => s - mean * L)
    expect(longRunVariance(resid).variance / (n * n)).toBeCloseTo((bootstrap * K) / (K - 1), 12)
    expect(longRunVariance(resid).df).toBe(K - 1)
  })

  it("Woodruff's percentile noise by hand: 1..100 in 10 blocks, each with 5 under the median", () => {
    // Request i of block b = ⌊i/10⌋, j = i mod 10 has TTFT 10j + b + 1: every block holds five
    // values under 50.5, the block variance is 0 and the binomial floor 0.25/100 rules: se 0.05.
    // At z = 2 the share runs 0.4..0.6: percentiles 40.6 and 60.4, se (60.4 − 40.6)/4 = 4.95 ms.
    const level = makeLevel({ requests: 100, ttft: (i) => 10 * (i % 10) + Math.floor(i / 10) + 1 })
    const e = new LevelView(level, 10).estimate(figureSpec('ttft.p50')!, 2)
    expect(e.ok).toBe(true)
    expect(e.value).toBeCloseTo(50.5, 9)
    expect(e.range![0]).toBeCloseTo(40.6, 6)
    expect(e.range![1]).toBeCloseTo(60.4, 6)
    expect(e.se).toBeCloseTo(4.95 / 50.5, 6)
    expect(e.df).toBe(9)
  })

  it('with neighbours alike (AR(1)): the textbook long-run variance', () => {
    // x_t = ρ·x_{t−1} + e_t, var(e) = 1: the sum of m terms has variance ≈ m / (1 − ρ)².
    const r = mulberry32(17)
    for (const rho of [0, 0.5, 0.8]) {
      const m = 1024
      let est = 0
      const reps = 40
      for (let rep = 0; rep < reps; rep++) {
        const x = new Float64Array(m)
        let prev = 0
        for (let i = 0; i < m; i++) x[i] = prev = rho * prev + Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
        est += longRunVariance(x).variance / reps
      }
      expect(est / (m / (1 - rho) ** 2)).toBeGreaterThan(0.8)
      expect(est / (m / (1 - rho) ** 2)).toBeLessThan(1.15)
    }
  })

  it("Woodruff's noise of a median on dependent requests matches its true spread over many levels", () => {
    // TTFT drifts as an AR(1) process over requests (batches and queues make neighbours alike).
    const levelOf = (seed: number) => {
      let ar = 0
      return makeLevel({
        requests: 2000, seed, tokens: 2,
        ttft: (_, r) => {
          ar = 0.95 * ar + Math.sqrt(1 - 0.95 ** 2) * (r() + r() + r() - 1.5) * 2
          return 60 * Math.exp(0.25 * ar) * (0.9 + 0.2 * r())
        },
      })
    }
    const z = 1.96
    const logs: number[] = []
    const ses: number[] = []
    for (let seed = 1; seed <= 100; seed++) {
      const e = new LevelView(levelOf(seed)).estimate(figureSpec('ttft.p50')!, z)
      logs.push(Math.log(e.value!))
      ses.push(e.se)
    }
    const mean = logs.reduce((s, x) => s + x, 0) / logs.length
    const truth = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1))
    const estimated = Math.sqrt(ses.reduce((s, x) => s + x * x, 0) / ses.length)
    expect(estimated / truth).toBeGreaterThan(0.8)
    expect(estimated / truth).toBeLessThan(1.25)
    // A plain bootstrap of single requests (as if they were independent) misses most of it.
    const level = levelOf(1)
    const values = new LevelView(level).samplesOf('ttft').values
    const r = mulberry32(5)
    const medians: number[] = []
    for (let rep = 0; rep < 300; rep++) {
      const resample = Array.from({ length: values.length }, () => values[Math.floor(r() * values.length)]).sort((a, b) => a - b)
      medians.push(Math.log(percentile(resample, 50)))
    }
    const m = medians.reduce((s, x) => s + x, 0) / medians.length
    const naive = Math.sqrt(medians.reduce((s, x) => s + (x - m) ** 2, 0) / (medians.length - 1))
    expect(naive / truth).toBeLessThan(0.5)
  }, 120_000)
})
