/**
 * Load shapes against the simulator in its own process: open-loop rates keep their schedule,
 * a rate above capacity shows in TTFT (uncapped) or queue delay (capped), ramps and timed levels
 * keep figures over time, and a capacity sweep finds the simulator's batch size.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import type { LevelResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

const base = (url: string, o: Partial<ScenarioOptions>): ScenarioOptions => ({
  server: url, model: 'sim-model', endpoint: 'chat', stream: true, concurrency: [1], numPrompts: 20,
  inputLen: 16, outputLen: 8, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 20_000,
  headers: {}, body: {}, seed: 1, ...o,
})
const measured = (l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown)
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('open-loop rates against a fast server', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    sim = await spawnSimulator({ decodeBaseMs: 4, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it('constant arrivals: scheduled times are exact, and the verdict on the client follows its rule', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { rate: [40], arrival: 'constant', numPrompts: 120 }))
    const s = level.summary.schedule!
    expect(level.summary.load).toEqual({ kind: 'rate', value: 40, arrival: 'constant' })
    expect(s.scheduledRate).toBeCloseTo(40, 6)
    // What the code controls: request k is scheduled k gaps of 25 ms after the first. Records come
    // in the order requests end, which a loaded machine may swap: they are put in request order.
    // How closely the client keeps to the schedule is a benchmark's figure (bench/arrival-precision.js).
    const rs = measured(level).sort((a, b) => a.index - b.index)
    expect(rs.map((r) => r.index)).toEqual(rs.map((_, k) => rs[0].index + k))
    for (const r of rs) expect(r.scheduledAt - rs[0].scheduledAt).toBeCloseTo((r.index - rs[0].index) * 25, 6)
    // Whether the client fell behind depends on this shared machine; the verdict must follow its rule.
    expect(s.behind).toBe(s.clientLag.p99 > 10 || s.achievedRate < 0.95 * s.scheduledRate)
  })

  it('poisson arrivals: the client keeps to its own random schedule (sent within 2% of the drawn rate)', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { rate: [40], numPrompts: 120, seed: 3 }))
    const s = level.summary.schedule!
    expect(Math.abs(s.achievedRate / s.scheduledRate - 1)).toBeLessThan(0.02)
    // Gaps are irregular: their coefficient of variation is near 1, not near 0.
    const rs = measured(level)
    const gaps = rs.slice(1).map((r, i) => r.scheduledAt - rs[i].scheduledAt)
    const m = mean(gaps)
    const cv = Math.sqrt(mean(gaps.map((g) => (g - m) ** 2))) / m
    expect(cv).toBeGreaterThan(0.6)
  })

  it('the same seed schedules the same arrivals; timed levels and cool-down are kept apart', async () => {
    const o = base(sim.url, { rate: [30], durationMs: 1000, cooldownMs: 300, seed: 9 })
    const [a, b] = [await runScenario(o), await runScenario(o)]
    // In request order: records come in the order requests end, which a loaded machine may swap.
    const offsets = (l: LevelResult) => measured(l).sort((x, y) => x.index - y.index).map((r, _, rs) => r.scheduledAt - rs[0].scheduledAt)
    expect(offsets(a.levels[0])).toEqual(offsets(b.levels[0]))
    const level = a.levels[0]
    const first = measured(level)[0].scheduledAt
    for (const r of measured(level)) expect(r.scheduledAt - first).toBeLessThan(1000)
    const cool = level.records.filter((r) => r.cooldown)
    expect(cool.length).toBeGreaterThan(2)
    expect(level.summary.requests.cooldown).toBe(cool.length)
    expect(level.summary.requests.total).toBe(measured(level).length)
    expect(level.summary.timeSlices?.length).toBeGreaterThan(0)
  })
})

describe('trace replay', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    sim = await spawnSimulator({ decodeBaseMs: 4, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it('sends each request at its trace time divided by the speed, with the trace\'s lengths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-trace-'))
    const times = [0, 100, 150, 400, 410, 900]
    const path = join(dir, 'trace.jsonl')
    writeFileSync(path, times.map((t, i) => JSON.stringify({ timestamp: 5000 + t, input_length: 20 + i, output_length: 3 + i, hash_ids: [i] })).join('\n') + '\n')
    const { levels: [level] } = await runScenario(base(sim.url, {
      numPrompts: 6, prompts: { kind: 'file', path, format: 'trace', speed: 2 },
    }))
    const rs = measured(level)
    expect(rs.map((r) => r.scheduledAt - rs[0].scheduledAt)).toEqual(times.map((t) => t / 2))
    expect(rs.map((r) => r.outputTokens)).toEqual(times.map((_, i) => 3 + i))
    expect(level.summary.load).toMatchObject({ kind: 'rate', arrival: 'trace' })
    expect(level.summary.load.value).toBeCloseTo(5 / 0.45, 2)
    // Generous for a shared machine; a request waiting for a busy connection would be ~25 ms late.
    for (const r of rs) expect(r.sentAt - r.scheduledAt).toBeLessThan(15)
  })
})

describe('a rate above what the server can serve', () => {
  let sim: SpawnedSimulator
  // Two sequences at a time, ~10 steps of 10 ms each: about 2 / 0.11 s ≈ 18 req/s at most.
  beforeAll(async () => {
    sim = await spawnSimulator({ maxNumSeqs: 2, decodeBaseMs: 10, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it('uncapped: the client sends on time and TTFT grows as the server queues', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { rate: [50], arrival: 'constant', numPrompts: 60, outputLen: 10, warmup: 0 }))
    const rs = measured(level)
    const ttfts = rs.map((r) => r.firstTokenAt! - r.sentAt)
    const third = Math.floor(rs.length / 3)
    expect(mean(ttfts.slice(-third))).toBeGreaterThan(3 * mean(ttfts.slice(0, third)))
    expect(level.summary.schedule!.clientLag.p50).toBeLessThan(5)
    expect(level.summary.stats.queueDelay!.p50).toBeLessThan(5)
  })

  it('capped by maxConcurrency: requests wait for a slot, keep their scheduled time, and the level says so', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { rate: [50], arrival: 'constant', maxConcurrency: 2, numPrompts: 40, outputLen: 10, warmup: 0 }))
    const s = level.summary
    expect(s.schedule!.waitedForSlot).toBeGreaterThan(20)
    expect(s.concurrency.maxInFlight).toBeLessThanOrEqual(2)
    expect(s.stats.queueDelay!.p99).toBeGreaterThan(500)
    expect(s.stats.e2eWithQueue!.p50).toBeGreaterThan(s.stats.e2e!.p50 + 100)
    expect(s.warnings.join('\n')).toMatch(/Queue delay p99 was .* waited for a free slot \(maxConcurrency 2\)/)
    expect(s.warnings.join('\n')).toMatch(/under 95% of the target 50\.0 req\/s: \d+ requests waited for a free slot/)
  })
})

describe('ramps and sweeps', () => {
  let sim: SpawnedSimulator
  // Four sequences at a time; a request of 40 tokens takes ~400 ms, so a fifth waits that long.
  beforeAll(async () => {
    sim = await spawnSimulator({ maxNumSeqs: 4, decodeBaseMs: 10, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it('a concurrency ramp raises the requests in flight over time and keeps time slices', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { ramp: { kind: 'concurrency', from: 1, to: 6, overMs: 2500, shape: 'linear' }, outputLen: 5 }))
    const s = level.summary
    expect(s.load).toMatchObject({ kind: 'concurrency', value: 6, ramp: { from: 1, overSec: 2.5, shape: 'linear' } })
    expect(s.concurrency.maxInFlight).toBe(6)
    const slices = s.timeSlices!
    expect(slices.length).toBeGreaterThanOrEqual(2)
    expect(slices[slices.length - 1].load).toBeGreaterThan(slices[0].load)
    expect(slices[slices.length - 1].ended).toBeGreaterThan(slices[0].ended)
  })

  it('a capacity sweep finds the batch size under a TTFT objective, the same from the API and the CLI', async () => {
    const o = base(sim.url, { numPrompts: 10, outputLen: 40, goodput: { ttft: 200 }, sweep: { method: 'capacity', kind: 'concurrency', start: 1, max: 64, factor: 2, resolution: 1, maxLevels: 10, min: 0.9 } })
    const api = await runScenario(o)
    const out = join(mkdtempSync(join(tmpdir(), 'llmbench-sweep-')), 'sweep.json')
    expect(api.sweep).toMatchObject({ kind: 'concurrency', capacity: 4, firstFailing: 5, stoppedBy: 'resolution' })
    expect(api.sweep!.probes.map((p) => p.load)).toEqual([1, 2, 4, 8, 6, 5])
    expect(api.levels.map((l) => l.summary.load.value)).toEqual([1, 2, 4, 8, 6, 5])

    const cli = await runCli(['run', '--server', sim.url, '--num-prompts', '10', '--input-len', '16', '--output-len', '40', '--seed', '1',
      '--goodput', 'ttft:200', '--sweep', 'concurrency', '--sweep-max', '64', '--sweep-levels', '10', '--output', out], {}, 120_000)
    expect(cli.stdout).toContain('Capacity (concurrency): 4 (5 failed); stopped: within the resolution of 1')
    const result = JSON.parse(readFileSync(out, 'utf8'))
    expect(schemaErrors(result)).toEqual([])
    expect(result.sweep).toEqual(api.sweep)
  }, 180_000)
})
