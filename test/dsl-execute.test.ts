// Running a collected file: statuses, events, soft checks, only/skip/todo, bail, name pattern, interruption.
import { describe as group, expect as vexpect, it } from 'vitest'
import { afterAll, bench, collect, describe, expect, runFile } from '../src/dsl/index.js'
import type { CollectedFile, ExecuteContext, RunnableBench } from '../src/dsl/index.js'
import type { RunEvent } from '../src/results/events.js'
import type { LevelResult, ScenarioOptionsPublic, Stats } from '../src/results/types.js'

// ---------------------------------------------------------------------------------------------
// Fixtures: a worker stand-in returning one level per concurrency, every statistic 100 ms.

const stats: Stats = { count: 10, mean: 100, std: 0, min: 100, max: 100, p50: 100, p90: 100, p95: 100, p99: 100, p999: 100 }

function level(concurrency: number): LevelResult {
  return {
    summary: {
      load: { kind: 'concurrency', value: concurrency },
      requests: { total: 10, succeeded: 10, failed: 0, warmup: 0 },
      errors: {},
      durationSec: 1,
      throughput: { requestsPerSec: 10, outputTokensPerSec: 100, inputTokensPerSec: 100, totalTokensPerSec: 200 },
      concurrency: { achieved: concurrency, maxInFlight: concurrency },
      stats: { ttft: stats, tpot: stats, e2e: stats },
      itlGranularity: 'token',
      outputTokensSource: { usage: 10 },
      client: { eventLoopDelayP99Ms: 0, cpuPercent: 0 },
      warnings: [],
    },
    records: [],
  }
}

function publicOptions(concurrency: number[]): ScenarioOptionsPublic {
  return {
server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency, requests: 10,
    input: { tokens: 8 }, output: { tokens: 8 }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 1000, seed: 0,
    headers: {}, body: {},
  }
}

const levelsOf = (b: RunnableBench): number[] => {
  const c = b.options.concurrency ?? [1]
  return Array.isArray(c) ? c : [c]
}

function context(extra: Partial<ExecuteContext> = {}): { ctx: ExecuteContext; events: RunEvent[]; ran: string[] } {
  const events: RunEvent[] = []
  const ran: string[] = []
  const ctx: ExecuteContext = {
    async run(b) {
      ran.push(b.id)
      const c = levelsOf(b)
      return { options: publicOptions(c), levels: c.map(level) }
    },
    emit: (e) => events.push(e),
    ...extra,
  }
  return { ctx, events, ran }
}

const FILE = 'exec.bench.ts'
const load = (body: () => void): Promise<CollectedFile> => collect(body, FILE)
const statuses = (r: { scenarios: { status: string }[] }) => r.scenarios.map((s) => s.status)

// ---------------------------------------------------------------------------------------------

