/**
 * The request kinds piece by piece (docs/request-kinds.md): synthetic images are the same bytes
 * for a seed and decode to their size and colours; WAV clips have their length; adapters are
 * assigned as asked; answers are judged valid or not with a reason; objectives can target one
 * adapter and the new figures; the per-adapter figures reach JUnit's properties and the console.
 */
import { createHash } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import jpeg from 'jpeg-js'
import { imageSize } from 'image-size'
import { syntheticImage } from '../src/data/images.js'
import { syntheticWav, wavSeconds } from '../src/data/audio.js'
import { levelMedia } from '../src/data/media.js'
import { assignAdapters } from '../src/data/lora.js'
import { makeValidator } from '../src/client/structured.js'
import { LevelCollector } from '../src/records/level-collector.js'
import { evaluateObjectives, validateObjectives } from '../src/dsl/objectives.js'
import { figure } from '../src/metrics/figures.js'
import { levelEnergy, levelCost } from '../src/metrics/cost.js'
import { checkObjective } from '../src/verdicts/objective.js'
import { renderJunit } from '../reporters/junit.js'
import { renderKindLines } from '../reporters/kinds.js'
import { parseSlo, type SloObjectives } from '../src/options/slo.js'
import type { LevelResult, RequestRecord } from '../src/results/types.js'
import { levelSummary, scenario, suiteResult } from './fixtures/reporters/suite.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** The RGB pixels of a truecolour, 8-bit, non-interlaced PNG (the filters this encoder writes: Sub, Up). */
function decodePng(png: Buffer): { width: number; height: number; rgb: Uint8Array } {
  let o = 8
  let width = 0
  let height = 0
  const idat: Buffer[] = []
  while (o < png.length) {
    const len = png.readUInt32BE(o)
    const type = png.toString('latin1', o + 4, o + 8)
    const data = png.subarray(o + 8, o + 8 + len)
    expect(png.readUInt32BE(o + 8 + len)).toBe(crc32Of(png.subarray(o + 4, o + 8 + len)))
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)]
    if (type === 'IDAT') idat.push(data)
    o += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * 3
  expect(raw.length).toBe(height * (stride + 1))
  const rgb = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]
      const left = x >= 3 ? rgb[y * stride + x - 3] : 0
      const up = y > 0 ? rgb[(y - 1) * stride + x] : 0
      rgb[y * stride + x] = (v + (f === 1 ? left : f === 2 ? up : 0)) & 255
    }
  }
  return { width, height, rgb }
}

function crc32Of(b: Buffer): number {
  let c = ~0
  for (const byte of b) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

describe('synthetic images', () => {
  it('are the same bytes for a seed, and differ between seeds', () => {
    for (const format of ['png', 'jpeg'] as const) {
      const a = syntheticImage(42, 512, 512, format).bytes
      expect(syntheticImage(42, 512, 512, format).bytes.equals(a)).toBe(true)
      expect(syntheticImage(43, 512, 512, format).bytes.equals(a)).toBe(false)
    }
    // Pinned: a change of the generator changes every benchmark's images, and must be deliberate.
    expect(sha(syntheticImage(7, 64, 48, 'jpeg').bytes)).toBe(JPEG_64x48_SEED_7)
    expect(sha(Buffer.from(decodePng(syntheticImage(7, 64, 48, 'png').bytes).rgb))).toBe(PNG_PIXELS_64x48_SEED_7)
  })

  it('decode to their size, as a mosaic of 8x8 blocks, the JPEG within a step of the PNG', () => {
    const png = decodePng(syntheticImage(3, 100, 60, 'png').bytes)
    const jpg = jpeg.decode(syntheticImage(3, 100, 60, 'jpeg').bytes, { useTArray: true, formatAsRGBA: false })
    expect([png.width, png.height, jpg.width, jpg.height]).toEqual([100, 60, 100, 60])
    expect(imageSize(syntheticImage(3, 100, 60, 'jpeg').bytes)).toMatchObject({ width: 100, height: 60, type: 'jpg' })
    // Flat blocks: every pixel of a block is its corner's colour.
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < 100; x++) {
        const corner = ((y - (y % 8)) * 100 + (x - (x % 8))) * 3
        for (let c = 0; c < 3; c++) {
          expect(png.rgb[(y * 100 + x) * 3 + c]).toBe(png.rgb[corner + c])
          expect(Math.abs(jpg.data[(y * 100 + x) * 3 + c] - png.rgb[(y * 100 + x) * 3 + c])).toBeLessThanOrEqual(3)
        }
      }
    }
  })

  it('refuse a size that is not whole pixels, in one line', () => {
    expect(() => syntheticImage(1, 0, 10, 'png')).toThrow(/^image size must be whole numbers of pixels from 1 to 16384, got 0x10$/)
  })
})

