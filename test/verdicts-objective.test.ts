// Objectives that know their noise: the interval of the checked figure, and the strict, lenient
// and point decisions, with `marginal` whenever the interval spans the bound.
import { describe, expect, it } from 'vitest'
import { checkObjective, DEFAULT_CONFIDENCE_MODE, type ConfidenceMode } from '../src/verdicts/objective.js'
import { makeLevel } from './helpers/levels.js'

const level = makeLevel({ requests: 400, concurrency: 4, seed: 8, ttft: (_, r) => 40 + r() * 30, fails: (_, r) => r() < 0.02 })
const p95 = level.summary.stats.ttft!.p95
const modes: ConfidenceMode[] = ['strict', 'lenient', 'point']
const decide = (bound: number, op: '<' | '<=' | '>' | '>=' = '<') =>
  Object.fromEntries(modes.map((mode) => [mode, checkObjective(level, { figure: 'ttft.p95', op, bound }, { mode })]))

describe('checkObjective', () => {
  it("the interval holds the summary's estimate", () => {
    const c = checkObjective(level, { figure: 'ttft.p95', op: '<', bound: 100 })
    expect(c.value).toBe(p95)
    expect(c.interval[0]).toBeLessThan(p95)
    expect(c.interval[1]).toBeGreaterThan(p95)
    expect(c.confidence).toBe(0.95)
    expect(c.mode).toBe(DEFAULT_CONFIDENCE_MODE)
  })

  it('a bound far from the figure: every mode agrees, nothing marginal', () => {
    for (const c of Object.values(decide(200))) expect([c.passed, c.marginal]).toEqual([true, false])
    for (const c of Object.values(decide(45))) expect([c.passed, c.marginal]).toEqual([false, false])
    for (const c of Object.values(decide(45, '>'))) expect([c.passed, c.marginal]).toEqual([true, false])
  })

  it('a bound inside the interval: strict fails, lenient passes, point compares the estimate; all marginal', () => {
    const { interval } = checkObjective(level, { figure: 'ttft.p95', op: '<', bound: 100 })
    const just = (p95 + interval[1]) / 2 // above the estimate, inside the interval
    const d = decide(just)
    expect(d.strict.passed).toBe(false)
    expect(d.lenient.passed).toBe(true)
    expect(d.point.passed).toBe(true)
    const under = decide((interval[0] + p95) / 2) // below the estimate, inside the interval
    expect(under.point.passed).toBe(false)
    expect(under.lenient.passed).toBe(true)
    for (const c of [...Object.values(d), ...Object.values(under)]) expect(c.marginal).toBe(true)
  })

  it('a p99 of 20 requests cannot be bounded above: strict cannot pass, lenient does not fail', () => {
    const small = makeLevel({ requests: 20, seed: 2 })
    const strict = checkObjective(small, { figure: 'ttft.p99', op: '<', bound: 1000 }, { mode: 'strict' })
    expect(strict.interval[1]).toBe(Infinity)
    expect(strict.passed).toBe(false)
    expect(strict.marginal).toBe(true)
    expect(strict.reason).toMatch(/cannot be bounded/)
    expect(checkObjective(small, { figure: 'ttft.p99', op: '<', bound: 1000 }, { mode: 'lenient' }).passed).toBe(true)
    expect(JSON.parse(JSON.stringify(strict)).interval[1]).toBe(null)
  })

  it('shares and rates get intervals of their own kind', () => {
    const errors = checkObjective(level, { figure: 'errors.rate', op: '<', bound: 0.5 })
    expect(errors.interval[0]).toBeGreaterThanOrEqual(0)
    expect(errors.interval[0]).toBeLessThanOrEqual(errors.value!)
    expect(errors.interval[1]).toBeGreaterThan(errors.value!)
    expect(errors.passed).toBe(true)
    const rate = checkObjective(level, { figure: 'throughput.requests', op: '>', bound: 1 })
    expect(rate.value).toBe(level.summary.throughput.requestsPerSec)
    expect(rate.interval[0]).toBeLessThan(rate.value!)
    expect(rate.interval[1]).toBeGreaterThan(rate.value!)
    const mean = checkObjective(level, { figure: 'e2e.mean', op: '<', bound: 10_000 })
    expect(mean.value).toBe(level.summary.stats.e2e!.mean)
  })

  it('repeats widen the interval by their spread', () => {
    const a = makeLevel({ requests: 400, concurrency: 4, seed: 8, ttft: (_, r) => 40 + r() * 30 })
    const b = makeLevel({ requests: 400, concurrency: 4, seed: 9, ttft: (_, r) => (40 + r() * 30) * 1.2 })
    const one = checkObjective(a, { figure: 'ttft.p50', op: '<', bound: 100 })
    const two = checkObjective([a, b], { figure: 'ttft.p50', op: '<', bound: 100 })
    expect(two.interval[1] - two.interval[0]).toBeGreaterThan(3 * (one.interval[1] - one.interval[0]))
  })

  it('figures without an interval are compared as points, and say so; bad input is one clear error', () => {
    const max = checkObjective(level, { figure: 'ttft.max', op: '<', bound: 1000 }, { mode: 'strict' })
    expect([max.passed, max.mode, max.marginal]).toEqual([true, 'point', false])
    expect(max.reason).toMatch(/no interval/)
    expect(() => checkObjective(level, { figure: 'ttft.p42', op: '<', bound: 1 })).toThrow(/^Unknown figure "ttft.p42"/)
    expect(() => checkObjective(level, { figure: 'ttft.p50', op: '<', bound: 1 }, { confidence: 95 })).toThrow(/confidence must be between 0 and 1/)
  })
})