group('a scenario', () => {
  it('passes with its levels, options and passing checks', async () => {
    const f = await load(() => bench('a', { concurrency: [1, 10], slo: { 'ttft.p95': '< 800' } }))
    const { ctx } = context()
    const r = await runFile(f, ctx)
    const s = r.scenarios[0]
    vexpect(s).toMatchObject({ id: 'a', name: 'a', suite: [], file: FILE, status: 'passed' })
    vexpect(s.levels.map((l) => l.summary.load.value)).toEqual([1, 10])
    vexpect(s.options?.concurrency).toEqual([1, 10])
    vexpect(s.checks.map((c) => [c.name, c.passed])).toEqual([
      ['ttft.p95 < 800 @ concurrency 1', true],
      ['ttft.p95 < 800 @ concurrency 10', true],
    ])
  })

  it('fails when an objective is missed, naming the scenario in the message', async () => {
    const f = await load(() => describe('d', () => bench('a', { slo: { 'ttft.p95': '< 50' } })))
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].status).toBe('failed')
    vexpect(r.scenarios[0].checks[0].message).toMatch(/^d > a › concurrency 1: ttft\.p95 = 100 ms, expected < 50 \(.*dsl-execute\.test\.ts:\d+\)$/)
  })

  it('emits scenario-start, one check event per outcome, then scenario-end', async () => {
    const f = await load(() =>
      bench('a', { concurrency: [1, 4], slo: { 'ttft.p95': '< 800' } }, (result) => {
        expect(result.level(4).ttft.p50).toBeLessThan(200)
      }),
    )
    const { ctx, events } = context()
    await runFile(f, ctx)
    vexpect(events.map((e) => e.type)).toEqual(['scenario-start', 'check', 'check', 'check', 'scenario-end'])
    vexpect(events[0]).toEqual({ type: 'scenario-start', scenario: { file: FILE, id: 'a', name: 'a' }, levels: [1, 4] })
    const end = events[4] as Extract<RunEvent, { type: 'scenario-end' }>
    vexpect(end.result.checks).toHaveLength(3)
  })

  it('takes the levels of scenario-start from ctx.levels when given', async () => {
    const f = await load(() => bench('a', {}))
    const { ctx, events } = context({ levels: () => ({ values: [1, 10, 50], kind: 'concurrency' }) })
    await runFile(f, ctx)
    vexpect(events[0]).toMatchObject({ type: 'scenario-start', levels: [1, 10, 50] })
  })

  it('records every failed expect (soft assertions) and fails the scenario', async () => {
    const f = await load(() =>
      bench('a', {}, (result) => {
        expect(result.level(1).ttft.p95).toBeLessThan(50)
        expect(result.level(1).tpot.p95).toBeLessThan(50)
      }),
    )
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].status).toBe('failed')
    vexpect(r.scenarios[0].checks.map((c) => [c.metric, c.passed])).toEqual([
      ['ttft.p95', false],
      ['tpot.p95', false],
    ])
  })

  it('marks the scenario error when the callback throws, keeping the checks before it', async () => {
    const f = await load(() =>
      bench('a', {}, (result) => {
        expect(result.level(1).ttft.p95).toBeLessThan(800)
        throw new Error('bad assertion code')
      }),
    )
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0]).toMatchObject({ status: 'error', error: { message: 'bad assertion code' } })
    vexpect(r.scenarios[0].checks).toHaveLength(1)
    vexpect(r.scenarios[0].error?.location?.file).toMatch(/dsl-execute\.test\.ts$/)
  })

  it('awaits an async callback', async () => {
    const f = await load(() =>
      bench('a', {}, async (result) => {
        await new Promise((r) => setTimeout(r, 5))
        expect(result.level(1).ttft.p95).toBeLessThan(50)
      }),
    )
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].checks).toHaveLength(1)
  })

  it('marks the scenario error when run throws (a configuration error), with the bench location', async () => {
    const f = await load(() => bench('a', { server: 'nowhere' }))
    const { ctx } = context({
      run: async () => {
        throw new Error('Server "nowhere" is not a URL nor a server of the config')
      },
    })
    const r = await runFile(f, ctx)
    vexpect(r.scenarios[0]).toMatchObject({ status: 'error', levels: [], error: { message: 'Server "nowhere" is not a URL nor a server of the config' } })
    vexpect(r.scenarios[0].error?.location).toEqual(f.benches[0].location)
  })

  it('marks the scenario error for a typo in its objectives', async () => {
    const f = await load(() => bench('a', { slo: { 'ttft.p59': '< 800' } as never }))
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].status).toBe('error')
    vexpect(r.scenarios[0].error?.message).toMatch(/^slo has an unknown objective "ttft.p59"/)
  })

  it('validates objectives before the run when ctx.levels names the levels', async () => {
    const f = await load(() => bench('a', { slo: { 'ttft.p95': { expect: '< 800', level: 64 } } }))
    const { ctx, ran } = context({ levels: () => ({ values: [1, 10], kind: 'concurrency' }) })
    const r = await runFile(f, ctx)
    vexpect(r.scenarios[0].error?.message).toMatch(/^slo\["ttft.p95"\].level is 64, not a level of this scenario/)
    vexpect(ran).toEqual([])
  })

  it('marks the scenario error when its options function returns no object', async () => {
    const f = await load(() => bench('a', (() => undefined) as never))
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].error?.message).toMatch(/the options function returned undefined, not an options object/)
  })

  it('passes a bench.each row to the options function and the callback', async () => {
    const seen: unknown[] = []
    const f = await load(() =>
      bench.each([[4, 800]])('c=%d', (c) => ({ concurrency: c as number }), (result, c, limit) => {
        seen.push(c, limit, result.levels.length)
      }),
    )
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios[0].options?.concurrency).toEqual([4])
    vexpect(seen).toEqual([4, 800, 1])
  })

  it('measures durations', async () => {
    const f = await load(() => bench('a', {}))
    const r = await runFile(f, context().ctx)
    vexpect(r.durationMs).toBeGreaterThanOrEqual(r.scenarios[0].durationMs)
    vexpect(r.scenarios[0].durationMs).toBeGreaterThanOrEqual(0)
  })
})

