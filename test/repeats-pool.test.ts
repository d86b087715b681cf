/**
 * summaryOfRepeats pools every field of a level's repeats, not the first repeat's: counts add,
 * rates come from the pooled counts, tables merge by key (metrics/repeats.ts, metrics/pool.ts).
 * Hand-made summaries with different values per repeat, each pooled value against a hand
 * computation; then a run against the simulator with `repeat: 2`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { summaryOfRepeats } from '../src/metrics/repeats.js'
import { createBenchResult } from '../src/dsl/bench-result.js'
import { evaluateObjectives } from '../src/dsl/index.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import type { LevelResult, LevelSummary, PrefixCacheSummary, SessionsSummary, Stats } from '../src/results/types.js'

/** Statistics of a list of values, as computeStats gives them (sample std; percentiles unused here). */
const statsOf = (xs: number[]): Stats => {
  const m = xs.reduce((a, x) => a + x, 0) / xs.length
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0
  return { count: xs.length, mean: m, std, min: Math.min(...xs), max: Math.max(...xs), p50: m, p90: m, p95: m, p99: m, p999: m }
}

/** A level summary of repeat `index` of `of`, with the fields given. */
function repeat(index: number, over: Partial<LevelSummary> = {}, of = 2): LevelSummary {
  return {
    load: { kind: 'concurrency', value: 4, repeat: { index, of } },
    requests: { total: 10, succeeded: 10, failed: 0, warmup: 1 },
    errors: {},
    durationSec: 2,
    throughput: { requestsPerSec: 5, outputTokensPerSec: 50, inputTokensPerSec: 100, totalTokensPerSec: 150 },
    concurrency: { achieved: 3, maxInFlight: 4 },
    stats: {},
    itlGranularity: 'token',
    outputTokensSource: { usage: 10 },
    client: { eventLoopDelayP99Ms: 1, cpuPercent: 10 },
    warnings: [],
    ...over,
  }
}

describe('summaryOfRepeats: counts and statistics', () => {
  it('adds every count, keys present in any repeat included', () => {
    const s = summaryOfRepeats([
      repeat(1, { requests: { total: 10, succeeded: 8, failed: 2, warmup: 1 }, errors: { http: 2 }, outputTokensSource: { usage: 8 } }),
      repeat(2, { requests: { total: 12, succeeded: 9, failed: 3, warmup: 1, cooldown: 2, interrupted: 1 }, errors: { http: 1, timeout: 2 }, outputTokensSource: { usage: 5, estimate: 4 } }),
    ])
    expect(s.requests).toEqual({ total: 22, succeeded: 17, failed: 5, warmup: 2, cooldown: 2, interrupted: 1 })
    expect(s.errors).toEqual({ http: 3, timeout: 2 })
    expect(s.outputTokensSource).toEqual({ usage: 13, estimate: 4 })
    expect(s.durationSec).toBe(4)
    expect(s.load.repeat).toBeUndefined()
  })

  it("pools a statistic's mean and spread over every sample, also one the first repeat lacks", () => {
    const s = summaryOfRepeats([
      repeat(1, { stats: { e2e: statsOf([1, 3]) } }),
      repeat(2, { stats: { e2e: statsOf([5, 7, 9]), ttft: statsOf([4, 6]) } }),
    ])
    // [1, 3, 5, 7, 9]: mean 5, sample variance (16 + 4 + 0 + 4 + 16) / 4 = 10.
    expect(s.stats.e2e).toMatchObject({ count: 5, mean: 5, min: 1, max: 9 })
    expect(s.stats.e2e!.std).toBeCloseTo(Math.sqrt(10), 12)
    expect(s.stats.ttft).toMatchObject({ count: 2, mean: 5 })
  })

  it('ITL granularity: one kind when every repeat had it, mixed when they differ; a sketched ITL stays flagged', () => {
    const gaps = { itl: statsOf([1, 2]) }
    const chunked = repeat(2, { stats: gaps, itlGranularity: 'chunk', itlApprox: { method: 'ddsketch', relativeError: 0.01 } })
    expect(summaryOfRepeats([repeat(1, { stats: gaps, itlGranularity: 'chunk' }), chunked]).itlGranularity).toBe('chunk')
    const mixed = summaryOfRepeats([repeat(1, { stats: gaps, itlGranularity: 'token' }), chunked])
    expect(mixed.itlGranularity).toBe('mixed')
    expect(mixed.itlApprox).toEqual({ method: 'ddsketch', relativeError: 0.01 })
    // A repeat without any gap says nothing about their kind.
    expect(summaryOfRepeats([repeat(1, { itlGranularity: 'token' }), chunked]).itlGranularity).toBe('chunk')
  })

  it('goodput objectives met are added per objective, the first repeat lacking one included', () => {
    const slo = { ttft: 100, valid: true as const }
    const s = summaryOfRepeats([
      repeat(1, { goodput: { slo, good: 6, total: 10, ratio: 0.6, rate: 3, met: { ttft: 8 } } }),
      repeat(2, { goodput: { slo, good: 2, total: 10, ratio: 0.2, rate: 1, met: { ttft: 4, valid: 3 } } }),
    ])
    expect(s.goodput).toEqual({ slo, good: 8, total: 20, ratio: 0.4, rate: 2, met: { ttft: 12, valid: 3 } })
  })

  it('leaves out what belongs to one run of the load', () => {
    const slice = { startSec: 0, endSec: 1, load: 4, ended: 3, failed: 0, outputTokensPerSec: 10 }
    const s = summaryOfRepeats([
      repeat(1, { timeSlices: [slice], stoppedEarly: { reason: 'settled', message: 'settled after 10 requests', requests: 10 } }),
      repeat(2, { timeSlices: [slice] }),
    ])
    expect(s.timeSlices).toBeUndefined()
    expect(s.stoppedEarly).toBeUndefined()
    expect(s.schedule).toBeUndefined()
  })
})

