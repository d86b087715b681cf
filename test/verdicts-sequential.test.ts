// Adaptive stopping: clear verdicts settle early, a level on the bound rarely settles at all even
// when checked after every request (the error rate holds under repeated looks), over-saturation
// is caught, and nothing stops before the floor.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import type { LoadSpec, RequestRecord } from '../src/results/types.js'
import { confidenceSequenceRadius, StoppingRule, type StoppingOptions } from '../src/verdicts/sequential.js'

/** Records of an open or closed loop: `ttft(i)` ms, two tokens, sent every `every` ms. */
function stream(n: number, ttft: (i: number, r: () => number) => number, seed = 1, every = 10, fails = 0): RequestRecord[] {
  const r = mulberry32(seed)
  const out: RequestRecord[] = []
  for (let i = 0; i < n; i++) {
    const sentAt = 1000 + i * every
    const base = { index: i, warmup: false, stream: true, scheduledAt: sentAt, sentAt, inputTokens: 10, inputTokensSource: 'usage' as const }
    if (r() < fails) {
      out.push({ ...base, endAt: sentAt + 3, outcome: 'http', outputTokens: 0, outputTokensSource: 'events' })
      continue
    }
    const t = ttft(i, r)
    out.push({
      ...base, firstTokenAt: sentAt + t, firstContentAt: sentAt + t, lastTokenAt: sentAt + t + 10, endAt: sentAt + t + 10.1,
      outcome: 'ok', outputTokens: 2, outputTokensSource: 'usage', tokenTimes: [t, t + 10],
    })
  }
  return out
}

/** Feeds records in the order they end, checking after every one; the first stop, or the last decision. */
function feed(records: RequestRecord[], opts: StoppingOptions) {
  const rule = new StoppingRule(opts)
  const byEnd = [...records].sort((a, b) => a.endAt - b.endAt)
  let last = rule.check()
  for (const r of byEnd) {
    rule.add(r)
    last = rule.check()
    if (last.stop) return last
  }
  return last
}

const uniform = (_: number, r: () => number) => 40 + r() * 30 // p95 = 68.5
const closed: LoadSpec = { kind: 'concurrency', value: 4 }

describe('settling a level early', () => {
  it('a clearly met objective settles soon after the floor', () => {
    const d = feed(stream(3000, uniform), { objectives: [{ figure: 'ttft.p95', op: '<', bound: 90 }], load: closed })
    expect(d.stop).toBe(true)
    expect(d.reason).toBe('settled')
    expect(d.requests).toBeGreaterThanOrEqual(100)
    expect(d.requests).toBeLessThan(400)
    expect(d.objectives[0].state).toBe('met')
    expect(d.message).toMatch(/^settled after \d+ requests \(95% confidence under continuous monitoring\): every objective decided: ttft\.p95 < 90 met/)
  })

  it('a clearly missed objective settles the level as failed', () => {
    const d = feed(stream(3000, uniform), { objectives: [{ figure: 'ttft.p95', op: '<', bound: 60 }, { figure: 'errors.rate', op: '<', bound: 0.5 }], load: closed })
    expect(d.reason).toBe('settled')
    expect(d.objectives[0].state).toBe('missed')
    expect(d.message).toMatch(/ttft\.p95 < 60 missed: the level fails whatever comes next/)
  })

  it('means, shares and rates settle too', () => {
    const d = feed(stream(4000, uniform, 3, 10, 0.01), {
      objectives: [
        { figure: 'ttft.mean', op: '<=', bound: 70 },
        { figure: 'errors.rate', op: '<', bound: 0.1 },
        { figure: 'throughput.requests', op: '>', bound: 50 }, // sent at 100 per second
      ],
      load: closed,
    })
    expect(d.reason).toBe('settled')
    expect(d.objectives.map((o) => o.state)).toEqual(['met', 'met', 'met'])
  })

  it('never before the floor, never on an objective it cannot follow', () => {
    const floor = feed(stream(3000, uniform), { objectives: [{ figure: 'ttft.p95', op: '<', bound: 500 }], minRequests: 1000, load: closed })
    expect(floor.requests).toBe(1000)
    const max = feed(stream(600, uniform), { objectives: [{ figure: 'ttft.max', op: '<', bound: 500 }], load: closed })
    expect(max.stop).toBe(false)
    expect(max.objectives[0].state).toBe('unsupported')
    expect(max.message).toMatch(/ttft\.max is only checked at the level's end/)
  })

  it('on the bound, checked after every request, it settles in at most about 5% of levels', () => {
    // The true p95 is the bound: any early decision is a coin the method must not toss often.
    let settled = 0
    const trials = 100
    for (let seed = 1; seed <= trials; seed++) {
      const d = feed(stream(2000, uniform, seed), { objectives: [{ figure: 'ttft.p95', op: '<', bound: 68.5 }], load: closed, minRequests: 50 })
      if (d.stop) settled++
    }
    // (A fixed 95% interval looked at after every batch settles about a quarter of them.)
    expect(settled / trials).toBeLessThanOrEqual(0.06)
  }, 120_000)

  it('the confidence sequence radius by hand', () => {
    // t = 100, ρ² = 0.1, α = 0.05: sqrt(2·11 / (10⁴·0.1) · ln(√11 / 0.05)) = 0.30378
    expect(confidenceSequenceRadius(100, 0.1, 0.05)).toBeCloseTo(0.30378, 4)
  })
})

describe('over-saturation', () => {
  const rate: LoadSpec = { kind: 'rate', value: 20 }

  it('latency that keeps rising at a fixed rate stops the level, with the reason', () => {
    const d = feed(stream(3000, (i, r) => 200 + i * 2 + r() * 100, 1, 50), { objectives: [], load: rate })
    expect(d.stop).toBe(true)
    expect(d.reason).toBe('over-saturated')
    expect(d.message).toMatch(/^over-saturated after \d+ requests: time to first token .* rose from [\d,]+ ms to [\d,]+ ms over \d+ s at rate 20\/s/)
  })

  it('flat, noisy latency never trips it, nor a small drift', () => {
    for (let seed = 1; seed <= 5; seed++) {
      expect(feed(stream(3000, (_, r) => 200 + r() * 300, seed, 50), { objectives: [], load: rate }).stop).toBe(false)
      expect(feed(stream(3000, (i, r) => 200 + i * 0.01 + r() * 100, seed, 50), { objectives: [], load: rate }).stop).toBe(false)
    }
  }, 60_000)
})
