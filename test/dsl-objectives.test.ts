// Objectives (the `slo` of a bench) on hand-made levels: every expression form, every error.
import { describe, expect, it } from 'vitest'
import { evaluateObjectives, goodputBounds, validateObjectives } from '../src/dsl/index.js'
import type { SloObjectives } from '../src/dsl/index.js'
import type { ExpressionText } from '../src/options/expression.js'
import { makeLevel } from './helpers/levels.js'
import type { LevelResult, LevelSummary, RequestRecord, Stats } from '../src/results/types.js'

// ---------------------------------------------------------------------------------------------
// Fixtures

function stats(p: Partial<Stats> = {}): Stats {
  return { count: 100, mean: 300, std: 50, min: 100, max: 900, p50: 280, p90: 500, p95: 600, p99: 800, p999: 890, ...p }
}

function summary(concurrency: number, p: Partial<LevelSummary> = {}): LevelSummary {
  return {
    load: { kind: 'concurrency', value: concurrency },
    requests: { total: 100, succeeded: 98, failed: 2, warmup: concurrency },
    errors: { http: 2 },
    durationSec: 10,
    throughput: { requestsPerSec: 9.8, outputTokensPerSec: 1254.4, inputTokensPerSec: 2508.8, totalTokensPerSec: 3763.2 },
    concurrency: { achieved: concurrency, maxInFlight: concurrency },
    stats: { ttft: stats(), tpot: stats({ p95: 40 }), e2e: stats(), outputTokens: stats({ mean: 128 }) },
    itlGranularity: 'token',
    outputTokensSource: { usage: 98 },
    client: { eventLoopDelayP99Ms: 1, cpuPercent: 10 },
    warnings: [],
    ...p,
  }
}

const level = (concurrency: number, p: Partial<LevelSummary> = {}, records: RequestRecord[] = []): LevelResult => ({
  summary: summary(concurrency, p),
  records,
})

/** A successful streamed record sent at 0 whose token events arrive at `times` ms (one token each). */
function streamed(times: number[], p: Partial<RequestRecord> = {}): RequestRecord {
  const last = times[times.length - 1]
  return {
    index: 0,
    warmup: false,
    stream: true,
    scheduledAt: 0,
    sentAt: 0,
    firstTokenAt: times[0],
    firstContentAt: times[0],
    lastTokenAt: last,
    endAt: last + 1,
    outcome: 'ok',
    outputTokens: times.length,
    outputTokensSource: 'usage',
    inputTokens: 10,
    inputTokensSource: 'usage',
    tokenTimes: times,
    ...p,
  }
}

const one = (slo: SloObjectives, levels = [level(50)]) => evaluateObjectives(slo, levels)

// ---------------------------------------------------------------------------------------------