describe('summaryOfRepeats: request kinds', () => {
  it('media: every total added, a repeat without media counting none', () => {
    const a = { requests: 4, images: 8, pixels: 800, imageBytes: 80, audio: 0, audioBytes: 0, audioSeconds: 0, urls: 1 }
    const b = { requests: 2, images: 2, pixels: 300, imageBytes: 20, audio: 2, audioBytes: 64, audioSeconds: 3.5, urls: 0 }
    expect(summaryOfRepeats([repeat(1, { media: a }), repeat(2, { media: b }), repeat(3)]).media).toEqual({
      requests: 6, images: 10, pixels: 1100, imageBytes: 100, audio: 2, audioBytes: 64, audioSeconds: 3.5, urls: 1,
    })
  })

  it('validity: counts and reasons added, the rate from the pooled counts (not the mean of rates)', () => {
    const each = [
      repeat(1, { requests: { total: 10, succeeded: 10, failed: 0, warmup: 0, invalid: 2 }, validity: { checked: 10, valid: 8, invalid: 2, rate: 0.8, reasons: { 'not JSON': 2 } } }),
      repeat(2, { requests: { total: 30, succeeded: 30, failed: 0, warmup: 0, invalid: 15 }, validity: { checked: 30, valid: 15, invalid: 15, rate: 0.5, reasons: { 'not JSON': 5, '/days': 10 } } }),
    ]
    const s = summaryOfRepeats(each)
    expect(s.validity).toEqual({ checked: 40, valid: 23, invalid: 17, rate: 23 / 40, reasons: { 'not JSON': 7, '/days': 10 } })
    expect(s.requests.invalid).toBe(17)
    // What a bench file's `result.level(c)` reads.
    const result = createBenchResult({ id: 's', name: 's' }, {} as never, each.map((summary) => ({ summary, records: [] })))
    expect(result.level(4).validity?.rate).toBe(23 / 40)
  })

  it("reasoning: tokens added, the share over the pooled tokens", () => {
    const s = summaryOfRepeats([
      repeat(1, { reasoning: { requests: 2, reasoningTokens: 10, visibleTokens: 30, share: 0.25 } }),
      repeat(2, { reasoning: { requests: 3, reasoningTokens: 60, visibleTokens: 40, share: 0.6 } }),
    ])
    expect(s.reasoning).toEqual({ requests: 5, reasoningTokens: 70, visibleTokens: 70, share: 0.5 })
  })

  it('energy: joules and windows added, watts and joules per output token from the sums', () => {
    // Output tokens: 50 tok/s × 2 s = 100, and 25 tok/s × 4 s = 100.
    const a = repeat(1, { energy: { joules: 100, perOutputToken: 1, watts: 50, gpus: 1, samples: 20, windowSec: 2 } })
    const b = repeat(2, {
      durationSec: 4, throughput: { requestsPerSec: 2.5, outputTokensPerSec: 25, inputTokensPerSec: 50, totalTokensPerSec: 75 },
      energy: { joules: 300, perOutputToken: 3, watts: 75, gpus: 1, samples: 40, windowSec: 4 },
    })
    expect(summaryOfRepeats([a, b]).energy).toEqual({ joules: 400, perOutputToken: 2, watts: 400 / 6, gpus: 1, samples: 60, windowSec: 6 })
  })

  it('energy: a repeat without it leaves no pooled figure, and says why', () => {
    const a = repeat(1, { energy: { joules: 100, perOutputToken: 1, watts: 50, gpus: 1, samples: 20, windowSec: 2 } })
    const b = repeat(2, { energy: { missing: 'GPU power samples do not cover the window' } })
    const s = summaryOfRepeats([a, b])
    expect(s.energy).toEqual({ missing: expect.stringMatching(/^1 of 2 repeats have no energy figure \(GPU power samples do not cover the window\)/) })
    expect(summaryOfRepeats([b, { ...b, load: { ...b.load, repeat: { index: 1, of: 2 } } }]).energy).toEqual({ missing: 'GPU power samples do not cover the window' })
  })

  it('cost: totals added; per million tokens and per request over the pooled tokens and requests', () => {
    // Output 100 and 100 tokens, input 200 and 600, succeeded 10 and 30.
    const a = repeat(1, { cost: { basis: 'gpu-hours', total: 1, perMillionOutput: 1e4, perMillionInput: 5e3, perRequest: 0.1 } })
    const b = repeat(2, {
      requests: { total: 30, succeeded: 30, failed: 0, warmup: 0 }, durationSec: 4,
      throughput: { requestsPerSec: 7.5, outputTokensPerSec: 25, inputTokensPerSec: 150, totalTokensPerSec: 175 },
      cost: { basis: 'gpu-hours', total: 3, perMillionOutput: 3e4, perMillionInput: 5e3, perRequest: 0.1 },
    })
    const c = summaryOfRepeats([a, b]).cost!
    expect(c.basis).toBe('gpu-hours')
    expect(c.total).toBe(4)
    expect(c.perMillionOutput).toBeCloseTo((4 / 200) * 1e6, 9)
    expect(c.perMillionInput).toBeCloseTo((4 / 800) * 1e6, 9)
    expect(c.perRequest).toBeCloseTo(4 / 40, 12)
  })

  it('per adapter: each adapter pooled over the repeats that sent it requests', () => {
    const adapter = (total: number, ttft: number[], index: number) =>
      repeat(index, { requests: { total, succeeded: total, failed: 0, warmup: 0 }, stats: { ttft: statsOf(ttft) }, validity: { checked: total, valid: total - 1, invalid: 1, rate: (total - 1) / total, reasons: { x: 1 } } })
    const s = summaryOfRepeats([
      repeat(1, { byAdapter: { sql: adapter(4, [1, 3], 1), chat: adapter(2, [10], 1) } }),
      repeat(2, { byAdapter: { sql: adapter(6, [5], 2) } }),
    ])
    expect(Object.keys(s.byAdapter!)).toEqual(['chat', 'sql'])
    expect(s.byAdapter!.sql.requests.total).toBe(10)
    expect(s.byAdapter!.sql.stats.ttft).toMatchObject({ count: 3, mean: 3 })
    expect(s.byAdapter!.sql.validity).toMatchObject({ checked: 10, valid: 8, rate: 0.8 })
    expect(s.byAdapter!.sql.load.repeat).toBeUndefined()
    expect(s.byAdapter!.chat.requests.total).toBe(2)
    expect(s.byAdapter!.chat.load.repeat).toBeUndefined()
  })
})

