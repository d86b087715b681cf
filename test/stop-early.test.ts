/**
 * `stopEarly` (docs/verdicts.md, Adaptive stopping): a level ends once its objectives are decided,
 * or once a rate level is over-saturated, and the result says why and after how many requests.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { PhaseClock } from '../src/load/phases.js'
import type { RunResult } from '../src/results/types.js'
import type { SuiteResult } from '../src/results/suite.js'
import { runCli } from './helpers/cli.js'
import { makeProject } from './helpers/project.js'
import { schemaErrors, suiteSchemaErrors } from './helpers/schema.js'

let small: Simulator
beforeAll(async () => {
  // Four sequences at a time, 2 ms a token: about 30 requests a second of 64 tokens.
  small = await startSimulator({ port: 0, maxNumSeqs: 4, decodeBaseMs: 2, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 })
})
afterAll(async () => {
  await small.close()
})

describe('PhaseClock.endMeasured', () => {
  it('ends the measured phase at the next request; cool-down follows', () => {
    const clock = new PhaseClock({ warmup: { count: 1 }, measured: { count: 100 }, cooldown: { count: 2 } })
    expect([clock.next(0), clock.next(1), clock.next(2)]).toEqual(['warmup', 'measured', 'measured'])
    clock.endMeasured()
    expect(clock.peek(3)).toBe('cooldown')
    expect([clock.next(3), clock.next(4), clock.next(5)]).toEqual(['cooldown', 'cooldown', null])
    expect(clock.measuredEnd).toBe(3)
  })
})

describe('stopEarly in a bench file', () => {
  it('settles a clearly met objective and a clearly missed one long before the planned requests', async () => {
    const root = makeProject({
      'early.bench.ts': `import { afterAll, beforeAll, bench, describe, startSimulator } from 'llmbench'
let sim: Awaited<ReturnType<typeof startSimulator>>
describe('early', () => {
  beforeAll(async () => { sim = await startSimulator({ port: 0, fixedTtftMs: 20, fixedItlMs: 2 }) })
  afterAll(async () => { await sim.close() })
  const options = { model: 'sim-model', concurrency: [8], requests: 3000, input: { tokens: 16 }, output: { tokens: 4 }, stopEarly: true }
  bench('met', () => ({ ...options, server: sim.url, slo: { 'ttft.p95': '< 200' } }))
  bench('missed', () => ({ ...options, server: sim.url, slo: { 'ttft.p95': '< 10' } }))
  bench('no objective', () => ({ ...options, server: sim.url, requests: 40 }))
})
`,
    })
    const r = await runCli(['--root', root, '--reporter', 'json', '--outputFile', join(root, 'r.json')], {}, 120_000)
    expect(r.code, r.stderr).toBe(1)
    const suite = JSON.parse(readFileSync(join(root, 'r.json'), 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const [met, missed, none] = suite.files[0].scenarios
    expect(met.status).toBe('passed')
    const m = met.levels[0].summary
    expect(m.stoppedEarly).toMatchObject({ reason: 'settled' })
    expect(m.stoppedEarly!.message).toMatch(/^settled after \d+ requests \(95% confidence under continuous monitoring\): every objective decided: ttft.p95 < 200 met$/)
    expect(m.stoppedEarly!.requests).toBeGreaterThanOrEqual(100)
    expect(m.requests.total).toBeLessThan(1000)
    // The decision is kept, and the objective is judged by it (not by a fixed-sample interval, which a data-dependent stop invalidates).
    expect(m.stoppedEarly!.objectives).toEqual([{ figure: 'ttft.p95', op: '<', bound: 200, state: 'met' }])
    expect(met.checks.find((c) => c.metric === 'ttft.p95')).toMatchObject({ passed: true, settledEarly: m.stoppedEarly!.requests })
    expect(missed.status).toBe('failed')
    const x = missed.levels[0].summary
    expect(x.stoppedEarly!.message).toContain('ttft.p95 < 10 missed: the level fails whatever comes next')
    expect(x.requests.total).toBeLessThan(400)
    // Nothing to decide on a concurrency level: it runs all its requests, and says why.
    expect(none.levels[0].summary.stoppedEarly).toBeUndefined()
    expect(none.levels[0].summary.requests.total).toBe(40)
    expect(none.levels[0].summary.warnings.join('\n')).toContain('stopEarly: no objective names this level')
  }, 180_000)
})

describe('llmbench run --stop-early', () => {
  it('ends an over-saturated rate level, leaving its requests in flight out as interrupted', async () => {
    const dir = makeProject({})
    const out = join(dir, 'sat.json')
    const r = await runCli(['run', '--server', small.url, '--model', 'sim-model', '--request-rate', '100', '--num-prompts', '2000', '--input-len', '16', '--output-len', '64', '--stop-early', '--output', out], {}, 120_000)
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    const s = result.levels[0].summary
    expect(s.stoppedEarly?.reason).toBe('over-saturated')
    expect(s.stoppedEarly!.message).toMatch(/^over-saturated after \d+ requests: time to first token .* rose from .* the server cannot keep up with this load$/)
    expect(s.requests.total).toBeLessThan(1000)
    expect(s.requests.interrupted).toBeGreaterThan(0)
    expect(r.stdout).toContain('Stopped early: over-saturated after')
  }, 150_000)

  it('refuses --min-requests without --stop-early, and --stop-early with a sweep, in one line', async () => {
    for (const [args, message] of [
      [['--min-requests', '50'], /--min-requests applies with --stop-early/],
      [['--stop-early', '--sweep', 'concurrency', '--goodput', 'ttft:500'], /stop.?early.*cannot be combined with sweep/i],
      [['--stop-early', '--min-requests', '5'], /--min-requests.*at least 10/],
    ] as const) {
      const r = await runCli(['run', '--server', small.url, '--model', 'sim-model', '--concurrency', '2', ...args])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
    }
  })
})
