/**
 * Accuracy against a server with exact, known timing: first token 200 ms after the request
 * arrives, then one token every 20 ms. The server runs in its own process (as a real server
 * does) and records when it actually wrote each event, on the same monotonic clock as the
 * client, so the client's own error is measured, not guessed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { spawnSimulator, type SpawnedSimulator } from '../src/cli/spawn-simulator.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import type { LevelResult } from '../src/results/types.js'
import type { TraceEntry } from '../src/simulator/index.js'

const TTFT = 200
const ITL = 20
const TOKENS = 24

let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator(['--fixed-ttft-ms', String(TTFT), '--fixed-itl-ms', String(ITL), '--trace'])
})
afterAll(async () => {
  await sim.stop()
})

function options(concurrency: number, numPrompts: number): ScenarioOptions {
  return {
    server: sim.url, model: sim.model, endpoint: 'chat', stream: true, concurrency: [concurrency], numPrompts,
    inputLen: 64, outputLen: TOKENS, ignoreEos: true, includeUsage: true, continuousUsage: false,
    timeoutMs: 30_000, headers: {}, body: {}, seed: 1,
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]

for (const [concurrency, numPrompts] of [[1, 6], [64, 128]] as const) {
  describe(`at concurrency ${concurrency}`, () => {
    let level: LevelResult
    let trace: Record<string, TraceEntry>
    let writesOf: (index: number) => TraceEntry
    beforeAll(async () => {
      ;[level] = await runScenario(options(concurrency, numPrompts))
      trace = (await (await request(`${sim.url}/debug/trace`)).body.json()) as Record<string, TraceEntry>
      writesOf = (index) => trace[`llmbench-L0-${index}`]
    }, 60_000)
    const measured = () => level.records.filter((r) => !r.warmup)

    it('every request succeeds with every token', () => {
      expect(level.summary.requests).toMatchObject({ total: numPrompts, succeeded: numPrompts })
      expect(level.summary.stats.outputTokens?.min).toBe(TOKENS)
    })

    it('adds less than 5 ms to the arrival of each first token written by the server', () => {
      const lags = measured().map((r) => r.firstTokenAt! - writesOf(r.index).tokenWrites[0])
      expect(Math.min(...lags)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...lags)).toBeLessThan(5)
    })

    it(`measures TTFT within 5 ms of the truth (${TTFT} ms after the server received the request)`, () => {
      const ttft = level.summary.stats.ttft!
      expect(Math.abs(ttft.mean - TTFT)).toBeLessThan(5)
      expect(Math.abs(ttft.p50 - TTFT)).toBeLessThan(5)
    })

    it(`measures mean ITL and TPOT within 1 ms of ${ITL} ms`, () => {
      expect(Math.abs(level.summary.stats.itl!.mean - ITL)).toBeLessThan(1)
      expect(Math.abs(level.summary.stats.tpot!.mean - ITL)).toBeLessThan(1)
    })

    it('reproduces the gaps between the server\'s writes (mean error under 1 ms, p99 under 5 ms)', () => {
      const errors: number[] = []
      for (const r of measured()) {
        const w = writesOf(r.index).tokenWrites
        const t = r.tokenTimes!
        for (let i = 1; i < t.length; i++) errors.push(Math.abs((t[i] - t[i - 1]) - (w[i] - w[i - 1])))
      }
      expect(mean(errors)).toBeLessThan(1)
      expect(p99(errors)).toBeLessThan(5)
    })
  })
}
