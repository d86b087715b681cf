/**
 * Every adapter end to end against the simulator speaking that protocol (in its own process,
 * with exact timing): token counts, TTFT and ITL follow the simulator's schedule, forced output
 * lengths hold where the protocol can force them, errors are recognised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/spawn.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import { detectServer } from '../src/client/detect.js'
import type { OutputTokenSource } from '../src/results/types.js'

const TTFT = 40
const ITL = 4
const TOKENS = 12

let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator({ fixedTtftMs: TTFT, fixedItlMs: ITL })
})
afterAll(async () => {
  await sim.close()
})

const options = (endpoint: string, extra: Partial<ScenarioOptions> = {}): ScenarioOptions => ({
  server: sim.url, model: sim.model, endpoint, stream: true, concurrency: [2], numPrompts: 4, warmup: 1,
  inputLen: 32, outputLen: TOKENS, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 10_000,
  headers: {}, body: {}, seed: 0, ...extra,
})

const streamed: Array<[endpoint: string, source: OutputTokenSource]> = [
  ['chat', 'usage'],
  ['completions', 'usage'],
  ['triton', 'events'],
  ['tgi', 'usage'],
  ['sglang', 'usage-continuous'],
  ['ollama', 'usage'],
  ['ollama-generate', 'usage'],
  ['responses', 'usage'],
  ['anthropic', 'usage'],
]

describe('streamed, every protocol measures the same schedule', () => {
  for (const [endpoint, source] of streamed) {
    it(endpoint, async () => {
      const { levels: [level] } = await runScenario(options(endpoint))
      const s = level.summary
      expect(s.requests, JSON.stringify(level.records.find((r) => r.outcome !== 'ok')?.error)).toMatchObject({ total: 4, succeeded: 4 })
      expect(s.stats.outputTokens?.mean).toBe(TOKENS)
      expect(Object.keys(s.outputTokensSource)).toEqual([source])
      expect(Math.abs(s.stats.ttft!.mean - TTFT)).toBeLessThan(10)
      expect(Math.abs(s.stats.itl!.mean - ITL)).toBeLessThan(1.5)
      expect(s.stats.itl!.count).toBe(4 * (TOKENS - 1))
    })
  }
})

describe('not streamed', () => {
  for (const [endpoint] of streamed) {
    it(endpoint, async () => {
      const { levels: [level] } = await runScenario(options(endpoint, { stream: false }))
      const s = level.summary
      expect(s.requests).toMatchObject({ total: 4, succeeded: 4 })
      expect(s.stats.ttft).toBeUndefined()
      expect(s.stats.e2e!.mean).toBeGreaterThanOrEqual(TTFT + (TOKENS - 1) * ITL - 1)
      expect(s.stats.outputTokens?.mean).toBeGreaterThan(0)
    })
  }

  it('embeddings: latency and input tokens, no token metrics', async () => {
    const { levels: [level] } = await runScenario(options('embeddings'))
    const s = level.summary
    expect(s.requests).toMatchObject({ total: 4, succeeded: 4 })
    expect(s.stats.ttft).toBeUndefined()
    expect(s.stats.e2e!.count).toBe(4)
    expect(s.throughput.inputTokensPerSec).toBeGreaterThan(0)
    expect(s.stats.inputTokens!.mean).toBeGreaterThan(0)
  })
})

describe('errors and detection', () => {
  for (const [endpoint] of streamed) {
    it(`${endpoint}: an error inside the stream is a stream-error`, async () => {
      const { levels: [level] } = await runScenario(options(endpoint, { headers: { 'x-sim-quirks': 'stream-error' } }))
      expect(level.summary.errors).toEqual({ 'stream-error': 4 })
    })
  }

  it('auto detection names the API the server answers', async () => {
    const found = await detectServer(sim.url, {})
    expect(found).toMatchObject({ endpoint: 'chat', model: sim.model, via: 'GET /v1/models' })
  })
})
