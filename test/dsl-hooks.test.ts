// Hooks around the benches that run: order, scope, teardowns, and what a failing hook does.
import { describe as group, expect, it } from 'vitest'
import { afterAll, afterEach, beforeAll, beforeEach, bench, collect, describe, runFile } from '../src/dsl/index.js'
import type { ExecuteContext, RunnableBench } from '../src/dsl/index.js'
import type { LevelResult, ScenarioOptionsPublic } from '../src/results/types.js'

// ---------------------------------------------------------------------------------------------
// Fixtures: a worker stand-in that logs each run and returns one empty level per concurrency.

function level(concurrency: number): LevelResult {
  return {
    summary: {
      load: { kind: 'concurrency', value: concurrency },
      requests: { total: 1, succeeded: 1, failed: 0, warmup: 0 },
      errors: {},
      durationSec: 1,
      throughput: { requestsPerSec: 1, outputTokensPerSec: 1, inputTokensPerSec: 1, totalTokensPerSec: 2 },
      concurrency: { achieved: 1, maxInFlight: 1 },
      stats: {},
      itlGranularity: 'token',
      outputTokensSource: {},
      client: { eventLoopDelayP99Ms: 0, cpuPercent: 0 },
      warnings: [],
    },
    records: [],
  }
}

function publicOptions(concurrency: number[]): ScenarioOptionsPublic {
  return {
    server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency, requests: 1,
    input: { tokens: 8 }, output: { tokens: 8 }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 1000, seed: 0,
    headers: {}, body: {},
  }
}

function context(log: string[], fail?: (bench: RunnableBench) => boolean): ExecuteContext {
  return {
    async run(bench) {
      log.push(`run ${bench.id}`)
      if (fail?.(bench)) throw new Error(`cannot reach ${bench.id}`)
      return { options: publicOptions([1]), levels: [level(1)] }
    },
    emit: () => undefined,
  }
}

const FILE = 'hooks.bench.ts'

// ---------------------------------------------------------------------------------------------

group('order', () => {
  it('runs beforeAll, beforeEach outer to inner, afterEach and afterAll inner to outer', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeAll(() => void log.push('beforeAll root'))
      beforeEach(() => void log.push('beforeEach root'))
      afterEach(() => void log.push('afterEach root'))
      afterAll(() => void log.push('afterAll root'))
      describe('d', () => {
        beforeAll(() => void log.push('beforeAll d'))
        beforeEach(() => void log.push('beforeEach d'))
        afterEach(() => void log.push('afterEach d'))
        afterAll(() => void log.push('afterAll d'))
        bench('a', {})
        bench('b', {})
      })
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual([
      'beforeAll root',
      'beforeAll d',
      'beforeEach root',
      'beforeEach d',
      'run d > a',
      'afterEach d',
      'afterEach root',
      'beforeEach root',
      'beforeEach d',
      'run d > b',
      'afterEach d',
      'afterEach root',
      'afterAll d',
      'afterAll root',
    ])
  })

  it('runs several hooks of one kind in written order before, reverse order after', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeAll(() => void log.push('before 1'))
      beforeAll(() => void log.push('before 2'))
      afterAll(() => void log.push('after 1'))
      afterAll(() => void log.push('after 2'))
      bench('a', {})
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['before 1', 'before 2', 'run a', 'after 2', 'after 1'])
  })

  it('awaits async hooks', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeAll(async () => {
        await new Promise((r) => setTimeout(r, 5))
        log.push('server up')
      })
      bench('a', {})
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['server up', 'run a'])
  })

  it('does not run the hooks of a describe none of whose benches run', async () => {
    const log: string[] = []
    const f = await collect(() => {
      describe('skipped', () => {
        beforeAll(() => void log.push('beforeAll'))
        afterAll(() => void log.push('afterAll'))
        beforeEach(() => void log.push('beforeEach'))
        bench.skip('a', {})
        bench.todo('b')
      })
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual([])
  })

  it('runs beforeAll just before the first bench of its describe that runs', async () => {
    const log: string[] = []
    const f = await collect(() => {
      bench('first', {})
      describe('d', () => {
        beforeAll(() => void log.push('beforeAll d'))
        bench('second', {})
      })
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['run first', 'beforeAll d', 'run d > second'])
  })

  it('calls a teardown returned by beforeAll after the afterAll hooks', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeAll(() => () => void log.push('teardown'))
      afterAll(() => void log.push('afterAll'))
      bench('a', {})
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['run a', 'afterAll', 'teardown'])
  })

  it('calls a teardown returned by beforeEach after each bench', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeEach(() => () => void log.push('teardown'))
      bench('a', {})
      bench('b', {})
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['run a', 'teardown', 'run b', 'teardown'])
  })

  it('resolves an options function after beforeAll, so it can read what the hook set', async () => {
    let url = 'unset'
    const seen: string[] = []
    const f = await collect(() => {
      beforeAll(() => {
        url = 'http://127.0.0.1:9999'
      })
      bench('a', () => ({ server: url }))
    }, FILE)
    await runFile(f, {
      async run(b) {
        seen.push(b.options.server ?? '')
        return { options: publicOptions([1]), levels: [level(1)] }
      },
      emit: () => undefined,
    })
    expect(seen).toEqual(['http://127.0.0.1:9999'])
  })
})