describe('audio and media of a level', () => {
  it('a synthetic WAV clip has its length, by its own header', () => {
    expect(wavSeconds(syntheticWav(1, 2.5))).toBe(2.5)
    expect(syntheticWav(1, 1).equals(syntheticWav(1, 1))).toBe(true)
    expect(wavSeconds(Buffer.from('not a wav file at all'))).toBeUndefined()
  })

  it('each prompt gets its own images, the same for the same seed', () => {
    const spec = { images: { count: 2, width: [64, 128] as [number, number], height: [32, 32] as [number, number], format: 'png' as const } }
    const a = levelMedia(spec, new Array(4).fill(undefined), 9)
    const b = levelMedia(spec, new Array(4).fill(undefined), 9)
    expect(a.map((m) => m!.parts)).toEqual(b.map((m) => m!.parts))
    const urls = a.flatMap((m) => m!.parts.map((p) => (p.type === 'image_url' ? p.image_url.url : '')))
    expect(new Set(urls).size).toBe(8)
    for (const m of a) {
      expect(m!.sent.images).toBe(2)
      expect(m!.sent.pixels! % 32).toBe(0)
    }
  })
})

describe('LoRA assignment', () => {
  it('round-robin, per dataset row, and random with weights (a weight of 0 is never drawn)', () => {
    expect(assignAdapters({ adapters: ['a', 'b', 'c'], assignment: 'round-robin', field: 'model' }, 5, 1)).toEqual(['a', 'b', 'c', 'a', 'b'])
    expect(assignAdapters({ adapters: ['a'], assignment: 'dataset', field: 'model' }, 3, 1, ['a', undefined, 'a'])).toEqual(['a', undefined, 'a'])
    const drawn = assignAdapters({ adapters: ['a', 'b', 'c'], weights: [1, 0, 3], assignment: 'random', field: 'model' }, 4000, 5)
    expect(drawn.includes('b')).toBe(false)
    expect(Math.abs(drawn.filter((x) => x === 'c').length / 4000 - 0.75)).toBeLessThan(0.03)
    expect(assignAdapters({ adapters: ['a', 'b'], assignment: 'random', field: 'model' }, 50, 5)).toEqual(assignAdapters({ adapters: ['a', 'b'], assignment: 'random', field: 'model' }, 50, 5))
  })
})

describe('validity checks', () => {
  const schema = { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }
  const out = (text: string, toolCalls: Array<{ name: string; arguments: string }> = []) => ({ text, toolCalls })

  it('json, schema, tool-args and a function each say why an answer is invalid', () => {
    const json = makeValidator({ check: 'json' })!
    expect(json(out('{"a":1}'))).toEqual({ valid: true })
    expect(json(out('{"a":'))).toEqual({ valid: false, reason: expect.stringMatching(/^not JSON: /) })
    const bySchema = makeValidator({ check: 'schema', responseFormat: { type: 'json_schema', name: 'x', schema } })!
    expect(bySchema(out('{"n":3}'))).toEqual({ valid: true })
    expect(bySchema(out('{"n":"3"}'))).toEqual({ valid: false, reason: 'does not match the schema: /n must be integer' })
    const tools = makeValidator({ check: 'tool-args', tools: [{ name: 'f', parameters: schema }] })!
    expect(tools(out('', [{ name: 'f', arguments: '{"n":1}' }]))).toEqual({ valid: true })
    expect(tools(out('hello'))).toEqual({ valid: false, reason: 'no tool call' })
    expect(tools(out('', [{ name: 'g', arguments: '{}' }]))).toEqual({ valid: false, reason: 'unknown tool: g' })
    expect(tools(out('', [{ name: 'f', arguments: '{}' }]))).toEqual({ valid: false, reason: "tool arguments do not match f: / must have required property 'n'" })
    const fn = makeValidator({ check: ({ text }) => (text.length > 3 ? 'too long' : true) })!
    expect(fn(out('ab'))).toEqual({ valid: true })
    expect(fn(out('abcd'))).toEqual({ valid: false, reason: 'too long' })
    expect(makeValidator({ check: () => { throw new Error('boom') } })!(out('x'))).toEqual({ valid: false, reason: 'check threw: boom' })
    expect(makeValidator({ check: 'none' })).toBeUndefined()
  })

  it('goodput can require validity: valid on the command line', () => {
    expect(parseSlo('ttft:500,valid')).toEqual({ ttft: 500, valid: true })
    expect(parseSlo('valid ttft:500')).toEqual({ ttft: 500, valid: true })
  })
})