describe('objectives on repeats', () => {
  it('a figure one repeat lacks is absent, and the message says why from that repeat', () => {
    const checked = repeat(1, { validity: { checked: 10, valid: 9, invalid: 1, rate: 0.9, reasons: { x: 1 } } })
    const [c] = evaluateObjectives({ 'valid.rate': '> 0.5' }, [checked, repeat(2)].map((summary) => ({ summary, records: [] })))
    expect(c.passed).toBe(false)
    expect(c.actual).toBeUndefined()
    expect(c.message).toMatch(/has no value: no answer was checked/)
  })
})

describe('summaryOfRepeats: workloads', () => {
  const group = (count: number, ttft: number[]) => ({ count, ttft: statsOf(ttft) })
  const sessions = (over: Partial<SessionsSummary>): SessionsSummary => ({ ended: 0, endedBy: {}, truncated: 0, byTurn: [], byHistory: [], ...over })

  it('sessions: ends added, turns merged by turn (history mean weighted by requests), history groups re-binned', () => {
    const s = summaryOfRepeats([
      repeat(1, {
        sessions: sessions({
          ended: 3, endedBy: { turns: 2, failed: 1 }, truncated: 1, duration: statsOf([100, 200]), turns: statsOf([2, 2, 1]),
          byTurn: [{ turn: 1, ...group(3, [10, 20, 30]), historyTokensMean: 0 }, { turn: 2, ...group(2, [40, 60]), historyTokensMean: 100 }],
          byHistory: [{ from: 0, to: 20, ...group(2, [1, 3]) }, { from: 20, to: 40, ...group(1, [5]) }, { from: 40, to: 60, ...group(3, [7, 8, 9]) }],
        }),
      }),
      repeat(2, {
        sessions: sessions({
          ended: 2, endedBy: { turns: 1, context: 1 }, truncated: 2, duration: statsOf([300]),
          byTurn: [{ turn: 2, ...group(1, [50]), historyTokensMean: 130 }, { turn: 3, ...group(1, [70]), historyTokensMean: 300 }],
          byHistory: [{ from: 0, to: 50, ...group(4, [2, 2, 2, 2]) }, { from: 50, to: 100, ...group(1, [4]) }, { from: 100, to: 150, ...group(2, [6, 8]) }],
        }),
      }),
    ])
    const ss = s.sessions!
    expect([ss.ended, ss.endedBy, ss.truncated]).toEqual([5, { turns: 3, failed: 1, context: 1 }, 3])
    expect(ss.duration).toMatchObject({ count: 3, mean: 200, min: 100, max: 300 })
    expect(ss.turns).toMatchObject({ count: 3 })
    expect(ss.byTurn.map((t) => [t.turn, t.count, t.ttft?.mean, t.historyTokensMean])).toEqual([[1, 3, 20, 0], [2, 3, 50, (2 * 100 + 130) / 3], [3, 1, 70, 300]])
    // Widths 20 and 50: groups of 100 hold every row of both whole.
    expect(ss.byHistory.map((h) => [h.from, h.to, h.count, h.ttft?.count])).toEqual([[0, 100, 11, 11], [100, 200, 2, 2]])
    expect(ss.byHistory[0].ttft!.mean).toBeCloseTo((1 + 3 + 5 + 7 + 8 + 9 + 2 * 4 + 4) / 11, 12)
  })

  it('tools: tasks and ends added, the answered share from them, steps merged by step', () => {
    const s = summaryOfRepeats([
      repeat(1, { tools: { tasks: 3, endedBy: { answer: 2, 'max-steps': 1, failed: 0 }, answeredShare: 2 / 3, steps: statsOf([1, 2, 3]), byStep: [{ step: 1, ...group(3, [1, 2, 3]) }] } }),
      repeat(2, { tools: { tasks: 5, endedBy: { answer: 5, 'max-steps': 0, failed: 0 }, answeredShare: 1, timeToAnswer: statsOf([500]), byStep: [{ step: 1, ...group(1, [5]) }, { step: 2, ...group(1, [9]) }] } }),
    ])
    const t = s.tools!
    expect([t.tasks, t.endedBy, t.answeredShare]).toEqual([8, { answer: 7, 'max-steps': 1, failed: 0 }, 7 / 8])
    expect(t.steps).toMatchObject({ count: 3, mean: 2 })
    expect(t.timeToAnswer).toMatchObject({ count: 1, mean: 500 })
    expect(t.byStep.map((r) => [r.step, r.count, r.ttft?.mean])).toEqual([[1, 4, 11 / 4], [2, 1, 9]])
  })

  it('prefix cache: designed reuse and server counters added, shares from the sums; a gauge averaged', () => {
    const designed = (repeated: number, prompt: number, requests: number) => ({ share: repeated / prompt, repeatedTokens: repeated, promptTokens: prompt, requests })
    const counters = (hits: number, queries: number) => ({ share: hits / queries, source: 'vllm:prefix_cache_hits / vllm:prefix_cache_queries', kind: 'counters' as const, hits, queries })
    const s = summaryOfRepeats([
      repeat(1, { prefixCache: { designed: designed(30, 100, 5), measured: counters(20, 100), also: ['cpu: 5%'], reset: { done: true, via: 'vLLM POST /reset_prefix_cache' } } }),
      repeat(2, { prefixCache: { designed: designed(90, 300, 15), measured: counters(240, 300), also: ['cpu: 7%'], reset: { done: true, via: 'vLLM POST /reset_prefix_cache' } } }),
    ]).prefixCache!
    expect(s.designed).toEqual({ share: 0.3, repeatedTokens: 120, promptTokens: 400, requests: 20 })
    expect(s.measured).toEqual({ ...counters(260, 400), share: 260 / 400 })
    expect(s.also).toBeUndefined()
    expect(s.reset).toEqual({ done: true, via: 'vLLM POST /reset_prefix_cache' })

    const gauge = (share: number): PrefixCacheSummary => ({ designed: null, measured: { share, source: 'sglang:cache_hit_rate', kind: 'gauge' } })
    const g = summaryOfRepeats([repeat(1, { prefixCache: gauge(0.2) }), repeat(2, { prefixCache: gauge(0.6) })]).prefixCache!
    expect(g.designed).toBeNull()
    expect(g.measured).toEqual({ share: 0.4, source: 'sglang:cache_hit_rate', kind: 'gauge' })
  })

  it('prefix cache: a repeat without a server reading leaves no pooled share; a reset missed once is not done', () => {
    const s = summaryOfRepeats([
      repeat(1, { prefixCache: { designed: null, measured: { share: 0.5, source: 'h / q', kind: 'counters', hits: 5, queries: 10 }, reset: { done: true, via: 'SGLang POST /flush_cache' } } }),
      repeat(2, { prefixCache: { designed: null, measured: null, note: 'the server counted no prefix-cache query during the level', reset: { done: false, note: 'HTTP 404' } } }),
    ]).prefixCache!
    expect(s.measured).toBeNull()
    expect(s.note).toMatch(/the server counted no prefix-cache query.*; the server's prefix-cache readings differ between repeats \(1 of 2 read/)
    expect(s.reset).toEqual({ done: false, note: 'not before 1 of 2 repeats: HTTP 404' })
  })
})

describe('summaryOfRepeats: two repeats run against the simulator', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, fixedTtftMs: 1, fixedItlMs: 0, invalidRate: 0.3, loraModules: ['sql', 'chat'] })
  })
  afterAll(() => sim.close())

  it("the merged level's validity, adapters and cost equal the sums over both repeats' records", async () => {
    const schema = { type: 'object', required: ['city', 'days'], properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 14 } }, additionalProperties: false }
    const opts: ScenarioOptions = {
      server: sim.url, model: 'sim-model', endpoint: 'chat', stream: true, concurrency: [4], numPrompts: 24, repeat: 2,
      inputLen: 16, outputLen: 24, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 20_000,
      headers: {}, body: {}, seed: 3, calibrate: false, telemetry: { enabled: false },
      structured: { responseFormat: { type: 'json_schema', name: 'trip', schema }, check: 'schema' },
      lora: { adapters: ['sql', 'chat'], assignment: 'round-robin', field: 'model' },
      cost: { perMillionInput: 0.5, perMillionOutput: 2 },
    }
    const { levels } = await runScenario(opts)
    expect(levels.map((l) => l.summary.load.repeat)).toEqual([{ index: 1, of: 2 }, { index: 2, of: 2 }])
    const records = levels.flatMap((l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown))
    const ok = records.filter((r) => r.outcome === 'ok')
    const valid = ok.filter((r) => r.valid === true).length
    const invalid = ok.filter((r) => r.valid === false).length
    // Each repeat's summary counts its own records.
    expect(levels[0].summary.validity!.valid + levels[1].summary.validity!.valid).toBe(valid)

    const s = summaryOfRepeats(levels.map((l) => l.summary))
    expect(s.requests.total).toBe(48)
    expect(s.validity).toMatchObject({ checked: valid + invalid, valid, invalid, rate: valid / (valid + invalid) })
    expect(s.requests.invalid ?? 0).toBe(invalid)
    for (const name of ['sql', 'chat']) {
      const mine = ok.filter((r) => r.adapter === name)
      expect(s.byAdapter![name].requests.succeeded).toBe(mine.length)
      expect(s.byAdapter![name].validity!.valid).toBe(mine.filter((r) => r.valid === true).length)
    }
    const price = (ok.reduce((t, r) => t + r.inputTokens, 0) * 0.5 + ok.reduce((t, r) => t + r.outputTokens, 0) * 2) / 1e6
    expect(s.cost!.total).toBeCloseTo(price, 12)
    expect(s.cost!.perRequest).toBeCloseTo(price / ok.length, 12)

    // What a bench file's assertions read, and what an objective on it judges.
    const result = createBenchResult({ id: 's', name: 's' }, {} as never, levels)
    expect(result.level(4).validity).toEqual(s.validity)
    const [check] = evaluateObjectives({ 'invalid.count': '< 1000' }, levels)
    expect(check.actual).toBeCloseTo((levels[0].summary.validity!.invalid + levels[1].summary.validity!.invalid) / 2, 12)
  }, 60_000)
})