describe('thresholds', () => {
  it('checks every level, one outcome each, named with the level', () => {
    const checks = evaluateObjectives({ 'ttft.p95': '< 800' }, [level(1), level(10)])
    expect(checks.map((c) => c.name)).toEqual(['ttft.p95 < 800 @ concurrency 1', 'ttft.p95 < 800 @ concurrency 10'])
    expect(checks[0]).toMatchObject({ kind: 'objective', passed: true, level: 1, metric: 'ttft.p95', expected: '< 800', actual: 600 })
  })

  it('fails a missed threshold with a message naming level, metric, value and bound', () => {
    const [c] = evaluateObjectives({ 'ttft.p95': '< 500' }, [level(50)], { file: 'latency.bench.ts', line: 14 }, { scenario: 'chat 256/128' })
    expect(c.passed).toBe(false)
    expect(c.message).toBe('chat 256/128 › concurrency 50: ttft.p95 = 600 ms, expected < 500 (latency.bench.ts:14); marginal: too few requests for a 95% interval, decided on the estimate')
    expect(c.location).toEqual({ file: 'latency.bench.ts', line: 14 })
  })

  it.each([
    ['< 600', false],
    ['<= 600', true],
    ['> 600', false],
    ['>= 600', true],
    ['== 600', true],
    ['<600', false],
    ['  >=600  ', true],
    ['< 6e2', false],
    ['<= 600.0', true],
  ])('evaluates %j against 600', (expr, passed) => {
    expect(one({ 'ttft.p95': expr as ExpressionText })[0].passed).toBe(passed)
  })

  it('normalizes the expected text', () => {
    expect(one({ 'ttft.p95': '<=800' })[0].expected).toBe('<= 800')
  })

  it('checks only the named level with { expect, level }', () => {
    const checks = evaluateObjectives({ 'ttft.p95': { expect: '< 800', level: 10 } }, [level(1), level(10)])
    expect(checks.map((c) => c.name)).toEqual(['ttft.p95 < 800 @ concurrency 10'])
  })

  it('reads errors.rate as failed / total', () => {
    // 2 failed of 100 measured = 0.02
    expect(one({ 'errors.rate': '< 0.01' })[0]).toMatchObject({ passed: false, actual: 0.02 })
  })

  it('reads errors.count', () => {
    expect(one({ 'errors.count': '== 2' })[0]).toMatchObject({ passed: true, actual: 2 })
  })

  it('reads throughput.requests, .output and .total per second', () => {
    const checks = one({ 'throughput.requests': '> 9', 'throughput.output': '>= 1254.4', 'throughput.total': '< 3000' })
    expect(checks.map((c) => [c.actual, c.passed])).toEqual([
      [9.8, true],
      [1254.4, true],
      [3763.2, false],
    ])
    expect(checks[1].message).toContain('throughput.output = 1254.4 tok/s')
  })

  it('reads token statistics in tokens', () => {
    expect(one({ 'outputTokens.mean': '>= 128' })[0].message).toContain('outputTokens.mean = 128 tokens')
  })

  it('fails a statistic absent on a level, saying so', () => {
    const [c] = one({ 'itl.p99': '< 50' })
    expect(c.passed).toBe(false)
    expect(c.actual).toBeUndefined()
    expect(c.message).toMatch(/concurrency 50: itl\.p99 has no value: no request at this level had a itl/)
  })

  it('checks the goodput ratio of the scenario goodput bounds', () => {
    const g = { slo: { ttft: 500 }, good: 95, total: 100, ratio: 0.95, rate: 9.5, met: { ttft: 95 } }
    const [c] = evaluateObjectives({ goodput: '>= 0.9' }, [level(50, { goodput: g })])
    expect(c).toMatchObject({ name: 'goodput >= 0.9 @ concurrency 50', passed: true, actual: 0.95 })
  })

  it('fails the goodput ratio when the scenario has no goodput bounds', () => {
    const [c] = one({ goodput: '>= 0.9' })
    expect(c.passed).toBe(false)
    expect(c.message).toContain('the scenario has no goodput bounds')
  })

  it('skips keys whose value is undefined', () => {
    expect(one({ 'ttft.p95': undefined })).toEqual([])
  })
})

describe('goodput bounds', () => {
  // Bounds ttft 500, tpot 50 over four measured requests and one warm-up:
  //   A tokens at 400, 440, 480: TTFT 400, TPOT (480 − 400) / 2 = 40   good
  //   B tokens at 600, 620:      TTFT 600 > 500                        not good
  //   C tokens at 100, 300, 500: TPOT (500 − 100) / 2 = 200 > 50       not good
  //   D HTTP 500                                                       not good (failures count)
  //   W warm-up, would be good                                         left out
  // ratio = 1 / 4 = 0.25
  const records = [
    streamed([400, 440, 480]),
    streamed([600, 620]),
    streamed([100, 300, 500]),
    streamed([10], { outcome: 'http', outputTokens: 0, firstTokenAt: undefined, lastTokenAt: undefined, tokenTimes: [] }),
    streamed([10, 20], { warmup: true }),
  ]

  it('computes the ratio from the records with evaluateGoodput', () => {
    const [c] = evaluateObjectives({ goodput: { ttft: 500, tpot: 50, min: 0.25 } }, [level(4, {}, records)])
    expect(c).toMatchObject({
      name: 'goodput [ttft:500,tpot:50] >= 0.25 @ concurrency 4',
      metric: 'goodput',
      expected: '>= 0.25',
      actual: 0.25,
      passed: true,
    })
  })

  it('fails below min with the count of good requests in the message', () => {
    const [c] = evaluateObjectives({ goodput: { ttft: 500, tpot: 50, min: 0.9 } }, [level(4, {}, records)])
    expect(c.passed).toBe(false)
    expect(c.message).toBe('concurrency 4: goodput [ttft:500,tpot:50] = 0.25 (1/4 requests met the SLO), expected >= 0.9; marginal: too few requests for a 95% interval, decided on the estimate')
  })

  it('checks only the named level', () => {
    const checks = evaluateObjectives({ goodput: { ttft: 500, min: 0.5, level: 8 } }, [level(4, {}, records), level(8, {}, records)])
    expect(checks.map((c) => c.level)).toEqual([8])
  })

  it('gives the bounds for the scenario summary, in canonical form', () => {
    expect(goodputBounds({ goodput: { tpot: 50, e2el: 9000, min: 0.9 } as never })).toEqual({ tpot: 50, e2e: 9000 })
    expect(goodputBounds({ goodput: '>= 0.9' })).toBeUndefined()
    expect(goodputBounds(undefined)).toBeUndefined()
  })
})

