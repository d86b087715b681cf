// The metrics module against METRICS.md. Every expected value is worked out by hand in a comment.
import { describe, expect, it } from 'vitest'
import {
  checkSloApplicable,
  computeStats,
  e2e,
  e2eWithQueue,
  evaluateGoodput,
  formatGoodput,
  isSuccess,
  itlSamples,
  maxInFlight,
  maxTokenGap,
  parseSlo,
  percentile,
  queueDelay,
  summarizeLevel,
  tpot,
  ttfc,
  ttft,
} from '../src/metrics/index.js'
import type { GoodputSummary, LevelSummary, RequestRecord } from '../src/results/types.js'

// ---------------------------------------------------------------------------------------------
// Fixtures

/** A successful streamed record with neutral defaults; override any field. */
function rec(p: Partial<RequestRecord> = {}): RequestRecord {
  return {
    index: 0,
    warmup: false,
    stream: true,
    scheduledAt: 0,
    sentAt: 0,
    endAt: 0,
    outcome: 'ok',
    outputTokens: 1,
    outputTokensSource: 'usage',
    inputTokens: 10,
    inputTokensSource: 'usage',
    ...p,
  }
}

/**
 * A successful streamed record whose token events arrive `times` ms after `sentAt` (times[0] is
 * the TTFT): firstContentAt = firstTokenAt, lastTokenAt = sentAt + last time, endAt = lastTokenAt + 1,
 * scheduledAt = sentAt. outputTokens = sum of `counts` if given, else the number of events.
 */
function streamed(sentAt: number, times: number[], p: Partial<RequestRecord> & { counts?: number[] } = {}): RequestRecord {
  const { counts, ...rest } = p
  const last = sentAt + times[times.length - 1]
  return rec({
    scheduledAt: sentAt,
    sentAt,
    firstTokenAt: sentAt + times[0],
    firstContentAt: sentAt + times[0],
    lastTokenAt: last,
    endAt: last + 1,
    tokenTimes: times,
    ...(counts !== undefined ? { tokenCounts: counts } : {}),
    outputTokens: counts !== undefined ? counts.reduce((a, b) => a + b, 0) : times.length,
    ...rest,
  })
}

/** A successful non-streamed record: the whole body arrives at endAt. */
function unstreamed(sentAt: number, endAt: number, p: Partial<RequestRecord> = {}): RequestRecord {
  return rec({ stream: false, scheduledAt: sentAt, sentAt, endAt, outputTokens: 50, ...p })
}

/** A failed record (no token). */
function failed(sentAt: number, endAt: number, p: Partial<RequestRecord> = {}): RequestRecord {
  return rec({ scheduledAt: sentAt, sentAt, endAt, outcome: 'timeout', outputTokens: 0, ...p })
}

const CLEAN_CLIENT = { eventLoopDelayP99Ms: 1, cpuPercent: 20 }
const LOAD: LevelSummary['load'] = { kind: 'concurrency', value: 4 }

function level(records: RequestRecord[], extra: Partial<Parameters<typeof summarizeLevel>[1]> = {}): LevelSummary {
  return summarizeLevel(records, { load: LOAD, client: CLEAN_CLIENT, ...extra })
}

// ---------------------------------------------------------------------------------------------
// stats.ts

