/**
 * Chat sessions: four-turn conversations whose every turn carries the whole history with the
 * server's own replies, after a think time. The simulator's prefix cache keeps each conversation,
 * so later turns skip the prefill of their history and start faster; the level sets the share of
 * prompt tokens the workload repeats by design beside the hits the server reports.
 */
import { afterAll, beforeAll, bench, describe, expect, spawnSimulator, type SpawnedSimulator } from 'llmbench'

let sim: SpawnedSimulator

describe('chat sessions on the built-in simulator', () => {
  beforeAll(async () => {
    // A slow prefill (0.2 ms a token) makes the cache's work visible in TTFT.
    sim = await spawnSimulator({ model: 'sim-model', prefillMsPerToken: 0.2 })
  })
  afterAll(async () => {
    await sim.close()
  })

  bench('4-turn chats, 200 ms think time', () => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: 4,
    requests: 8,
    input: { tokens: 400 },
    output: { tokens: 32 },
    sessions: { turns: 4, thinkTime: '200ms' },
    resetPrefixCache: true,
    // An objective on the sessions themselves (docs/workloads.md): turns 2 to 4 pooled. Per-session
    // figures (session.duration.p90) need more sessions than these 8 for an interval.
    slo: { 'laterTurns.ttft.p50': '< 2000' },
  }), (result) => {
    const level = result.level(4)
    const [first, , , last] = level.sessions!.byTurn
    // The fourth turn's prompt is three times the first's, yet it starts about as fast: its
    // history is in the cache and only its new user turn is prefilled.
    expect(last.ttft!.p50).toBeLessThan(first.ttft!.p50 * 1.5)
    const cache = level.prefixCache!
    expect(Math.abs(cache.designed!.share - cache.measured!.share)).toBeLessThan(0.02)
  })
})