describe('configuration errors', () => {
  const levels = [1, 10, 50]
  const err = (slo: unknown, opts = {}) => () => validateObjectives(slo as SloObjectives, levels, opts)

  it('accepts valid objectives', () => {
    expect(err({ 'ttft.p95': '< 800', 'errors.rate': { expect: '< 0.01', level: 50 }, goodput: { ttft: 500, min: 0.9 } })).not.toThrow()
  })

  it('names an unknown key and suggests the nearest', () => {
    expect(err({ 'tft.p95': '< 800' })).toThrow(/^slo has an unknown objective "tft.p95": did you mean "ttft.p95"\? use <metric>.<stat>/)
  })

  it('names an unknown metric and lists the valid ones', () => {
    expect(err({ latency: '< 800' })).toThrow(/unknown objective "latency".*errors\.rate, errors\.count, throughput\.requests/)
  })

  it('rejects an expression without an operator', () => {
    expect(err({ 'ttft.p95': '800' })).toThrow(`slo["ttft.p95"]: '800' is not an expression: write an operator (<, <=, >, >=, ==) and a number, e.g. '< 800'`)
  })

  it('rejects a unit in an expression', () => {
    expect(err({ 'ttft.p95': '< 800ms' })).toThrow(`slo["ttft.p95"]: '< 800ms' has a unit (ms); units are not allowed, values are in the figure's unit (ms for times): write '< 800'`)
  })

  it('rejects a value that is not a string', () => {
    expect(err({ 'ttft.p95': 800 })).toThrow(`slo["ttft.p95"]: 800 is not an expression: write a string such as '< 800'`)
  })

  it('rejects a single = as an operator', () => {
    expect(err({ 'errors.count': '= 0' })).toThrow(/'= 0' is not an expression/)
  })

  it('rejects a level the scenario does not run, listing its levels', () => {
    expect(err({ 'ttft.p95': { expect: '< 800', level: 64 } })).toThrow(
      'slo["ttft.p95"].level is 64, not a level of this scenario (it runs concurrency 1, 10, 50): use one of them or drop level',
    )
  })

  it('rejects an unknown field in { expect, level }', () => {
    expect(err({ 'ttft.p95': { expect: '< 800', levle: 50 } })).toThrow(`slo["ttft.p95"] has an unknown field "levle": write { expect: '< 800', level: 50 }`)
  })

  it('rejects a goodput min given as a percentage', () => {
    expect(err({ goodput: { ttft: 500, min: 90 } })).toThrow('slo.goodput.min must be a ratio between 0 and 1, e.g. 0.9, got 90')
  })

  it('rejects an unknown goodput bound', () => {
    expect(err({ goodput: { ttfb: 500, min: 0.9 } })).toThrow(/^unknown key "slo.goodput.ttfb", did you mean "slo.goodput.ttft"\?/)
  })

  it('rejects a goodput bound that is not a number', () => {
    expect(err({ goodput: { ttft: '500', min: 0.9 } })).toThrow('slo.goodput.ttft must be a number of milliseconds above 0, got "500"')
  })

  it('rejects goodput without bounds', () => {
    expect(err({ goodput: { min: 0.9 } })).toThrow(/^slo.goodput needs at least one bound in ms/)
  })

  it('rejects a goodput level the scenario does not run', () => {
    expect(err({ goodput: { ttft: 500, min: 0.9, level: 16 } })).toThrow(/^slo.goodput.level is 16, not a level of this scenario/)
  })

  it('rejects a streaming statistic when requests are not streamed', () => {
    expect(err({ 'ttft.p95': '< 800' }, { stream: false })).toThrow(/^slo\["ttft.p95"\]: non-streamed requests have no ttft/)
  })

  it('rejects streaming goodput bounds when requests are not streamed', () => {
    expect(err({ goodput: { tpot: 50, min: 0.9 } }, { stream: false })).toThrow(/^slo.goodput: Goodput SLO tpot cannot be measured without streaming/)
  })

  it('accepts e2e objectives without streaming', () => {
    expect(err({ 'e2e.p95': '< 8000', goodput: { e2e: 9000, min: 0.9 } }, { stream: false })).not.toThrow()
  })

  it('throws from evaluateObjectives for a level the results do not hold', () => {
    expect(() => evaluateObjectives({ 'ttft.p95': { expect: '< 800', level: 64 } }, [level(1)])).toThrow(/level is 64, not a level of this scenario \(it runs concurrency 1\)/)
  })
})