/** A level of 100 requests over adapters a (TTFT 50 ms) and b (TTFT 500 ms), a fifth of b's invalid, through the level collector as a run would collect it. */
function adapterLevel(): LevelResult {
  const c = new LevelCollector({ index: 0, load: { kind: 'concurrency', value: 4 }, slo: { ttft: 1000, valid: true }, seed: 1, adapters: { base: 'base-model' } })
  for (let i = 0; i < 100; i++) {
    const adapter = i % 2 ? 'b' : 'a'
    const ttft = adapter === 'a' ? 50 : 500
    const sentAt = 1000 + i * 400
    const r: RequestRecord = {
      index: i, warmup: false, stream: true, scheduledAt: sentAt, sentAt, firstTokenAt: sentAt + ttft, firstContentAt: sentAt + ttft, lastTokenAt: sentAt + ttft + 70,
      endAt: sentAt + ttft + 71, outcome: 'ok', outputTokens: 8, outputTokensSource: 'usage', inputTokens: 32, inputTokensSource: 'usage',
      tokenTimes: Array.from({ length: 8 }, (_, k) => ttft + k * 10), adapter, valid: !(adapter === 'b' && i % 10 === 1), ...(adapter === 'b' && i % 10 === 1 ? { invalidReason: 'not JSON: cut' } : {}),
    }
    c.add(r)
  }
  return c.result(c.summary({ eventLoopDelayP99Ms: 1, cpuPercent: 5 }, 4))
}

describe('objectives on one adapter and on the new figures', () => {
  const level = adapterLevel()

  it('every figure is kept per adapter; valid.rate and goodput with validity follow the invalid outputs', () => {
    const s = level.summary
    expect(Object.keys(s.byAdapter!)).toEqual(['a', 'b'])
    expect(s.byAdapter!.a.stats.ttft!.p50).toBe(50)
    expect(s.byAdapter!.b.stats.ttft!.p50).toBe(500)
    expect(s.validity).toEqual({ checked: 100, valid: 90, invalid: 10, rate: 0.9, reasons: { 'not JSON': 10 } })
    expect(s.byAdapter!.b.validity!.rate).toBe(0.8)
    expect(s.goodput).toMatchObject({ good: 90, met: { ttft: 100, valid: 90 } })
    expect(figure('valid.rate')!.read(s)).toBe(0.9)
    expect(figure('invalid.count')!.read(s)).toBe(10)
  })

  it('an objective naming an adapter is checked on its requests alone, and names it', () => {
    const slo: SloObjectives = { 'ttft.p50': { expect: '< 100', adapter: 'a' }, 'valid.rate': { expect: '>= 0.85', adapter: 'b', confidence: 'point' }, goodput: { ttft: 1000, valid: true, min: 0.95, adapter: 'a' } }
    const checks = evaluateObjectives(slo, [level])
    expect(checks.map((c) => [c.name, c.passed, c.adapter])).toEqual([
      ['goodput [ttft:1000,valid] >= 0.95 @ concurrency 4 [adapter a]', true, 'a'],
      ['ttft.p50 < 100 @ concurrency 4 [adapter a]', true, 'a'],
      ['valid.rate >= 0.85 @ concurrency 4 [adapter b]', false, 'b'],
    ])
    expect(checks[2].actual).toBe(0.8)
    expect(() => validateObjectives({ 'ttft.p50': { expect: '< 100', adapter: 'c' } }, [4], { adapters: ['a', 'b', 'base-model'] }))
      .toThrow(/^slo\["ttft.p50"\]\.adapter is "c", not an adapter of this scenario \(it spreads requests over a, b, base-model\): use one of them or drop adapter$/)
  })

  it('valid.rate has an interval, as a share of the checked requests', () => {
    const c = checkObjective(level, { figure: 'valid.rate', op: '>=', bound: 0.5 })
    expect(c.value).toBe(0.9)
    expect(c.interval[0]).toBeGreaterThan(0.8)
    expect(c.interval[1]).toBeLessThan(1)
    expect(c.passed).toBe(true)
  })
})

