// expect() and expectGoodput() inside assertions callbacks, and the BenchResult they read.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe as group, expect as vexpect, it } from 'vitest'
import { bench, collect, expect, expectGoodput, runFile } from '../src/dsl/index.js'
import type { BenchResult, CheckOutcome } from '../src/dsl/index.js'
import type { LevelResult, LevelSummary, RequestRecord, ScenarioOptionsPublic, Stats } from '../src/results/types.js'
import type { ScenarioResult } from '../src/results/suite.js'

// ---------------------------------------------------------------------------------------------
// Fixtures

const FILE = 'test/dsl-expect.test.ts'
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
/** The line of this file holding `text` (1-based), for locations. */
const lineOf = (text: string): number => SOURCE.findIndex((l) => l.includes(text)) + 1

function stats(p: Partial<Stats> = {}): Stats {
  return { count: 100, mean: 300, std: 50, min: 100, max: 950, p50: 280, p90: 500, p95: 912.34, p99: 940, p999: 949, ...p }
}

/** A successful streamed record sent at 0 whose token events arrive at `times` ms (one token each). */
function streamed(times: number[], p: Partial<RequestRecord> = {}): RequestRecord {
  const last = times[times.length - 1]
  return {
    index: 0, warmup: false, stream: true, scheduledAt: 0, sentAt: 0, firstTokenAt: times[0], firstContentAt: times[0],
    lastTokenAt: last, endAt: last + 1, outcome: 'ok', outputTokens: times.length, outputTokensSource: 'usage',
    inputTokens: 10, inputTokensSource: 'usage', tokenTimes: times, ...p,
  }
}

// Goodput under ttft ≤ 500, tpot ≤ 50:
//   level 10: A (TTFT 400, TPOT (480 − 400) / 2 = 40) good; B (TTFT 600) not  → 1/2 = 0.5
//   level 50: A good, A good, B not, C (HTTP 500) not                           → 2/4 = 0.5
//   (the level-50 warm-up record W would be good but is left out)
const A = streamed([400, 440, 480])
const B = streamed([600, 620])
const C = streamed([10], { outcome: 'http', outputTokens: 0, firstTokenAt: undefined, lastTokenAt: undefined, tokenTimes: [] })
const W = streamed([10, 20], { warmup: true })
const RECORDS: Record<number, RequestRecord[]> = { 10: [A, B], 50: [A, A, B, C, W] }

function level(concurrency: number, p: Partial<LevelSummary> = {}): LevelResult {
  return {
    summary: {
      load: { kind: 'concurrency', value: concurrency },
      requests: { total: 100, succeeded: 99, failed: 1, warmup: concurrency },
      errors: { timeout: 1 },
      durationSec: 10,
      throughput: { requestsPerSec: 9.9, outputTokensPerSec: 1267.2, inputTokensPerSec: 2534.4, totalTokensPerSec: 3801.6 },
      concurrency: { achieved: concurrency, maxInFlight: concurrency },
      stats: { ttft: stats(), tpot: stats({ p99: 42 }), e2e: stats() },
      itlGranularity: 'token',
      outputTokensSource: { usage: 99 },
      goodput: { slo: { ttft: 500 }, good: 90, total: 100, ratio: 0.9, rate: 9, met: { ttft: 90 } },
      client: { eventLoopDelayP99Ms: 1, cpuPercent: 10 },
      warnings: [],
      ...p,
    },
    records: RECORDS[concurrency] ?? [],
  }
}

const OPTIONS: ScenarioOptionsPublic = {
  server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [10, 50], requests: 100,
  input: { tokens: 256 }, output: { tokens: 128 }, ignoreEos: true, includeUsage: true, continuousUsage: false,
  timeout: 1000, seed: 0, headers: {}, body: {},
}

/** Runs one bench named 'chat 256/128' at levels 10 and 50 with `assertions`; its result. */
async function check(assertions: (result: BenchResult) => unknown, levels = [level(10), level(50)]): Promise<ScenarioResult> {
  const f = await collect(() => bench('chat 256/128', {}, assertions), FILE)
  const r = await runFile(f, { run: async () => ({ options: OPTIONS, levels }), emit: () => undefined })
  return r.scenarios[0]
}

const only = async (assertions: (result: BenchResult) => unknown): Promise<CheckOutcome> => {
  const s = await check(assertions)
  vexpect(s.error).toBeUndefined()
  vexpect(s.checks).toHaveLength(1)
  return s.checks[0]
}