describe('objectives that know their noise (docs/verdicts.md)', () => {
  // TTFT uniform on [40, 60] ms over 400 requests: its p95 is about 59, known to about ±0.5 ms.
  const level = makeLevel({ requests: 400, concurrency: 4, seed: 3 })
  const p95 = level.summary.stats.ttft!.p95
  const one = (expr: ExpressionText, confidence?: 'strict' | 'lenient' | 'point') =>
    evaluateObjectives({ 'ttft.p95': confidence ? { expect: expr, confidence } : expr }, [level])[0]

  it('report the interval of the figure they check, around the estimate', () => {
    const c = one('< 1000')
    expect(c.actual).toBe(p95)
    expect(c.interval![0]).toBeLessThan(p95)
    expect(c.interval![1]).toBeGreaterThan(p95)
    expect(c.interval![1] - c.interval![0]).toBeLessThan(5)
    expect(c).toMatchObject({ passed: true, confidence: 'lenient' })
    expect(c.marginal).toBeUndefined()
  })

  it('decide a bound inside the interval by the rule, and flag it marginal', () => {
    // Just under the estimate: the point misses it, the interval spans it.
    const bound = Number((p95 - 0.05).toFixed(2)) as number
    const expr = `< ${bound}` as ExpressionText
    expect(one(expr, 'lenient')).toMatchObject({ passed: true, marginal: true })
    expect(one(expr, 'point')).toMatchObject({ passed: false, marginal: true })
    expect(one(expr, 'strict')).toMatchObject({ passed: false, marginal: true })
    expect(one(expr, 'lenient').message).toMatch(/; marginal: the 95% interval spans the bound \(lenient: passes until the data show a miss\)$/)
  })

  it('take the sequential decision of a level stopped early as settled, not the fixed-sample interval', () => {
    const bound = Number((p95 - 0.05).toFixed(2)) as number
    const expr = `< ${bound}` as ExpressionText
    const stopped = (state: 'met' | 'missed') => ({
      ...level,
      summary: { ...level.summary, stoppedEarly: { reason: 'settled' as const, message: 'settled', requests: 380, objectives: [{ figure: 'ttft.p95', op: '<' as const, bound, state }] } },
    })
    for (const [state, passed] of [['met', true], ['missed', false]] as const) {
      const c = evaluateObjectives({ 'ttft.p95': { expect: expr, confidence: 'strict' } }, [stopped(state)])[0]
      expect(c).toMatchObject({ passed, settledEarly: 380 })
      expect(c.marginal).toBeUndefined()
      expect(c.message).toMatch(new RegExp(`; ${state} by the sequential rule at 380 requests \\(95% over every look;`))
    }
    // A decision on another bound, or repeats that disagree, leave the interval to decide.
    const other = { ...stopped('met'), summary: { ...stopped('met').summary, stoppedEarly: { ...stopped('met').summary.stoppedEarly, objectives: [{ figure: 'ttft.p95', op: '<' as const, bound: bound + 1, state: 'met' as const }] } } }
    expect(evaluateObjectives({ 'ttft.p95': { expect: expr, confidence: 'strict' } }, [other])[0]).toMatchObject({ passed: false, marginal: true })
    expect(evaluateObjectives({ 'ttft.p95': { expect: expr, confidence: 'strict' } }, [stopped('met'), stopped('missed')])[0]).toMatchObject({ marginal: true })
  })

  it('fail a clear miss and pass a clear hit under every rule', () => {
    for (const rule of ['lenient', 'strict', 'point'] as const) {
      expect(one('< 50', rule)).toMatchObject({ passed: false })
      expect(one('< 70', rule)).toMatchObject({ passed: true })
      expect(one('< 50', rule).marginal).toBeUndefined()
    }
  })

  it('take the scenario rule when an objective names none', () => {
    const bound = `< ${Number((p95 - 0.05).toFixed(2))}` as ExpressionText
    expect(evaluateObjectives({ 'ttft.p95': bound }, [level], undefined, { confidence: 'strict' })[0].passed).toBe(false)
    expect(evaluateObjectives({ 'ttft.p95': bound }, [level], undefined, { confidence: 'lenient' })[0].passed).toBe(true)
  })
})