describe('energy and cost of a level', () => {
  const s = levelSummary(4, { durationSec: 10, throughput: { requestsPerSec: 10, outputTokensPerSec: 1000, inputTokensPerSec: 2000, totalTokensPerSec: 3000 } })
  const gpu = (points: Array<[number, number]>, i = '0') => ({ source: 'gpu' as const, name: 'power.draw', label: 'GPU power', unit: 'W', labels: { gpu: i }, points })

  it('integrates power over the window (two GPUs, a ramp between samples) and divides by the output tokens', () => {
    const e = levelEnergy([gpu([[0, 100], [5000, 300], [10000, 300]]), gpu([[0, 200], [10000, 200]], '1')], { start: 0, end: 10_000 }, s)
    // GPU 0: 5 s ramping 100→300 (1000 J) and 5 s at 300 (1500 J); GPU 1: 10 s at 200 (2000 J).
    expect(e).toEqual({ joules: 4500, perOutputToken: 0.45, watts: 450, gpus: 2, samples: 1, windowSec: 10 })
  })

  it('says why when samples do not cover the window; never zero', () => {
    expect(levelEnergy([], { start: 0, end: 10_000 }, s)).toEqual({ missing: expect.stringMatching(/^no GPU power samples/) })
    expect(levelEnergy([gpu([[0, 300], [1000, 300]])], { start: 0, end: 10_000 }, s)).toEqual({ missing: expect.stringMatching(/^GPU power samples do not cover the level's 10\.00 s window/) })
  })

  it('GPU-hours: price × GPUs × duration over the tokens; per-token prices: the tokens at their prices', () => {
    expect(levelCost({ perHour: 3.6, gpus: 2 }, s)).toEqual({ basis: 'gpu-hours', total: 0.02, perMillionOutput: 2, perMillionInput: 1, perRequest: 0.0002 })
    const t = levelCost({ perMillionInput: 1, perMillionOutput: 4 }, s)!
    expect(t.total).toBeCloseTo(0.02 + 0.04, 12)
    expect(t.perMillionOutput).toBeCloseTo(6, 9)
  })
})

describe('reporters', () => {
  it("JUnit carries each adapter's figures as properties, and a check on one adapter says so in its name", () => {
    const level = adapterLevel()
    const xml = renderJunit(suiteResult([{ file: 'kinds.bench.ts', durationMs: 1, scenarios: [scenario({ name: 'lora', levels: [level], checks: [{ name: 'ttft.p50 < 100 @ concurrency 4 [adapter a]', kind: 'objective', passed: true, level: 4, adapter: 'a' }] })] }]))
    expect(xml).toContain('name="concurrency.4.adapter.a.ttft.p50" value="50"')
    expect(xml).toContain('name="concurrency.4.adapter.b.valid.rate" value="0.8"')
    expect(xml).toContain('name="concurrency.4.valid.rate" value="0.9"')
    expect(xml).toContain('name="qwen &gt; lora › concurrency 4 › adapter a › ttft.p50 &lt; 100 @ concurrency 4 [adapter a]"')
  })

  it('the console prints media, validity, reasoning, energy and cost lines', () => {
    const lines = renderKindLines(levelSummary(4, {
      media: { requests: 10, images: 30, pixels: 30 * 262144, imageBytes: 3 * 1024 * 1024, audio: 0, audioBytes: 0, audioSeconds: 0, urls: 0 },
      validity: { checked: 10, valid: 8, invalid: 2, rate: 0.8, reasons: { 'not JSON': 2 } },
      reasoning: { requests: 10, reasoningTokens: 60, visibleTokens: 100, share: 0.375 },
      energy: { missing: 'no GPU power samples: nvidia-smi not found' },
      cost: { basis: 'tokens', total: 0.5, perMillionOutput: 0.6, perMillionInput: 0.15, perRequest: 0.05 },
    }))
    expect(lines).toEqual([
      'Media sent: 30 images (3.0 a request, 262,144 px each on average, 3.0 MB)',
      'Valid outputs: 80.0% (8/10); invalid: 2 (not JSON: 2)',
      expect.stringMatching(/^Reasoning: 37\.5% of output tokens/),
      'Energy: not measured: no GPU power samples: nvidia-smi not found',
      'Cost: 0.600 per million output tokens, 0.150 per million input tokens, 0.0500 per request (0.500 for the level, per-token prices given)',
    ])
  })
})

const JPEG_64x48_SEED_7 = '1b73546cbf62c89c983403996132a4dad946560cec38cc0d1168f12de650bdba'
const PNG_PIXELS_64x48_SEED_7 = 'b80f3ab50db603ed3f48d91fe99b92796576d6fb7908b126952744a981227fea'

describe('an objective on a figure a level does not have', () => {
  it('fails with the reason: energy without power samples, cost without a price', () => {
    const level: LevelResult = { summary: levelSummary(4, { energy: { missing: 'GPU telemetry: nvidia-smi not available (not found); skipped' } }), records: [] }
    const [energy, cost] = evaluateObjectives({ 'energy.perOutputToken': '< 1', 'cost.perMillionOutput': '< 1' }, [level])
    expect(energy.passed).toBe(false)
    expect(energy.message).toBe('concurrency 4: energy.perOutputToken has no value: GPU telemetry: nvidia-smi not available (not found); skipped, expected < 1')
    expect(cost.message).toMatch(/cost\.perMillionOutput has no value: the scenario gives no price/)
  })
})
