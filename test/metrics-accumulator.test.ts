// LevelAccumulator against the exact summary as summarizeLevel computed it before the accumulator
// (kept below as `exactSummary`, from every record in memory): identical on varied records, and
// within the sketch's bound once the pooled ITL passes its budget.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import { LevelAccumulator, THRESHOLDS, type SummarizeLevelOptions } from '../src/metrics/accumulator.js'
import { evaluateGoodput } from '../src/metrics/goodput.js'
import { summarizeLevel } from '../src/metrics/level.js'
import { e2e, e2eWithQueue, isSuccess, itlSamples, maxTokenGap, queueDelay, tpot, ttfc, ttft } from '../src/metrics/request.js'
import { computeStats, percentile } from '../src/metrics/stats.js'
import type { FailureKind, LevelSummary, OutputTokenSource, RequestRecord, StatName, Stats } from '../src/results/types.js'

function exactMaxInFlight(rs: readonly RequestRecord[]): number {
  const events = rs.flatMap((r) => [[r.sentAt, 1], [r.endAt, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let max = 0
  for (const [, d] of events) max = Math.max(max, (now += d))
  return max
}

/** The summary from all records at once, as level.ts computed it before the accumulator. */
function exactSummary(records: readonly RequestRecord[], opts: SummarizeLevelOptions): LevelSummary {
  const measured = records.filter((r) => !r.warmup)
  const ok = measured.filter(isSuccess)
  const errors: LevelSummary['errors'] = {}
  for (const r of measured) if (!isSuccess(r)) errors[r.outcome as FailureKind] = (errors[r.outcome as FailureKind] ?? 0) + 1
  const first = Math.min(...measured.map((r) => r.sentAt))
  const last = Math.max(...measured.map((r) => r.endAt))
  const durationMs = measured.length > 0 ? Math.max(0, last - first) : 0
  const sec = durationMs / 1000
  const perSec = (x: number) => (sec > 0 ? x / sec : 0)
  let out = 0
  let inp = 0
  let e2eSum = 0
  const sources: LevelSummary['outputTokensSource'] = {}
  for (const r of ok) {
    out += r.outputTokens
    inp += r.inputTokens
    e2eSum += e2e(r) ?? 0
    sources[r.outputTokensSource as OutputTokenSource] = (sources[r.outputTokensSource] ?? 0) + 1
  }
  const of = (rs: readonly RequestRecord[], f: (r: RequestRecord) => number | undefined) =>
    computeStats(rs.map(f).filter((v): v is number => v !== undefined))
  const itl: number[] = []
  for (const r of ok) itlSamples(r, itl)
  const entries: Array<[StatName, Stats | undefined]> = [
    ['ttft', of(ok, ttft)], ['ttfc', of(ok, ttfc)], ['tpot', of(ok, tpot)], ['itl', computeStats(itl)], ['e2e', of(ok, e2e)],
    ['e2eWithQueue', of(ok, e2eWithQueue)], ['queueDelay', of(measured, queueDelay)], ['maxTokenGap', of(ok, maxTokenGap)],
    ['outputTokens', of(ok, (r) => r.outputTokens)], ['inputTokens', of(ok, (r) => r.inputTokens)],
  ]
  let withCounts = 0
  let without = 0
  for (const r of ok) {
    if (!r.stream || r.tokenTimes === undefined || r.tokenTimes.length < 2) continue
    if (r.tokenCounts !== undefined && r.tokenCounts.length >= r.tokenTimes.length) withCounts++
    else without++
  }
  const warnings: string[] = []
  const c = opts.client
  if (c.eventLoopDelayP99Ms > THRESHOLDS.eventLoopDelayP99Ms) warnings.push(`Client event-loop delay p99 was ${Number.isInteger(c.eventLoopDelayP99Ms) ? c.eventLoopDelayP99Ms : c.eventLoopDelayP99Ms.toFixed(1)} ms (over 5 ms): the load generator was a bottleneck and latencies include its delay`)
  else if ((c.eventLoopDelayMaxMs ?? 0) > THRESHOLDS.eventLoopDelayMaxMs) warnings.push(`Client event loop stalled for ${Math.round(c.eventLoopDelayMaxMs!)} ms at least once (over 50 ms): requests in flight then include the stall in their latencies (see max)`)
  if (c.cpuPercent > THRESHOLDS.cpuPercent) warnings.push(`Client CPU was ${Number.isInteger(c.cpuPercent) ? c.cpuPercent : c.cpuPercent.toFixed(1)}% (over 90%): the load generator was saturated and may have limited the load`)
  if (sources.estimate) warnings.push(`Output token counts of ${sources.estimate} of ${ok.length} succeeded requests are tokenizer estimates (the server reported no usage): token throughput, TPOT and output token statistics are approximate; enable usage reporting (stream_options.include_usage)`)
  if (measured.length > 0 && ok.length < 0.95 * measured.length) warnings.push(`Only ${(Math.floor((ok.length / measured.length) * 1000) / 10).toFixed(1)}% of requests succeeded (${ok.length}/${measured.length}, under 95%): figures describe the successful minority; see errors`)
  return {
    load: opts.load,
    requests: { total: measured.length, succeeded: ok.length, failed: measured.length - ok.length, warmup: records.length - measured.length },
    errors,
    durationSec: sec,
    throughput: { requestsPerSec: perSec(ok.length), outputTokensPerSec: perSec(out), inputTokensPerSec: perSec(inp), totalTokensPerSec: perSec(out + inp) },
    concurrency: { achieved: durationMs > 0 ? e2eSum / durationMs : 0, maxInFlight: exactMaxInFlight(measured) },
    stats: Object.fromEntries(entries.filter(([, s]) => s !== undefined)),
    itlGranularity: without === 0 ? 'token' : withCounts === 0 ? 'chunk' : 'mixed',
    outputTokensSource: sources,
    ...(opts.slo !== undefined ? { goodput: evaluateGoodput(measured, opts.slo, sec) } : {}),
    client: { ...c },
    warnings,
  }
}

const KINDS: FailureKind[] = ['http', 'connect', 'timeout', 'stream-error', 'parse', 'disconnect', 'empty', 'aborted']
const SOURCES: OutputTokenSource[] = ['usage', 'usage-continuous', 'events', 'estimate']

/** Varied records: streamed and not, failures of every kind, warm-ups, reasoning, chunked events, N = 1, ties. */
function varied(n: number, seed: number, shape: { failRate?: number; estimateRate?: number } = {}): RequestRecord[] {
  const rng = mulberry32(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]
  const ms = (x: number) => Math.round(x * 1000) / 1000
  const out: RequestRecord[] = []
  for (let i = 0; i < n; i++) {
    const scheduledAt = ms(i * 3 + rng() * 5)
    const sentAt = ms(scheduledAt + (rng() < 0.3 ? rng() * 20 : 0))
    const base = { index: i, warmup: rng() < 0.05, scheduledAt, sentAt, inputTokens: 1 + Math.floor(rng() * 500), inputTokensSource: 'usage' as const }
    if (rng() < (shape.failRate ?? 0.1)) {
      out.push({ ...base, stream: true, endAt: ms(sentAt + rng() * 100), outcome: pick(KINDS), outputTokens: 0, outputTokensSource: 'events', error: { message: 'boom' } })
      continue
    }
    const source = rng() < (shape.estimateRate ?? 0.05) ? 'estimate' : pick(SOURCES.slice(0, 3))
    if (rng() < 0.15) {
      out.push({ ...base, stream: false, endAt: ms(sentAt + 50 + rng() * 500), outcome: 'ok', outputTokens: Math.floor(rng() * 100), outputTokensSource: source })
      continue
    }
    const events = rng() < 0.1 ? 1 : 1 + Math.floor(rng() * 40)
    const times: number[] = [ms(20 + rng() * 300)]
    for (let k = 1; k < events; k++) times.push(ms(times[k - 1] + (rng() < 0.1 ? 0 : rng() < 0.02 ? 500 * rng() : 5 + rng() * 30)))
    const counts = rng() < 0.4 ? times.map(() => 1 + Math.floor(rng() * 3)) : undefined
    const reasoning = rng() < 0.1
    const lastTokenAt = ms(sentAt + times[times.length - 1])
    out.push({
      ...base,
      stream: true,
      firstTokenAt: ms(sentAt + times[0]),
      ...(reasoning ? {} : { firstContentAt: ms(sentAt + times[Math.min(1, times.length - 1)]) }),
      lastTokenAt,
      endAt: ms(lastTokenAt + rng() * 2),
      outcome: 'ok',
      outputTokens: counts ? counts.reduce((a, b) => a + b, 0) : times.length,
      outputTokensSource: source,
      tokenTimes: times,
      ...(counts ? { tokenCounts: counts } : {}),
    })
  }
  return out
}

const OPTS: SummarizeLevelOptions = {
  load: { kind: 'concurrency', value: 8 },
  slo: { ttft: 200, ttfc: 250, tpot: 20, itl: 40, e2e: 900 },
  client: { eventLoopDelayP99Ms: 1.5, cpuPercent: 40 },
}

function accumulate(records: readonly RequestRecord[], budget?: number): LevelAccumulator {
  const acc = new LevelAccumulator(budget === undefined ? {} : { itlExactBudget: budget })
  for (const r of records) acc.add(r)
  return acc
}

describe('LevelAccumulator', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`gives the exact summary on varied records (seed ${seed})`, () => {
      const records = varied(400 + seed * 100, seed)
      const expected = exactSummary(records, OPTS)
      expect(accumulate(records).finish(OPTS)).toEqual(expected)
      expect(summarizeLevel(records, OPTS)).toEqual(expected)
    })
  }

  it('gives the exact summary with every warning, each SLO key alone, and no SLO', () => {
    const records = varied(300, 11, { failRate: 0.3, estimateRate: 0.5 })
    const client = { eventLoopDelayP99Ms: 7.25, cpuPercent: 95.5 }
    for (const slo of [undefined, { ttft: 100 }, { ttfc: 100 }, { tpot: 10 }, { itl: 15 }, { e2e: 300 }]) {
      const opts = { ...OPTS, slo, client }
      const got = accumulate(records).finish(opts)
      expect(got).toEqual(exactSummary(records, opts))
      expect(got.warnings).toHaveLength(4)
    }
  })

  it('gives the exact summary for no records, warm-up only, and failures only', () => {
    for (const records of [[], varied(50, 12).map((r) => ({ ...r, warmup: true })), varied(50, 13, { failRate: 1 })]) {
      expect(accumulate(records).finish(OPTS)).toEqual(exactSummary(records, OPTS))
    }
  })

  it('can finish, take more records and finish again', () => {
    const records = varied(500, 14)
    const acc = accumulate(records.slice(0, 200))
    expect(acc.finish(OPTS)).toEqual(exactSummary(records.slice(0, 200), OPTS))
    for (const r of records.slice(200)) acc.add(r)
    expect(acc.finish(OPTS)).toEqual(exactSummary(records, OPTS))
    expect(acc.added).toBe(500)
  })

  it('stays exact with the budget exactly the number of ITL gaps', () => {
    const records = varied(300, 15)
    const gaps = exactSummary(records, OPTS).stats.itl!.count
    const got = accumulate(records, gaps).finish(OPTS)
    expect(got.itlApprox).toBeUndefined()
    expect(got).toEqual(exactSummary(records, OPTS))
  })

  for (const budget of [0, 1, 500]) {
    it(`switches the pooled ITL to the sketch past a budget of ${budget} gaps, and says so`, () => {
      const records = varied(600, 16 + budget)
      const exact = exactSummary(records, OPTS)
      const got = accumulate(records, budget).finish(OPTS)
      expect(got.itlApprox).toEqual({ method: 'ddsketch', relativeError: 0.005 })
      // Everything but the ITL statistics is untouched.
      const { itl: gotItl, ...gotRest } = got.stats
      const { itl: exactItl, ...exactRest } = exact.stats
      expect(gotRest).toEqual(exactRest)
      const { stats: _a, itlApprox: _b, ...gotOther } = got
      const { stats: _c, ...exactOther } = exact
      expect(gotOther).toEqual(exactOther)
      // count, min, max exact; mean and std to rounding; percentiles within α of type 7.
      expect(gotItl!.count).toBe(exactItl!.count)
      expect(gotItl!.min).toBe(exactItl!.min)
      expect(gotItl!.max).toBe(exactItl!.max)
      expect(gotItl!.mean).toBeCloseTo(exactItl!.mean, 9)
      expect(gotItl!.std).toBeCloseTo(exactItl!.std, 8)
      const samples: number[] = []
      for (const r of records) if (!r.warmup && isSuccess(r)) itlSamples(r, samples)
      const sorted = new Float64Array(samples).sort()
      for (const [key, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99], ['p999', 99.9]] as const) {
        const v = percentile(sorted, p)
        expect(Math.abs(gotItl![key] - v), key).toBeLessThanOrEqual(0.005 * v * (1 + 1e-12) + 1e-9)
      }
    })
  }
})