// ---------------------------------------------------------------------------------------------

group('expect(number)', () => {
  it('records a failed check with a message naming scenario, level, metric, values and line', async () => {
    const c = await only((result) => {
      expect(result.level(50).ttft.p95).toBeLessThan(800)
    })
    const line = lineOf('expect(result.level(50).ttft.p95).toBeLessThan(800)')
    vexpect(c).toMatchObject({
      name: 'expect(result.level(50).ttft.p95).toBeLessThan(800)',
      kind: 'assertion',
      passed: false,
      level: 50,
      metric: 'ttft.p95',
      expected: '< 800',
      actual: 912.34,
      location: { file: FILE, line },
    })
    vexpect(c.message).toBe(`chat 256/128 › concurrency 50: ttft.p95 = 912.3 ms, expected < 800 (${FILE}:${line})`)
  })

  it('records a passed check', async () => {
    const c = await only((result) => expect(result.level(10).tpot.p99).toBeLessThan(50))
    vexpect(c).toMatchObject({ passed: true, level: 10, metric: 'tpot.p99', actual: 42 })
  })

  it.each([
    ['toBeLessThan', [912.34], '< 912.34', false],
    ['toBeLessThanOrEqual', [912.34], '<= 912.34', true],
    ['toBeGreaterThan', [912.34], '> 912.34', false],
    ['toBeGreaterThanOrEqual', [912.34], '>= 912.34', true],
    ['toBeAtLeast', [1000], '>= 1000', false],
    ['toBeAtMost', [1000], '<= 1000', true],
    ['toBeWithin', [900, 912.34], 'within [900, 912.34]', true],
    ['toBeWithin', [913, 1000], 'within [913, 1000]', false],
  ] as const)('%s(%j) on 912.34 expects %s and passes: %s', async (matcher, args, expected, passed) => {
    const c = await only((result) => {
      const m = expect(result.level(50).ttft.p95) as unknown as Record<string, (...a: number[]) => void>
      m[matcher](...args)
    })
    vexpect(c).toMatchObject({ expected, passed })
  })

  it('names level and metric of a value read in a loop over levels', async () => {
    const s = await check((result) => {
      for (const l of result.levels) expect(l.ttft.p95).toBeLessThan(800)
    })
    vexpect(s.checks.map((c) => [c.name, c.level, c.metric])).toEqual([
      ['expect(l.ttft.p95).toBeLessThan(800) @ concurrency 10', 10, 'ttft.p95'],
      ['expect(l.ttft.p95).toBeLessThan(800) @ concurrency 50', 50, 'ttft.p95'],
    ])
  })

  it('fails a statistic absent on the level, saying so', async () => {
    const c = await only((result) => expect(result.level(10).itl.p99).toBeLessThan(50))
    vexpect(c.passed).toBe(false)
    vexpect(c.actual).toBeUndefined()
    vexpect(c.message).toMatch(/^chat 256\/128 › concurrency 10: itl\.p99 has no value: no sample of itl on this level, expected < 50/)
  })

  it('uses the expression text when the value is not a figure of a level', async () => {
    const c = await only((result) => {
      const ratio = result.level(50).ttft.p95 / result.level(10).ttft.p50
      expect(ratio).toBeLessThan(2)
    })
    vexpect(c.level).toBeUndefined()
    vexpect(c.message).toMatch(/^chat 256\/128: ratio = 3\.258, expected < 2 \(/)
  })

  it('fails an undefined value (a level without goodput bounds)', async () => {
    const s = await check((result) => expect(result.level(10).goodputRatio).toBeAtLeast(0.9), [level(10, { goodput: undefined })])
    vexpect(s.checks[0].passed).toBe(false)
    vexpect(s.checks[0].message).toMatch(/^chat 256\/128 › concurrency 10: goodputRatio is undefined, not a number, expected >= 0\.9/)
  })

  it('records both of two failures (soft assertions)', async () => {
    const s = await check((result) => {
      expect(result.level(50).ttft.p95).toBeLessThan(100)
      expect(result.level(50).ttft.p99).toBeLessThan(100)
    })
    vexpect(s.checks.map((c) => c.passed)).toEqual([false, false])
    vexpect(s.status).toBe('failed')
  })

  it('throws when a matcher is given no number (an error of the scenario)', async () => {
    const s = await check((result) => expect(result.level(50).ttft.p95).toBeLessThan('800' as never))
    vexpect(s).toMatchObject({ status: 'error', error: { message: 'toBeLessThan() needs a number, got 800' } })
  })

  it('throws for toBeWithin with min above max', async () => {
    const s = await check((result) => expect(result.level(50).ttft.p95).toBeWithin(10, 1))
    vexpect(s.error?.message).toBe('toBeWithin(10, 1): the minimum is greater than the maximum')
  })

  it('throws outside a running scenario', () => {
    vexpect(() => expect(1).toBeLessThan(2)).toThrow(/^expect\(\) was called outside a running bench: call it inside the assertions callback/)
  })

  it('throws when called after its scenario ended (a promise not awaited)', async () => {
    let late: unknown
    let resolve!: () => void
    const done = new Promise<void>((r) => (resolve = r))
    await check(() => {
      setTimeout(() => {
        try {
          expect(1).toBeLessThan(2)
        } catch (err) {
          late = err
        }
        resolve()
      }, 5)
    })
    await done
    vexpect(String(late)).toMatch(/expect\(\) was called after scenario 'chat 256\/128' ended: await every promise/)
  })
})

group('BenchResult', () => {
  it('exposes each statistic at the top of a level, with the summary fields', async () => {
    let seen: unknown[] = []
    await check((result) => {
      const l = result.level(10)
      seen = [l.tpot.p99, l.load.value, l.requests.failed, l.errorRate, l.goodputRatio, l.stats.ttft?.p95, result.options.model]
    })
    // errorRate = failed / total = 1 / 100
    vexpect(seen).toEqual([42, 10, 1, 0.01, 0.9, 912.34, 'm'])
  })

  it('lists the levels when asked for one it does not have', async () => {
    const s = await check((result) => result.level(64))
    vexpect(s.error?.message).toBe("result.level(64): scenario 'chat 256/128' has no level with concurrency 64 (it ran concurrency 10, 50)")
  })
})

group('expectGoodput', () => {
  it('checks the ratio on every level, computed from the measured records', async () => {
    const s = await check((result) => expectGoodput(result, { ttft: 500, tpot: 50 }).toBeAtLeast(0.5))
    vexpect(s.checks.map((c) => [c.level, c.metric, c.actual, c.passed])).toEqual([
      [10, 'goodput', 0.5, true],
      [50, 'goodput', 0.5, true],
    ])
    vexpect(s.checks[1].name).toBe('expectGoodput(result, { ttft: 500, tpot: 50 }).toBeAtLeast(0.5) @ concurrency 50')
  })

  it('fails a level below the ratio with the count of good requests', async () => {
    const s = await check((result) => expectGoodput(result, { ttft: 500, tpot: 50 }).toBeAtLeast(0.9))
    const line = lineOf('expectGoodput(result, { ttft: 500, tpot: 50 }).toBeAtLeast(0.9)')
    vexpect(s.checks[1].message).toBe(
      `chat 256/128 › concurrency 50: goodput [ttft:500,tpot:50] = 0.5 (2/4 requests met the SLO), expected >= 0.9 (${FILE}:${line})`,
    )
  })

  it('checks only the named level', async () => {
    const s = await check((result) => expectGoodput(result, { ttft: 500 }, { level: 10 }).toBeAtLeast(0.5))
    vexpect(s.checks.map((c) => c.level)).toEqual([10])
  })

  it('is an error for a level the scenario did not run', async () => {
    const s = await check((result) => expectGoodput(result, { ttft: 500 }, { level: 64 }).toBeAtLeast(0.5))
    vexpect(s.error?.message).toMatch(/has no level with concurrency 64 \(it ran concurrency 10, 50\)/)
  })

  it('is an error for a ratio given as a percentage', async () => {
    const s = await check((result) => expectGoodput(result, { ttft: 500 }).toBeAtLeast(90))
    vexpect(s.error?.message).toBe('expectGoodput(…).toBeAtLeast(90): give a ratio from 0 to 1 (0.9 for 90%)')
  })

  it('is an error for an unknown bound', async () => {
    const s = await check((result) => expectGoodput(result, { ttfb: 500 } as never).toBeAtLeast(0.5))
    vexpect(s.error?.message).toMatch(/^expectGoodput\(result, slo\): slo: Goodput SLO key "ttfb" is unknown/)
  })

  it('is an error without the BenchResult', async () => {
    const s = await check(() => expectGoodput({} as BenchResult, { ttft: 500 }).toBeAtLeast(0.5))
    vexpect(s.error?.message).toMatch(/needs the result the assertions callback received/)
  })
})
