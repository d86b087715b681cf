/**
 * Request kinds (docs/request-kinds.md) on the simulator: images with every request spread over
 * two LoRA adapters, with an objective on one adapter; and structured output that must be valid,
 * where a tenth of the answers are broken on purpose and goodput counts only valid ones.
 */
import { afterAll, beforeAll, bench, describe, expect, spawnSimulator, type SpawnedSimulator } from 'llmbench'

let sim: SpawnedSimulator

describe('request kinds', () => {
  beforeAll(async () => {
    sim = await spawnSimulator({ decodeBaseMs: 4, loraModules: ['sql-lora', 'chat-lora'], invalidRate: 0.1 })
  })
  afterAll(async () => {
    await sim.close()
  })

  bench('images over two LoRA adapters', () => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: [4],
    requests: 24,
    input: { tokens: 64 },
    output: { tokens: 16 },
    images: { count: 2, width: 512, height: 512 },
    lora: { adapters: ['sql-lora', 'chat-lora'], weights: [0.75, 0.25] },
    cost: { perHour: 2.5, gpus: 1 },
    slo: {
      'ttft.p95': { expect: '< 2000', adapter: 'sql-lora' },
      'cost.perMillionOutput': '< 1000',
    },
  }), (result) => {
    expect(result.level(4).byAdapter!['sql-lora'].requests.total).toBeGreaterThan(0)
  })

  bench('JSON that must match its schema', () => ({
    server: sim.url,
    model: 'sim-model',
    concurrency: [4],
    requests: 40,
    input: { tokens: 64 },
    output: { tokens: 32 },
    structured: { schema: { type: 'object', required: ['city', 'days'], properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
    slo: {
      goodput: { ttft: 2000, valid: true, min: 0.6 },
      'valid.rate': { expect: '>= 0.6', confidence: 'point' },
    },
  }))
})
