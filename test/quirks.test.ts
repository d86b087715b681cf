/**
 * Every wire quirk of real servers (STREAMS.md) must give the same measurement as the plain
 * stream: the same token count and the same TTFT. The simulator runs in its own process with
 * exact timing, so any difference comes from how llmbench reads the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/spawn.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import type { LevelSummary } from '../src/results/types.js'

// TTFT is compared with the server's exact schedule, loosely (10 ms): these tests are about
// reading every framing right (exact token and event counts); the client's timing error is
// measured precisely by test/accuracy.test.ts and bench/client-overhead.js.
const TTFT = 60
const ITL = 5
const TOKENS = 12

let sim: SpawnedSimulator
let plain: LevelSummary

async function measure(quirks: string, extra: Partial<ScenarioOptions> = {}): Promise<LevelSummary> {
  const { levels: [level] } = await runScenario({
    server: sim.url, model: sim.model, endpoint: 'chat', stream: true, concurrency: [2], numPrompts: 6, warmup: 2,
    inputLen: 32, outputLen: TOKENS, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 10_000,
    headers: quirks ? { 'x-sim-quirks': quirks } : {}, body: {}, seed: 3, ...extra,
  })
  return level.summary
}

beforeAll(async () => {
  sim = await spawnSimulator({ fixedTtftMs: TTFT, fixedItlMs: ITL })
  plain = await measure('')
}, 60_000)
afterAll(async () => {
  await sim.close()
})

describe('quirky streams measure like the plain one', () => {
  it('the plain stream itself is measured right', () => {
    expect(plain.requests.succeeded).toBe(6)
    expect(plain.stats.outputTokens?.mean).toBe(TOKENS)
    expect(Math.abs(plain.stats.ttft!.mean - TTFT)).toBeLessThan(10)
  })

  const sameAsPlain = ['no-space', 'crlf', 'cr', 'comments', 'event-lines', 'multiline-data', 'unicode', 'ollama', 'no-done', 'tool-calls']
  for (const quirk of sameAsPlain) {
    it(quirk, async () => {
      const s = await measure(quirk)
      expect(s.requests.succeeded).toBe(6)
      expect(s.stats.outputTokens?.mean).toBe(TOKENS)
      // Every token event was seen: one ITL sample per gap between the 12 events.
      expect(s.stats.itl?.count).toBe(6 * (TOKENS - 1))
      expect(Math.abs(s.stats.ttft!.mean - TTFT)).toBeLessThan(10)
      expect(Math.abs(s.stats.tpot!.mean - ITL)).toBeLessThan(2)
    })
  }

  it('split (events cut into pieces of 1 to 7 bytes, inside JSON and UTF-8 characters)', async () => {
    const s = await measure('split,unicode')
    expect(s.requests.succeeded).toBe(6)
    expect(s.stats.outputTokens?.mean).toBe(TOKENS)
    expect(s.stats.itl?.count).toBe(6 * (TOKENS - 1))
    // The server writes some 50 pieces per event, one per turn of its event loop, so an event
    // is complete (and its token readable) a few ms after it began: a real delay, bounded loosely.
    expect(s.stats.ttft!.mean - TTFT).toBeGreaterThan(-1)
    expect(s.stats.ttft!.mean - TTFT).toBeLessThan(15)
  })

  it('reasoning: thoughts count for TTFT, visible content comes later (TTFC)', async () => {
    const s = await measure('reasoning')
    expect(s.stats.outputTokens?.mean).toBe(TOKENS)
    expect(Math.abs(s.stats.ttft!.mean - TTFT)).toBeLessThan(10)
    // 8 reasoning tokens first (the simulator's default), so content starts 8 ITLs later.
    expect(s.stats.ttfc!.mean - s.stats.ttft!.mean).toBeGreaterThan(8 * ITL - 3)
  })

  it('multi-token chunks with continuous usage: per-token ITL and the same token count', async () => {
    const s = await measure('multi-token', { continuousUsage: true })
    expect(s.requests.succeeded).toBe(6)
    expect(s.stats.outputTokens?.mean).toBe(TOKENS)
    expect(s.itlGranularity).toBe('token')
    expect(Math.abs(s.stats.ttft!.mean - TTFT)).toBeLessThan(10)
    // 3 tokens per event, one event per ITL: each token's share of a gap is ITL / 3.
    expect(Math.abs(s.stats.itl!.p50 - ITL / 3)).toBeLessThan(1)
  })

  it('multi-token chunks without usage per chunk are marked chunk-granular', async () => {
    const s = await measure('multi-token', { includeUsage: true })
    expect(s.itlGranularity).toBe('chunk')
    expect(s.stats.outputTokens?.mean).toBe(TOKENS)
    expect(s.outputTokensSource).toEqual({ usage: 6 })
  })
})