group('what runs', () => {
  it('reports skipped and todo benches with no levels and only a scenario-end event', async () => {
    const f = await load(() => {
      bench.skip('s', {})
      bench.todo('t')
    })
    const { ctx, events, ran } = context()
    const r = await runFile(f, ctx)
    vexpect(statuses(r)).toEqual(['skipped', 'todo'])
    vexpect(r.scenarios[0]).toMatchObject({ levels: [], checks: [] })
    vexpect(r.scenarios[0].options).toBeUndefined()
    vexpect(events.map((e) => e.type)).toEqual(['scenario-end', 'scenario-end'])
    vexpect(ran).toEqual([])
  })

  it('runs only .only benches when the file has one', async () => {
    const f = await load(() => {
      bench('a', {})
      bench.only('b', {})
    })
    const { ctx, ran } = context()
    const r = await runFile(f, ctx)
    vexpect(statuses(r)).toEqual(['skipped', 'passed'])
    vexpect(ran).toEqual(['b'])
  })

  it('runs only scenarios whose id matches the name pattern', async () => {
    const f = await load(() => {
      describe('vllm', () => bench('chat', {}))
      describe('sglang', () => bench('chat', {}))
    })
    const { ctx, ran } = context({ namePattern: /sglang/ })
    const r = await runFile(f, ctx)
    vexpect(statuses(r)).toEqual(['skipped', 'passed'])
    vexpect(ran).toEqual(['sglang > chat'])
  })

  it('skips the rest after the first failed scenario with bail', async () => {
    const f = await load(() => {
      bench('ok', {})
      bench('bad', { slo: { 'ttft.p95': '< 1' } })
      bench('after', {})
    })
    const { ctx, ran } = context({ bail: true })
    const r = await runFile(f, ctx)
    vexpect(statuses(r)).toEqual(['passed', 'failed', 'skipped'])
    vexpect(ran).toEqual(['ok', 'bad'])
  })

  it('runs everything after a failure without bail', async () => {
    const f = await load(() => {
      bench('bad', { slo: { 'ttft.p95': '< 1' } })
      bench('after', {})
    })
    const r = await runFile(f, context().ctx)
    vexpect(statuses(r)).toEqual(['failed', 'passed'])
  })

  it('skips the remaining scenarios once the signal aborts, keeping the levels measured', async () => {
    const controller = new AbortController()
    const log: string[] = []
    const f = await load(() => {
      afterAll(() => void log.push('afterAll'))
      bench('interrupted', { concurrency: [1, 10] }, () => void log.push('callback'))
      bench('never', {})
    })
    const { ctx, ran } = context({
      signal: controller.signal,
      run: async (b) => {
        ran.push(b.id)
        controller.abort()
        return { options: publicOptions([1, 10]), levels: [level(1)] }
      },
    })
    const r = await runFile(f, ctx)
    vexpect(statuses(r)).toEqual(['skipped', 'skipped'])
    vexpect(r.scenarios[0].levels).toHaveLength(1)
    vexpect(ran).toEqual(['interrupted'])
    vexpect(log).toEqual(['afterAll'])
  })

  it('returns scenarios in declaration order', async () => {
    const f = await load(() => {
      describe('x', () => bench('1', {}))
      bench.skip('2', {})
      describe('y', () => bench('3', {}))
    })
    const r = await runFile(f, context().ctx)
    vexpect(r.scenarios.map((s) => s.id)).toEqual(['x > 1', '2', 'y > 3'])
  })
})
