/**
 * The request kinds end to end against the simulator (issue 17, "How we will know"): images reach
 * the server at their size and grow its prefill as documented; LoRA adapters land in the weights
 * asked for and every figure is broken down per adapter; an invalid-output rate shows in
 * valid.rate and in goodput that requires validity; energy per token from a constant 300 W GPU;
 * reasoning tokens against visible ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import type { LevelResult } from '../src/results/types.js'
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js'

const base = (url: string, o: Partial<ScenarioOptions>): ScenarioOptions => ({
  server: url, model: 'sim-model', endpoint: 'chat', stream: true, concurrency: [1], numPrompts: 20,
  inputLen: 16, outputLen: 8, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 20_000,
  headers: {}, body: {}, seed: 1, calibrate: false, telemetry: { enabled: false }, ...o,
})
const measured = (l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown)

interface TraceEntry { receivedAt: number; tokenWrites: number[]; adapter?: string; images?: Array<{ width: number; height: number; bytes: number; tokens: number }>; audio?: Array<{ seconds: number; tokens: number }> }
async function trace(sim: SpawnedSimulator): Promise<Record<string, TraceEntry>> {
  return (await fetch(`${sim.url}/debug/trace`)).json() as Promise<Record<string, TraceEntry>>
}

describe('images and audio in chat requests', () => {
  let sim: SpawnedSimulator
  // A slow prefill makes the image tokens' share of TTFT large against the machine's noise.
  const prefillMsPerToken = 0.5
  beforeAll(async () => {
    sim = await spawnSimulator({ trace: true, decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken })
  })
  afterAll(() => sim.close())

  it('3 images of 512x512 reach the server as 3 parts of that size, and prefill grows by their tiles', async () => {
    const plain = await runScenario(base(sim.url, { numPrompts: 8, seed: 5 }))
    const withImages = await runScenario(base(sim.url, { numPrompts: 8, seed: 5, media: { images: { count: 3, width: [512, 512], height: [512, 512], format: 'png' } } }))
    const seen = await trace(sim)
    const [a] = plain.levels
    const [b] = withImages.levels
    // The server's record of each request with images: 3 parts of 512x512, 85 + 170 × 1 tile tokens each.
    for (const r of measured(b)) {
      const entry = Object.entries(seen).find(([id]) => id === `llmbench-L0-${r.index}`)?.[1]
      // Request ids repeat across the two runs: the second run's entry replaced the first's.
      expect(entry?.images?.map((i) => [i.width, i.height, i.tokens])).toEqual([[512, 512, 255], [512, 512, 255], [512, 512, 255]])
      expect(entry!.images!.every((i) => i.bytes > 0)).toBe(true)
      expect(r.media).toMatchObject({ images: 3, pixels: 3 * 512 * 512 })
      expect(r.media!.imageBytes).toBe(entry!.images!.reduce((s, i) => s + i.bytes, 0))
    }
    // The same prompts with and without images: the server counts exactly 3 × 255 more prompt tokens.
    const tokens = (l: LevelResult) => measured(l).sort((x, y) => x.index - y.index).map((r) => r.inputTokens)
    expect(tokens(b)).toEqual(tokens(a).map((t) => t + 765))
    // Prefill of 765 more tokens at 0.5 ms each: TTFT grows by about 382 ms (at least 90% of it, whatever the machine adds to both).
    const growth = b.summary.stats.ttft!.mean - a.summary.stats.ttft!.mean
    expect(growth).toBeGreaterThan(0.9 * 765 * prefillMsPerToken)
    expect(b.summary.media).toMatchObject({ requests: 8, images: 24, pixels: 24 * 512 * 512 })
  })

  it('audio clips are sent as input_audio and cost tokens by their length', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { numPrompts: 4, seed: 6, media: { audio: { count: 1, seconds: [2, 2] } } }))
    const seen = await trace(sim)
    for (const r of measured(level)) {
      expect(seen[`llmbench-L0-${r.index}`].audio?.map((a) => [a.seconds, a.tokens])).toEqual([[2, 50]])
      expect(r.media).toMatchObject({ audio: 1, audioSeconds: 2, audioBytes: 44 + 2 * 16000 * 2 })
    }
  })

  it('other endpoints refuse images in one line before any request', async () => {
    await expect(runScenario(base(sim.url, { endpoint: 'completions', media: { images: { count: 1, width: [64, 64], height: [64, 64], format: 'png' } } })))
      .rejects.toThrow(/^images\.count: images and audio are sent as OpenAI chat content parts, by the chat endpoint only \(the endpoint is completions\)$/)
  })
})

describe('LoRA adapters', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    sim = await spawnSimulator({ trace: true, fixedTtftMs: 1, fixedItlMs: 0, loraModules: ['sql', 'chat'] })
  })
  afterAll(() => sim.close())

  it('random 0.7/0.3 over 1,000 requests lands within 4 points, and every figure is broken down per adapter', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { concurrency: [16], numPrompts: 1000, outputLen: 2, lora: { adapters: ['sql', 'chat'], weights: [0.7, 0.3], assignment: 'random', field: 'model' } }))
    const rs = measured(level)
    expect(rs).toHaveLength(1000)
    const share = rs.filter((r) => r.adapter === 'sql').length / rs.length
    expect(Math.abs(share - 0.7)).toBeLessThan(0.04)
    // The server saw the adapter each record says it asked for (as the model field).
    const seen = await trace(sim)
    for (const r of rs.slice(0, 50)) expect(seen[`llmbench-L0-${r.index}`].adapter).toBe(r.adapter)
    const by = level.summary.byAdapter!
    expect(Object.keys(by)).toEqual(['chat', 'sql'])
    expect(by.sql.requests.total + by.chat.requests.total).toBe(1000)
    expect(by.sql.requests.total).toBe(rs.filter((r) => r.adapter === 'sql').length)
    expect(by.sql.stats.ttft!.count).toBe(by.sql.requests.succeeded)
    expect(by.chat.throughput.outputTokensPerSec).toBeGreaterThan(0)
  })

  it("round-robin takes turns; SGLang's lora_path keeps the base model and names the adapter", async () => {
    const { levels: [level] } = await runScenario(base(sim.url, { numPrompts: 6, lora: { adapters: ['sql', 'chat'], assignment: 'round-robin', field: 'lora_path' } }))
    const rs = measured(level).sort((a, b) => a.index - b.index)
    expect(rs.map((r) => r.adapter)).toEqual(['sql', 'chat', 'sql', 'chat', 'sql', 'chat'])
    const seen = await trace(sim)
    for (const r of rs) expect(seen[`llmbench-L0-${r.index}`].adapter).toBe(r.adapter)
    expect(rs.every((r) => r.outcome === 'ok')).toBe(true)
  })
})

describe('structured outputs and valid-output goodput', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    sim = await spawnSimulator({ fixedTtftMs: 1, fixedItlMs: 0, invalidRate: 0.2 })
  })
  afterAll(() => sim.close())

  const schema = { type: 'object', required: ['city', 'days'], properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 14 } }, additionalProperties: false }

  it('an invalid-output rate of 20% gives valid.rate 0.80 ± 0.03, and goodput with validity drops with it', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, {
      concurrency: [16], numPrompts: 1000, outputLen: 24,
      structured: { responseFormat: { type: 'json_schema', name: 'trip', schema }, check: 'schema' },
      goodput: { ttft: 60_000, valid: true },
    }))
    const s = level.summary
    expect(s.requests.failed).toBe(0)
    expect(s.validity!.checked).toBe(1000)
    expect(Math.abs(s.validity!.rate - 0.8)).toBeLessThan(0.03)
    expect(s.requests.invalid).toBe(s.validity!.invalid)
    // Every request met the TTFT bound: goodput is exactly the valid share.
    expect(s.goodput!.met.ttft).toBe(1000)
    expect(s.goodput!.good).toBe(s.validity!.valid)
    // Both kinds of invalid answer the simulator makes are caught: cut short, and of the wrong type.
    expect(Object.keys(s.validity!.reasons).sort()).toEqual(['does not match the schema', 'not JSON'])
    const bad = measured(level).find((r) => r.valid === false)!
    expect(bad.invalidReason).toMatch(/^(not JSON|does not match the schema): /)
  })

  it('tool calls are checked against their parameters; json_object against JSON alone', async () => {
    const tools = [{ name: 'plan_trip', parameters: schema }]
    const { levels: [a] } = await runScenario(base(sim.url, { numPrompts: 200, concurrency: [8], outputLen: 24, structured: { tools, check: 'tool-args' } }))
    expect(a.summary.validity!.checked).toBe(200)
    expect(a.summary.validity!.rate).toBeGreaterThan(0.6)
    expect(a.summary.validity!.rate).toBeLessThan(0.95)
    expect(Object.keys(a.summary.validity!.reasons).every((k) => /^tool arguments (not JSON|do not match plan_trip)$/.test(k))).toBe(true)
    const { levels: [b] } = await runScenario(base(sim.url, { numPrompts: 200, concurrency: [8], outputLen: 12, structured: { responseFormat: { type: 'json_object' }, check: 'json' } }))
    // Without a schema the simulator can only break the JSON itself.
    expect(Object.keys(b.summary.validity!.reasons)).toEqual(['not JSON'])
  })

  it('a validity function of the bench file decides, with its reason', async () => {
    const { levels: [level] } = await runScenario(base(sim.url, {
      numPrompts: 40, concurrency: [4], outputLen: 24,
      structured: { responseFormat: { type: 'json_schema', name: 'trip', schema }, check: ({ text }) => (JSON.parse(text).days > 7 ? 'too long a trip' : true) },
    }))
    const rs = measured(level)
    // The simulator's invalid answers make the function throw (cut JSON) or pass a string as days.
    for (const r of rs) {
      expect(r.valid).toBeTypeOf('boolean')
      if (r.valid === false) expect(r.invalidReason).toMatch(/^(too long a trip|check threw: .+)$/)
    }
    expect(rs.some((r) => r.invalidReason === 'too long a trip')).toBe(true)
    expect(rs.some((r) => r.valid === true)).toBe(true)
  })
})

describe('energy and cost', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    sim = await spawnSimulator({ decodeBaseMs: 5, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it('energy per token from a constant 300 W GPU equals 300 W × the window ÷ the tokens, within 2%', async () => {
    const before = process.env.LLMBENCH_NVIDIA_SMI
    process.env.LLMBENCH_NVIDIA_SMI = fakeNvidiaSmi('0, NVIDIA H100 80GB HBM3, 1234, 81559, 37, 45, 300.00\n')
    try {
      const { levels: [level] } = await runScenario(base(sim.url, {
        numPrompts: 40, concurrency: [4], outputLen: 32,
        telemetry: { intervalMs: 100, gpu: true }, cost: { perHour: 2.5, gpus: 8 },
      }))
      const s = level.summary
      const e = s.energy!
      if (!('joules' in e)) throw new Error(`no energy: ${e.missing}`)
      const tokens = measured(level).reduce((t, r) => t + r.outputTokens, 0)
      expect(e.perOutputToken / ((300 * s.durationSec) / tokens) - 1).toBeLessThan(0.02)
      expect(e.perOutputToken / ((300 * s.durationSec) / tokens) - 1).toBeGreaterThan(-0.02)
      expect(e.watts).toBeCloseTo(300, 6)
      expect(e.gpus).toBe(1)
      // Cost: 8 GPUs at 2.5 an hour for the level's duration, over its tokens.
      const total = (2.5 * 8 * s.durationSec) / 3600
      expect(s.cost!.total).toBeCloseTo(total, 12)
      expect(s.cost!.perMillionOutput! / ((total / tokens) * 1e6)).toBeCloseTo(1, 3)
    } finally {
      if (before === undefined) delete process.env.LLMBENCH_NVIDIA_SMI
      else process.env.LLMBENCH_NVIDIA_SMI = before
    }
  })

  it('without power samples energy is absent and says why, never zero', async () => {
    const before = process.env.LLMBENCH_NVIDIA_SMI
    process.env.LLMBENCH_NVIDIA_SMI = '/nonexistent/nvidia-smi'
    try {
      const { levels: [level] } = await runScenario(base(sim.url, { numPrompts: 8, telemetry: { intervalMs: 100, gpu: true }, cost: { perMillionInput: 0.15, perMillionOutput: 0.6 } }))
      expect(level.summary.energy).toEqual({ missing: expect.stringMatching(/^GPU telemetry: nvidia-smi not available \(/) })
      const c = level.summary.cost!
      const rs = measured(level)
      const total = (rs.reduce((t, r) => t + r.inputTokens, 0) * 0.15 + rs.reduce((t, r) => t + r.outputTokens, 0) * 0.6) / 1e6
      expect(c.basis).toBe('tokens')
      expect(c.total).toBeCloseTo(total, 12)
    } finally {
      if (before === undefined) delete process.env.LLMBENCH_NVIDIA_SMI
      else process.env.LLMBENCH_NVIDIA_SMI = before
    }
  })
})

describe('reasoning tokens against visible ones', () => {
  let sim: SpawnedSimulator
  beforeAll(async () => {
    // Events 10 ms apart: the first visible token comes 60 ms after the first reasoning one, never in the same read.
    sim = await spawnSimulator({ fixedTtftMs: 2, fixedItlMs: 10, quirks: ['reasoning'], reasoningTokens: 6 })
  })
  afterAll(() => sim.close())

  for (const endpoint of ['chat', 'responses', 'anthropic'] as const) {
    it(`${endpoint}: reasoning and visible tokens per request, their share, and TTFC after TTFT`, async () => {
      const { levels: [level] } = await runScenario(base(sim.url, { endpoint, numPrompts: 10, concurrency: [5], outputLen: 16 }))
      const s = level.summary
      expect(s.reasoning).toEqual({ requests: 10, reasoningTokens: 60, visibleTokens: 100, share: 60 / 160 })
      expect(s.stats.reasoningTokens).toMatchObject({ mean: 6, min: 6, max: 6 })
      expect(s.stats.visibleTokens).toMatchObject({ mean: 10 })
      // Chat and Responses report the count in their usage; Anthropic's thinking is counted from its events.
      expect(new Set(measured(level).map((r) => r.reasoningTokensSource))).toEqual(new Set([endpoint === 'anthropic' ? 'events' : 'usage']))
      for (const r of measured(level)) expect(r.firstContentAt! - r.firstTokenAt!).toBeGreaterThan(0)
      expect(s.stats.ttfc!.mean).toBeGreaterThan(s.stats.ttft!.mean)
    })
  }
})
