/**
 * Quick start: a simulated LLM server starts in its own process before the scenario (so its work
 * never slows the measuring client), and the scenario must keep 90% of its requests within the
 * objectives at every concurrency level.
 */
import { afterAll, beforeAll, bench, describe, expect, expectGoodput, spawnSimulator, type SpawnedSimulator } from 'llmbench'

let sim: SpawnedSimulator

describe('quick start on the built-in simulator', () => {
  beforeAll(async () => {
    sim = await spawnSimulator({ model: 'sim-model' })
  })
  afterAll(async () => {
    await sim.close()
  })

  bench('chat, 128 in / 32 out', () => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: [1, 8],
    requests: 16,
    input: { tokens: 128 },
    output: { tokens: 32 },
    slo: { goodput: { ttft: 1000, tpot: 100, min: 0.9 } },
  }), (result) => {
    expectGoodput(result, { ttft: 1000, tpot: 100 }).toBeAtLeast(0.9)
    expect(result.level(8).tpot.p50).toBeLessThan(100)
  })
})
