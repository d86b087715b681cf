/** A grid: the same scenario over prompt lengths, each over several concurrency levels. */
import { afterAll, beforeAll, bench, describe, expect, spawnSimulator, type SpawnedSimulator } from 'llmbench'

let sim: SpawnedSimulator

describe('prompt length grid', () => {
  beforeAll(async () => {
    sim = await spawnSimulator()
  })
  afterAll(async () => {
    await sim.close()
  })

  bench.each([
    { input: 64, output: 16 },
    { input: 512, output: 16 },
  ])('$input in / $output out', ({ input, output }) => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: [1, 4],
    requests: 8,
    input: { tokens: input },
    output: { tokens: output },
  }), (result) => {
    // Longer prompts take longer to prefill, so the first token comes later.
    expect(result.level(1).ttft.p50).toBeLessThan(1000)
  })
})
