/** The same scenario on two named servers (named in llmbench.config.ts beside this file). */
import { afterAll, beforeAll, bench, describe, spawnSimulator, type SpawnedSimulator } from 'llmbench'

const sims: SpawnedSimulator[] = []

describe('fast against slow', () => {
  beforeAll(async () => {
    sims.push(await spawnSimulator({ port: 18431, decodeBaseMs: 10 }))
    sims.push(await spawnSimulator({ port: 18432, decodeBaseMs: 30 }))
  })
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()))
  })

  bench.each([['fast'], ['slow']])('%s server', (server) => ({
    server,
    concurrency: [1, 4],
    requests: 8,
    input: { tokens: 128 },
    output: { tokens: 16 },
    slo: { 'tpot.p50': '< 40' },
  }))
})