describe('percentile (numpy type 7)', () => {
  it('interpolates [1,2,3,4]: p50 = 2.5, p90 = 3.7', () => {
    // p50: h = (4-1)·0.5 = 1.5 → 2 + 0.5·(3-2) = 2.5   (numpy: 2.5)
    // p90: h = (4-1)·0.9 = 2.7 → 3 + 0.7·(4-3) = 3.7   (numpy: 3.7)
    expect(percentile([1, 2, 3, 4], 50)).toBeCloseTo(2.5, 12)
    expect(percentile([1, 2, 3, 4], 90)).toBeCloseTo(3.7, 12)
  })

  it('interpolates [15,20,35,40,50]: p50 = 35, p90 = 46, p95 = 48, p99 = 49.6, p99.9 = 49.96', () => {
    const s = [15, 20, 35, 40, 50]
    // h = 4·p/100
    expect(percentile(s, 50)).toBe(35) //   h = 2    → s[2] = 35
    expect(percentile(s, 90)).toBeCloseTo(46, 12) // h = 3.6  → 40 + 0.6·10 = 46
    expect(percentile(s, 95)).toBeCloseTo(48, 12) // h = 3.8  → 40 + 0.8·10 = 48
    expect(percentile(s, 99)).toBeCloseTo(49.6, 12) // h = 3.96 → 40 + 0.96·10 = 49.6
    expect(percentile(s, 99.9)).toBeCloseTo(49.96, 12) // h = 3.996 → 40 + 0.996·10 = 49.96
  })

  it('gives min at p0, max at p100, and the value itself for one sample', () => {
    expect(percentile([3, 7, 9], 0)).toBe(3)
    expect(percentile([3, 7, 9], 100)).toBe(9)
    expect(percentile([42], 99.9)).toBe(42) // h = 0·0.999 = 0 → s[0]
  })

  it('rejects no samples and p outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError)
    expect(() => percentile([1], 101)).toThrow(RangeError)
    expect(() => percentile([1], -1)).toThrow(RangeError)
  })
})

describe('computeStats', () => {
  it('is undefined for no samples', () => {
    expect(computeStats([])).toBeUndefined()
  })

  it('uses the population std: [2,4,4,4,5,5,7,9] → mean 5, std 2', () => {
    // squared deviations from 5: 9,1,1,1,0,0,4,16 = 32; 32/8 = 4; √4 = 2
    // (the sample std would be √(32/7) ≈ 2.138)
    const s = computeStats([2, 4, 4, 4, 5, 5, 7, 9])!
    expect(s.count).toBe(8)
    expect(s.mean).toBe(5)
    expect(s.std).toBe(2)
  })

  it('sorts numerically, not lexicographically, and leaves the input unchanged', () => {
    const input = [10, 9, 100, 1]
    const s = computeStats(input)!
    // sorted [1, 9, 10, 100]; p50: h = 1.5 → 9 + 0.5·1 = 9.5 (a string sort would give [1,10,100,9])
    expect(s.min).toBe(1)
    expect(s.max).toBe(100)
    expect(s.p50).toBeCloseTo(9.5, 12)
    expect(input).toEqual([10, 9, 100, 1])
  })

  it('fills every percentile: 0..10 → p50 5, p90 9, p95 9.5, p99 9.9, p999 9.99', () => {
    // n = 11, h = 10·p/100 and s[i] = i, so each percentile equals h
    const s = computeStats([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])!
    expect(s.p50).toBe(5)
    expect(s.p90).toBeCloseTo(9, 12)
    expect(s.p95).toBeCloseTo(9.5, 12)
    expect(s.p99).toBeCloseTo(9.9, 12)
    expect(s.p999).toBeCloseTo(9.99, 12)
    expect(s.mean).toBe(5) // 55 / 11
  })
})

// ---------------------------------------------------------------------------------------------
// request.ts