group('failures', () => {
  it('runs afterAll after a bench whose run failed', async () => {
    const log: string[] = []
    const f = await collect(() => {
      afterAll(() => void log.push('afterAll'))
      bench('a', {})
    }, FILE)
    const r = await runFile(f, context(log, () => true))
    expect(r.scenarios[0].status).toBe('error')
    expect(log).toEqual(['run a', 'afterAll'])
  })

  it('marks every bench of a describe whose beforeAll failed as error, with the hook error', async () => {
    const log: string[] = []
    const f = await collect(() => {
      describe('down', () => {
        beforeAll(() => {
          throw new Error('server did not start')
        })
        bench('a', {})
        bench('b', {})
      })
      bench('c', {})
    }, FILE)
    const r = await runFile(f, context(log))
    expect(r.scenarios.map((s) => s.status)).toEqual(['error', 'error', 'passed'])
    expect(r.scenarios[1].error?.message).toBe('beforeAll hook failed: server did not start')
    expect(log).toEqual(['run c'])
  })

  it('locates a failing beforeAll', async () => {
    const f = await collect(() => {
      beforeAll(() => {
        throw new Error('x')
      })
      bench('a', {})
    }, FILE)
    const r = await runFile(f, context([]))
    const location = r.scenarios[0].error?.location
    expect(location?.file).toMatch(/dsl-hooks\.test\.ts$/)
    expect(location?.line).toBeGreaterThan(0)
  })

  it('still runs afterAll of a describe whose beforeAll failed', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeAll(() => {
        throw new Error('half started')
      })
      afterAll(() => void log.push('cleanup'))
      bench('a', {})
    }, FILE)
    await runFile(f, context(log))
    expect(log).toEqual(['cleanup'])
  })

  it('reports a failing afterAll as a file error and leaves the scenarios as they were', async () => {
    const f = await collect(() => {
      afterAll(() => {
        throw new Error('could not stop the server')
      })
      bench('a', {})
    }, FILE)
    const r = await runFile(f, context([]))
    expect(r.scenarios[0].status).toBe('passed')
    expect(r.error?.message).toBe('afterAll hook failed: could not stop the server')
  })

  it('marks a bench whose beforeEach failed as error, skips its run, and still runs afterEach', async () => {
    const log: string[] = []
    const f = await collect(() => {
      beforeEach(() => {
        throw new Error('reset failed')
      })
      afterEach(() => void log.push('afterEach'))
      bench('a', {})
    }, FILE)
    const r = await runFile(f, context(log))
    expect(r.scenarios[0]).toMatchObject({ status: 'error', error: { message: 'beforeEach hook failed: reset failed' } })
    expect(log).toEqual(['afterEach'])
  })

  it('marks a bench whose afterEach failed as error', async () => {
    const f = await collect(() => {
      afterEach(() => {
        throw new Error('flush failed')
      })
      bench('a', {})
    }, FILE)
    const r = await runFile(f, context([]))
    expect(r.scenarios[0]).toMatchObject({ status: 'error', error: { message: 'afterEach hook failed: flush failed' } })
  })
})
