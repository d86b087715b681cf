/**
 * Prefix caches, designed against measured (docs/workloads.md): on the simulator's prefix cache,
 * later turns of a session skip the prefill of their history (TTFT falls against a cache-less
 * simulator), the reuse the workload was designed to have equals the hit share the server reports
 * within 2 percentage points (sessions with images too: later turns re-send them and the simulator
 * hashes them into its blocks), a server without the metric is said to have none (never 0), and the
 * cache can be emptied before each level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { runScenario } from '../src/runner/scenario.js'
import type { BenchOptions } from '../src/options/scenario.js'
import { scenario } from './helpers/scenario.js'

// Prefill dominates TTFT here (0.2 ms a token): a history of 1,000 tokens costs 200 ms uncached.
const TIMING = { decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0.2 }
const SESSIONS: BenchOptions = {
  concurrency: 1, requests: 3, warmup: 0, input: { tokens: 500 }, output: { tokens: 100 },
  sessions: { turns: 4 }, telemetry: { enabled: true, gpu: false, interval: '10s' },
}

describe('prefix caches on the simulator', () => {
  let cached: Simulator
  let plain: Simulator
  beforeAll(async () => {
    cached = await startSimulator({ ...TIMING })
    plain = await startSimulator({ ...TIMING, prefixCache: false })
  })
  afterAll(async () => {
    await cached.close()
    await plain.close()
  })

  it('later turns skip their history: TTFT falls on turns 2-4 against a cache-less server', async () => {
    const withCache = (await runScenario(scenario(cached.url, SESSIONS))).levels[0].summary.sessions!.byTurn
    const without = (await runScenario(scenario(plain.url, SESSIONS))).levels[0].summary.sessions!.byTurn
    expect(withCache.map((t) => t.turn)).toEqual([1, 2, 3, 4])
    for (const k of [1, 2, 3]) {
      // Uncached, turn k prefills its whole history; cached, only its new user turn.
      expect(withCache[k].ttft!.p50).toBeLessThan(without[k].ttft!.p50 * 0.6)
      expect(without[k].ttft!.p50).toBeGreaterThan(without[k - 1].ttft!.p50)
    }
  })

  it('the designed reuse equals the hit share the server reports within 2 points', async () => {
    // The same seed sent the same first turns before: emptied, the cache holds only this level's.
    const { levels: [level] } = await runScenario(scenario(cached.url, { ...SESSIONS, resetPrefixCache: true }))
    const p = level.summary.prefixCache!
    expect(p.measured).toMatchObject({ kind: 'counters', source: 'vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total' })
    expect(p.designed!.share).toBeGreaterThan(0.4)
    expect(Math.abs(p.designed!.share - p.measured!.share)).toBeLessThan(0.02)
    // The server's queries are the prompt tokens the level sent.
    expect(p.measured!.queries).toBe(p.designed!.promptTokens)
  })

  it('sessions with images: later turns re-send them, the server finds them again, designed and measured agree within 2 points', async () => {
    // 4 sessions of 3 turns, each session one 512×512 image (255 tokens on the simulator) in its first message.
    const bench: BenchOptions = { ...SESSIONS, concurrency: 2, requests: 4, input: { tokens: 200 }, output: { tokens: 50 }, sessions: { turns: 3 }, images: { count: 1, width: 512, height: 512 }, resetPrefixCache: true }
    const { levels: [level] } = await runScenario(scenario(cached.url, bench))
    const records = level.records.filter((r) => r.outcome === 'ok')
    expect(records.length).toBe(12)
    // Every request carries its session's image; later turns repeat it among their history.
    expect(records.every((r) => r.media?.images === 1)).toBe(true)
    for (const r of records.filter((x) => x.turn! > 1)) expect(r.repeatedTokens).toBe(r.historyTokens)
    const p = level.summary.prefixCache!
    expect(p.measured!.queries).toBe(p.designed!.promptTokens)
    // Turns 2 and 3 repeat the first turn with its image: more than half of all prompt tokens.
    expect(p.designed!.share).toBeGreaterThan(0.5)
    // The server counts whole blocks and computes each prompt's last token: it finds a little less.
    expect(p.measured!.share).toBeLessThanOrEqual(p.designed!.share)
    expect(p.designed!.share - p.measured!.share).toBeLessThan(0.02)
  })

  it('counts shared prefixes and system-prompt groups of single requests too', async () => {
    const bench: BenchOptions = { concurrency: 2, requests: 24, warmup: 0, input: { tokens: 600, groups: { count: 3, systemTokens: 400 } }, output: { tokens: 4 }, telemetry: { enabled: true, gpu: false, interval: '10s' }, resetPrefixCache: true }
    const { levels: [level] } = await runScenario(scenario(cached.url, bench))
    const p = level.summary.prefixCache!
    expect(p.reset).toEqual({ done: true, via: 'vLLM POST /reset_prefix_cache' })
    // 21 of 24 requests repeat their group's 400-token system prompt.
    expect(p.designed!.repeatedTokens).toBe(21 * 400)
    expect(Math.abs(p.designed!.share - p.measured!.share)).toBeLessThan(0.02)
  })

  it('says the server reports no hits, never 0, and says a reset it does not offer', async () => {
    const { levels: [level] } = await runScenario(scenario(plain.url, { ...SESSIONS, requests: 1, sessions: { turns: 2 }, resetPrefixCache: true }))
    const p = level.summary.prefixCache!
    expect(p.measured).toBeNull()
    expect(p.note).toBe('the server reports no prefix-cache metric (vLLM prefix_cache_hits/queries, SGLang cache_hit_rate)')
    expect(p.designed!.share).toBeGreaterThan(0)
    expect(p.reset!.done).toBe(false)
    expect(p.reset!.note).toMatch(/^the server offers no prefix-cache reset \(\/reset_prefix_cache: HTTP 404; \/flush_cache: HTTP 404\)$/)
    const off = await runScenario(scenario(cached.url, { ...SESSIONS, requests: 1, sessions: { turns: 2 }, telemetry: { enabled: false } }))
    expect(off.levels[0].summary.prefixCache).toMatchObject({ measured: null, note: "telemetry is off: the server's prefix-cache metrics were not read" })
  })
})