describe('per-request values', () => {
  it('separates TTFT and TTFC for a reasoning request', () => {
    // reasoning token at 1120, first visible content at 1400, sent at 1000
    const r = rec({ sentAt: 1000, firstTokenAt: 1120, firstContentAt: 1400, lastTokenAt: 1900, endAt: 1901, outputTokens: 20 })
    expect(ttft(r)).toBe(120) // 1120 - 1000
    expect(ttfc(r)).toBe(400) // 1400 - 1000
  })

  it('measures streamed E2E to the last token, not to the end of the response', () => {
    const r = rec({ sentAt: 1000, firstTokenAt: 1100, lastTokenAt: 1500, endAt: 1600 })
    expect(e2e(r)).toBe(500) // 1500 - 1000, endAt ignored
  })

  it('gives a non-streamed request E2E = endAt − sentAt and no TTFT, TTFC, TPOT or ITL', () => {
    const r = unstreamed(1000, 1750)
    expect(e2e(r)).toBe(750) // 1750 - 1000
    expect(ttft(r)).toBeUndefined()
    expect(ttfc(r)).toBeUndefined()
    expect(tpot(r)).toBeUndefined()
    expect(maxTokenGap(r)).toBeUndefined()
    const out: number[] = []
    expect(itlSamples(r, out)).toBe(0)
    expect(out).toEqual([])
  })

  it('computes queue delay and E2E including queue from scheduledAt', () => {
    const r = rec({ scheduledAt: 990, sentAt: 1000, firstTokenAt: 1100, lastTokenAt: 1300, endAt: 1301 })
    expect(queueDelay(r)).toBe(10) // 1000 - 990
    expect(e2eWithQueue(r)).toBe(310) // 1300 - 990
    expect(e2eWithQueue(unstreamed(1000, 1500, { scheduledAt: 980 }))).toBe(520) // 1500 - 980
  })

  it('leaves TPOT undefined for N = 1', () => {
    expect(tpot(streamed(0, [100], { outputTokens: 1 }))).toBeUndefined()
  })

  it('computes TPOT for N = 2', () => {
    // E2E = 160, TTFT = 100 → (160 - 100) / (2 - 1) = 60
    expect(tpot(streamed(0, [100, 160]))).toBe(60)
  })

  it('computes TPOT for N = 5', () => {
    // E2E = 300, TTFT = 100 → (300 - 100) / (5 - 1) = 50
    expect(tpot(streamed(0, [100, 150, 200, 250, 300]))).toBe(50)
  })

  it('splits a multi-token event into k samples of gap/k (SGLang)', () => {
    // events at 100, 130 (3 tokens), 150 (1 token): gap 30 / 3 → 10,10,10; gap 20 → 20
    const r = streamed(0, [100, 130, 150], { counts: [1, 3, 1] })
    const out: number[] = []
    expect(itlSamples(r, out)).toBe(4)
    expect(out).toEqual([10, 10, 10, 20])
    expect(maxTokenGap(r)).toBe(20) // the largest sample
  })

  it('gives one ITL sample per event when token counts are unknown (chunk granularity)', () => {
    // events at 100, 130, 150: gaps 30 and 20
    const r = streamed(0, [100, 130, 150])
    const out: number[] = [7] // appends, keeps what is there
    expect(itlSamples(r, out)).toBe(2)
    expect(out).toEqual([7, 30, 20])
    expect(maxTokenGap(r)).toBe(30)
  })

  it('takes the max token gap over split samples', () => {
    // events at 100 and 190, second carries 3 tokens: 90 / 3 = 30 per token (not 90)
    expect(maxTokenGap(streamed(0, [100, 190], { counts: [1, 3] }))).toBe(30)
  })

  it('has no max token gap with a single event', () => {
    expect(maxTokenGap(streamed(0, [100]))).toBeUndefined()
  })

  it('succeeds only with outcome ok', () => {
    expect(isSuccess(rec())).toBe(true)
    expect(isSuccess(failed(0, 10))).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// goodput.ts

describe('parseSlo', () => {
  it('reads the comma form', () => {
    expect(parseSlo('ttft:500,tpot:50')).toEqual({ ttft: 500, tpot: 50 })
  })

  it("reads vLLM's space form", () => {
    expect(parseSlo('ttft:500 tpot:50')).toEqual({ ttft: 500, tpot: 50 })
  })

  it('reads e2el as an alias of e2e, and every key with decimals and mixed separators', () => {
    expect(parseSlo('e2el:2000')).toEqual({ e2e: 2000 })
    expect(parseSlo(' ttft:500, ttfc:800  tpot:12.5,itl:100 e2e:3000 ')).toEqual({
      ttft: 500,
      ttfc: 800,
      tpot: 12.5,
      itl: 100,
      e2e: 3000,
    })
  })

  const oneLine = (f: () => unknown): string => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(Error)
      const msg = (e as Error).message
      expect(msg).not.toContain('\n')
      return msg
    }
    throw new Error('expected a throw')
  }

  it('rejects empty text', () => {
    expect(oneLine(() => parseSlo(''))).toMatch(/empty.*ttft:500/)
    expect(oneLine(() => parseSlo('  , '))).toMatch(/empty/)
  })

  it('rejects an unknown key and lists the valid ones', () => {
    const msg = oneLine(() => parseSlo('ttft:500,ttfb:100'))
    expect(msg).toContain('"ttfb"')
    expect(msg).toContain('ttft, ttfc, tpot, itl, e2e')
  })

  it('rejects a non-numeric value', () => {
    expect(oneLine(() => parseSlo('ttft:fast'))).toMatch(/ttft:fast.*non-numeric.*milliseconds/)
    expect(oneLine(() => parseSlo('ttft:'))).toMatch(/non-numeric/)
    expect(oneLine(() => parseSlo('ttft:500ms'))).toMatch(/non-numeric/)
  })

  it('rejects a non-positive value', () => {
    expect(oneLine(() => parseSlo('ttft:0'))).toMatch(/ttft:0.*not positive/)
    expect(oneLine(() => parseSlo('tpot:-5'))).toMatch(/not positive/)
  })

  it('rejects a non-finite value', () => {
    expect(oneLine(() => parseSlo('e2e:1e999'))).toMatch(/e2e:1e999.*not finite/)
    expect(oneLine(() => parseSlo('e2e:Infinity'))).toMatch(/non-numeric/)
  })

  it('rejects a duplicate key, also through the alias', () => {
    expect(oneLine(() => parseSlo('ttft:500,ttft:400'))).toMatch(/"ttft" is given twice/)
    expect(oneLine(() => parseSlo('e2e:1000 e2el:2000'))).toMatch(/"e2e" is given twice.*alias/)
  })

  it('rejects a pair without a colon', () => {
    expect(oneLine(() => parseSlo('ttft500'))).toMatch(/"ttft500" is not key:milliseconds/)
  })
})

describe('evaluateGoodput', () => {
  // A: TTFT 500 = bound, TPOT (700-500)/(5-1) = 50 = bound → good (inclusive bounds)
  const A = rec({ sentAt: 0, firstTokenAt: 500, lastTokenAt: 700, endAt: 701, outputTokens: 5 })
  // B: TTFT 501 > 500 → not good; TPOT (701-501)/4 = 50 → meets tpot
  const B = rec({ sentAt: 0, firstTokenAt: 501, lastTokenAt: 701, endAt: 702, outputTokens: 5 })
  // C: TTFT 200, N = 1 → TPOT undefined → tpot objective met → good
  const C = rec({ sentAt: 0, firstTokenAt: 200, lastTokenAt: 200, endAt: 201, outputTokens: 1 })
  // D: failed although its first token was fast → meets nothing
  const D = rec({ sentAt: 0, firstTokenAt: 100, lastTokenAt: 150, endAt: 151, outputTokens: 5, outcome: 'disconnect' })
  // W: warm-up → not counted at all
  const W = rec({ warmup: true, sentAt: 0, firstTokenAt: 100, lastTokenAt: 150, endAt: 151, outputTokens: 5 })

  it('counts good requests, ratio, rate and per-objective met with inclusive bounds', () => {
    const g = evaluateGoodput([A, B, C, D, W], { ttft: 500, tpot: 50 }, 2)
    expect(g.total).toBe(4) // A, B, C, D
    expect(g.good).toBe(2) // A, C
    expect(g.ratio).toBe(0.5) // 2 / 4
    expect(g.rate).toBe(1) // 2 good / 2 s
    expect(g.met).toEqual({ ttft: 2, tpot: 3 }) // ttft: A, C; tpot: A, B, C
    expect(g.slo).toEqual({ ttft: 500, tpot: 50 })
  })

  it('applies an itl bound to the max token gap', () => {
    // gaps 30 and 60 → max 60
    const r = streamed(0, [100, 130, 190])
    expect(evaluateGoodput([r], { itl: 60 }, 1).good).toBe(1)
    expect(evaluateGoodput([r], { itl: 59.9 }, 1).good).toBe(0)
    // 90 ms event carrying 3 tokens → 30 per token
    expect(evaluateGoodput([streamed(0, [100, 190], { counts: [1, 3] })], { itl: 30 }, 1).good).toBe(1)
  })

  it('gives 0 ratio and rate (not NaN) with no requests and no duration', () => {
    const g = evaluateGoodput([], { e2e: 1000 }, 0)
    expect(g).toMatchObject({ good: 0, total: 0, ratio: 0, rate: 0, met: { e2e: 0 } })
  })
})

describe('checkSloApplicable', () => {
  it('rejects streaming objectives for non-streamed requests, naming them', () => {
    expect(() => checkSloApplicable({ ttft: 500, tpot: 50, e2e: 900 }, false)).toThrow(/ttft, tpot .*streaming/)
  })

  it('accepts e2e without streaming and anything with streaming', () => {
    expect(() => checkSloApplicable({ e2e: 900 }, false)).not.toThrow()
    expect(() => checkSloApplicable({ ttft: 1, ttfc: 1, tpot: 1, itl: 1, e2e: 1 }, true)).not.toThrow()
  })
})

describe('formatGoodput', () => {
  it('prints the console block exactly', () => {
    const g: GoodputSummary = { slo: { tpot: 50, ttft: 500 }, good: 87, total: 100, ratio: 0.87, rate: 8.7, met: { tpot: 89, ttft: 92 } }
    expect(formatGoodput(g)).toBe(
      'Goodput: 87.0% (87/100 requests met SLO)\n' + //
        '  - TTFT ≤ 500ms: 92/100\n' +
        '  - TPOT ≤ 50ms: 89/100',
    )
  })

  it('orders ttft, ttfc, tpot, itl, e2e and rounds the percent to one decimal', () => {
    // 2/3 = 66.666…% → 66.7%
    const g: GoodputSummary = {
      slo: { e2e: 2000, itl: 80, ttfc: 700, ttft: 300, tpot: 12.5 },
      good: 2,
      total: 3,
      ratio: 2 / 3,
      rate: 1,
      met: { e2e: 3, itl: 2, ttfc: 3, ttft: 3, tpot: 2 },
    }
    expect(formatGoodput(g)).toBe(
      [
        'Goodput: 66.7% (2/3 requests met SLO)',
        '  - TTFT ≤ 300ms: 3/3',
        '  - TTFC ≤ 700ms: 3/3',
        '  - TPOT ≤ 12.5ms: 2/3',
        '  - ITL ≤ 80ms: 2/3',
        '  - E2E ≤ 2000ms: 3/3',
      ].join('\n'),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// level.ts

describe('summarizeLevel', () => {
  // R1 [1000, 2000): TTFT 100, last token 1900 → E2E 900, N = 10, input 100
  const R1 = streamed(1000, [100, 900], { outputTokens: 10, inputTokens: 100, endAt: 2000 })
  // R2 [2000, 3000): touches R1 at 2000; E2E 900, N = 20, input 200
  const R2 = streamed(2000, [100, 900], { outputTokens: 20, inputTokens: 200, endAt: 3000 })
  // R3 [1500, 2500): failed (http), its tokens count nowhere
  const R3 = failed(1500, 2500, { outcome: 'http', outputTokens: 5, inputTokens: 999, error: { status: 500, message: 'boom' } })

  it('computes duration, throughputs and achieved concurrency over succeeded requests', () => {
    const s = level([R1, R2, R3])
    expect(s.durationSec).toBe(2) // (3000 - 1000) ms
    expect(s.requests).toEqual({ total: 3, succeeded: 2, failed: 1, warmup: 0 })
    expect(s.throughput.requestsPerSec).toBe(1) // 2 / 2 s
    expect(s.throughput.outputTokensPerSec).toBe(15) // (10 + 20) / 2
    expect(s.throughput.inputTokensPerSec).toBe(150) // (100 + 200) / 2
    expect(s.throughput.totalTokensPerSec).toBe(165) // 15 + 150
    expect(s.concurrency.achieved).toBe(0.9) // (900 + 900) ms / 2000 ms
  })

  it('sweeps max in flight exactly, an end freeing its slot before a start at the same time', () => {
    expect(maxInFlight([R1, R2])).toBe(1) // [1000,2000) and [2000,3000) only touch
    expect(level([R1, R2, R3]).concurrency.maxInFlight).toBe(2) // 1500..2000: R1+R3; 2000..2500: R2+R3
    // three nested: [0,100), [10,90), [20,30) → 3 at 20
    expect(maxInFlight([failed(0, 100), failed(10, 90), failed(20, 30)])).toBe(3)
  })

  it('leaves failures out of latency statistics but counts them in errors and goodput', () => {
    const slow = failed(0, 5000, { outcome: 'timeout', firstTokenAt: 10, lastTokenAt: 4000, outputTokens: 3 })
    const s = level([R1, R2, R3, slow], { slo: { e2e: 900 } })
    expect(s.stats.ttft).toMatchObject({ count: 2, min: 100, max: 100 })
    expect(s.stats.e2e).toMatchObject({ count: 2, max: 900 })
    expect(s.stats.outputTokens).toMatchObject({ count: 2, mean: 15 }) // (10 + 20) / 2
    expect(s.errors).toEqual({ http: 1, timeout: 1 })
    expect(s.goodput).toMatchObject({ good: 2, total: 4, ratio: 0.5 }) // R1, R2 have E2E 900 = bound
  })

  it('leaves warm-up requests out of everything but the warm-up count', () => {
    const w = streamed(0, [5000, 9000], { warmup: true, outputTokens: 1000 })
    const s = level([w, R1, R2], { slo: { ttft: 200 } })
    expect(s.requests).toEqual({ total: 2, succeeded: 2, failed: 0, warmup: 1 })
    expect(s.durationSec).toBe(2) // 3000 - 1000, the warm-up at 0 ignored
    expect(s.stats.ttft?.max).toBe(100)
    expect(s.throughput.outputTokensPerSec).toBe(15)
    expect(s.goodput?.total).toBe(2)
  })

  it('reports no TTFT, TTFC, TPOT, ITL or max-gap statistics for non-streamed requests', () => {
    // E2E: 1750 - 1000 = 750 and 2200 - 1200 = 1000
    const s = level([unstreamed(1000, 1750), unstreamed(1200, 2200)])
    for (const key of ['ttft', 'ttfc', 'tpot', 'itl', 'maxTokenGap'] as const) expect(key in s.stats).toBe(false)
    expect(s.stats.e2e).toMatchObject({ count: 2, min: 750, max: 1000, mean: 875 })
  })

  it('pools ITL per token and averages TPOT per request', () => {
    // a: events 0,10,20 (N=3): ITL 10,10; TPOT (20-0)/2 = 10
    // b: events 0,40 (N=2): ITL 40; TPOT 40/1 = 40
    const s = level([streamed(0, [0, 10, 20]), streamed(0, [0, 40])])
    expect(s.stats.itl).toMatchObject({ count: 3, mean: 20 }) // (10+10+40)/3
    expect(s.stats.tpot).toMatchObject({ count: 2, mean: 25 }) // (10+40)/2
    expect(s.stats.maxTokenGap).toMatchObject({ count: 2, min: 10, max: 40 })
  })

  it('leaves N = 1 requests out of TPOT statistics', () => {
    // TPOT: only the N = 5 request, (300-100)/4 = 50
    const s = level([streamed(0, [100]), streamed(0, [100, 150, 200, 250, 300])])
    expect(s.stats.tpot).toMatchObject({ count: 1, mean: 50 })
    expect(s.stats.ttft?.count).toBe(2)
  })

  it('uses every measured request for queue delay', () => {
    // ok: 10 - 0 = 10; failed: 30 - 0 = 30
    const ok = streamed(10, [5], { scheduledAt: 0 })
    const bad = failed(30, 40, { scheduledAt: 0 })
    expect(level([ok, bad]).stats.queueDelay).toMatchObject({ count: 2, min: 10, max: 30, mean: 20 })
  })

  it('marks ITL granularity token, chunk or mixed', () => {
    const token = streamed(0, [10, 20], { counts: [1, 2] })
    const chunk = streamed(0, [10, 20])
    const single = streamed(0, [10]) // one event: no gap, does not count either way
    expect(level([token, single]).itlGranularity).toBe('token')
    expect(level([chunk, single]).itlGranularity).toBe('chunk')
    expect(level([token, chunk]).itlGranularity).toBe('mixed')
  })

  it('counts output token sources of succeeded requests', () => {
    const s = level([
      streamed(0, [10], { outputTokensSource: 'usage' }),
      streamed(0, [10], { outputTokensSource: 'usage' }),
      streamed(0, [10], { outputTokensSource: 'events' }),
    ])
    expect(s.outputTokensSource).toEqual({ usage: 2, events: 1 })
  })

  it('handles a level with no measured requests without dividing by zero', () => {
    const s = level([streamed(0, [10], { warmup: true })])
    expect(s.durationSec).toBe(0)
    expect(s.throughput).toEqual({ requestsPerSec: 0, outputTokensPerSec: 0, inputTokensPerSec: 0, totalTokensPerSec: 0 })
    expect(s.concurrency).toEqual({ achieved: 0, maxInFlight: 0 })
    expect(s.stats).toEqual({})
    expect(s.warnings).toEqual([])
  })

  describe('validity warnings', () => {
    const okRecords = Array.from({ length: 20 }, (_, i) => streamed(i * 100, [10, 20], { index: i }))

    it('has none for a clean level', () => {
      expect(level(okRecords).warnings).toEqual([])
    })

    it('warns when event-loop delay p99 exceeds 5 ms, not at 5 ms', () => {
      expect(level(okRecords, { client: { eventLoopDelayP99Ms: 5, cpuPercent: 20 } }).warnings).toEqual([])
      const w = level(okRecords, { client: { eventLoopDelayP99Ms: 7.25, cpuPercent: 20 } }).warnings
      expect(w).toHaveLength(1)
      expect(w[0]).toMatch(/event-loop delay p99 was 7\.3 ms \(over 5 ms\)/)
    })

    it('warns of one client stall by the event loop\'s max delay when the p99 hides it (issue 20, item 16)', () => {
      // A 31 MB upload parsed on the measuring thread: a 2 s stall once, a p99 of samples near zero.
      const stalled = level(okRecords, { client: { eventLoopDelayP99Ms: 0.4, eventLoopDelayMaxMs: 2300, cpuPercent: 20 } })
      expect(stalled.warnings).toEqual([expect.stringMatching(/^Client event loop stalled for 2300 ms at least once \(over 50 ms\)/)])
      expect(stalled.client).toEqual({ eventLoopDelayP99Ms: 0.4, eventLoopDelayMaxMs: 2300, cpuPercent: 20 })
      expect(level(okRecords, { client: { eventLoopDelayP99Ms: 0.4, eventLoopDelayMaxMs: 50, cpuPercent: 20 } }).warnings).toEqual([])
      // Over both: the p99's warning says it already.
      expect(level(okRecords, { client: { eventLoopDelayP99Ms: 9, eventLoopDelayMaxMs: 300, cpuPercent: 20 } }).warnings).toEqual([expect.stringMatching(/p99 was 9 ms/)])
    })

    it('warns when client CPU exceeds 90%, not at 90%', () => {
      expect(level(okRecords, { client: { eventLoopDelayP99Ms: 1, cpuPercent: 90 } }).warnings).toEqual([])
      const w = level(okRecords, { client: { eventLoopDelayP99Ms: 1, cpuPercent: 97 } }).warnings
      expect(w).toHaveLength(1)
      expect(w[0]).toMatch(/CPU was 97% \(over 90%\)/)
    })

    it('warns when any output token count is an estimate', () => {
      const records = [...okRecords.slice(1), streamed(0, [10, 20], { outputTokensSource: 'estimate' })]
      const w = level(records).warnings
      expect(w).toHaveLength(1)
      expect(w[0]).toMatch(/Output token counts of 1 of 20 succeeded requests are tokenizer estimates/)
    })

    it('warns when fewer than 95% of requests succeed, not at exactly 95%', () => {
      // 19/20 = 95% → no warning; 18/20 = 90% → warning
      const one = [...okRecords.slice(1), failed(0, 10)]
      expect(level(one).warnings).toEqual([])
      const two = [...okRecords.slice(2), failed(0, 10), failed(0, 10)]
      const w = level(two).warnings
      expect(w).toHaveLength(1)
      expect(w[0]).toMatch(/Only 90\.0% of requests succeeded \(18\/20, under 95%\)/)
    })
  })
})
