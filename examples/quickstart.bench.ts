/**
 * Quick start: a simulated LLM server starts before the scenario, and the scenario must keep
 * 90% of its requests within the objectives at every concurrency level.
 */
import { afterAll, beforeAll, bench, describe, expect, expectGoodput, startSimulator, type Simulator } from 'llmbench'

let sim: Simulator

describe('quick start on the built-in simulator', () => {
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, model: 'sim-model' })
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
