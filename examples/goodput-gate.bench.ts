/**
 * A goodput gate for CI: the deployment passes only if, at 16 concurrent users, 95% of requests
 * see their first token within 1.5 s and then a token every 60 ms, with no errors.
 */
import { afterAll, beforeAll, bench, describe, spawnSimulator, type SpawnedSimulator } from 'llmbench'

let sim: SpawnedSimulator

describe('release gate', () => {
  beforeAll(async () => {
    sim = await spawnSimulator()
  })
  afterAll(async () => {
    await sim.close()
  })

  bench('chat under load', () => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: [4, 16],
    requests: 32,
    input: { tokens: 256 },
    output: { tokens: 32 },
    slo: {
      goodput: { ttft: 1500, tpot: 60, min: 0.95, level: 16 },
      'ttft.p95': '< 2000',
      'errors.rate': '< 0.01',
    },
  }))
})
