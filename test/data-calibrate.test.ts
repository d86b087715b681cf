import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calibrateSynthetic } from '../src/runner/calibrate.js'
import { loadPrompts } from '../src/data/prompts.js'
import type { SyntheticSpec } from '../src/data/prompt.js'
import { countTokens, loadTokenizer } from '../src/data/tokenizer.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { writeTinyTokenizer } from './helpers/tiny-tokenizer.js'

// The simulator's /tokenize counts a prompt with o200k, as llmbench does, and a chat with its
// template: 3 tokens for the answer prompt and 4 around each message.
let sim: Simulator
const dir = mkdtempSync(join(tmpdir(), 'llmbench-calibrate-'))
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
})

const spec = (extra: Partial<SyntheticSpec> = {}): SyntheticSpec =>
  ({ kind: 'synthetic', input: { tokens: 120, spread: 0.2 }, output: { tokens: 16 }, ...extra })

async function serverCount(body: object): Promise<number> {
  const res = await fetch(`${sim.url}/tokenize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sim-model', ...body }) })
  return ((await res.json()) as { count: number }).count
}

describe('calibration against /tokenize', () => {
  it('finds nothing to correct when the server counts as we do', async () => {
    const cal = await calibrateSynthetic(sim.url, 'sim-model', spec())
    expect(cal!.report).toMatchObject({ url: `${sim.url}/tokenize`, mode: 'prompt', samples: 8, meanOffsetBefore: 0, offset: 0, exactAfter: 8, requests: 16 })
  })

  it('corrects a constant offset: the chat template counted as the chat endpoint counts it', async () => {
    const cal = (await calibrateSynthetic(`${sim.url}/v1`, 'sim-model', spec({ prefix: { tokens: 30 } }), { chat: true }))!
    expect(cal.report.meanOffsetBefore).toBe(7)
    expect(cal.offset).toBe(7)
    expect(cal.report.exactAfter).toBe(8)
    const prompts = await loadPrompts(spec({ prefix: { tokens: 30 } }), 10, 4, cal)
    for (const p of prompts) {
      expect(await serverCount({ messages: [{ role: 'user', content: p.text }] })).toBe(p.tokens)
      expect(countTokens(p.text)).toBe(p.tokens - 7)
      expect(p.tokens).toBeGreaterThanOrEqual(96)
      expect(p.tokens).toBeLessThanOrEqual(144)
    }
  })

  it('counts grouped prompts as their system and user messages', async () => {
    const grouped = spec({ groups: { count: 2, systemTokens: 40 } })
    const cal = (await calibrateSynthetic(sim.url, 'sim-model', grouped, { chat: true, samples: 4 }))!
    expect(cal.report.meanOffsetBefore).toBe(11)
    const prompts = await loadPrompts(grouped, 6, 1, cal)
    for (const p of prompts) expect(await serverCount({ messages: p.messages })).toBe(p.tokens)
  })

  it('fits every prompt when the tokenizers disagree word by word', async () => {
    // Ours is a tiny byte-level BPE (several tokens a word); the server's is o200k (one a word).
    const tokenizer = writeTinyTokenizer(dir)
    const tiny = loadTokenizer(tokenizer)
    const s = spec({ tokenizer, input: { tokens: 60, spread: 0.3 } })
    const cal = (await calibrateSynthetic(sim.url, 'sim-model', s))!
    expect(cal.report.meanOffsetBefore).toBeLessThan(-20)
    expect(cal.report.exactAfter).toBe(8)
    const prompts = await loadPrompts(s, 12, 2, cal)
    for (const p of prompts) {
      expect(countTokens(p.text)).toBe(p.tokens)
      expect(tiny.count(p.text)).toBeGreaterThan(p.tokens)
      expect(p.tokens).toBeGreaterThanOrEqual(42)
      expect(p.tokens).toBeLessThanOrEqual(78)
    }
    // The same texts again: a fit depends on the prompt and the offset only.
    expect(await loadPrompts(s, 12, 2, cal)).toEqual(prompts)
  })

  it('fits trace lines to their input lengths', async () => {
    const trace = join(dir, 'trace.jsonl')
    writeFileSync(trace, '{"timestamp": 0, "input_length": 150, "output_length": 5, "hash_ids": [1]}\n{"timestamp": 10, "input_length": 90, "output_length": 5, "hash_ids": [1]}\n')
    const traceSpec = { kind: 'file', path: trace, format: 'trace' } as const
    const cal = (await calibrateSynthetic(sim.url, 'sim-model', traceSpec, { chat: true }))!
    expect(cal.report).toMatchObject({ samples: 2, meanOffsetBefore: 7, exactAfter: 2 })
    const prompts = await loadPrompts(traceSpec, 2, 0, cal)
    expect(prompts.map((p) => p.tokens)).toEqual([150, 90])
    for (const p of prompts) expect(await serverCount({ messages: [{ role: 'user', content: p.text }] })).toBe(p.tokens)
  })

  it('returns null when the server has no /tokenize', async () => {
    const bare = http.createServer((_req, res) => res.writeHead(404).end('{"detail":"Not Found"}'))
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
      expect(await calibrateSynthetic(url, 'm', spec())).toBeNull()
    } finally {
      bare.close()
    }
  })

  it('fails in one line on another error, and for a dataset file', async () => {
    await expect(calibrateSynthetic(sim.url, 'other-model', spec())).rejects.toThrow(/^calibration: POST http:\/\/.*\/tokenize answered 404: The model .other-model. does not exist/)
    await expect(calibrateSynthetic(sim.url, 'sim-model', { kind: 'file', path: 'x.csv', format: 'csv' })).rejects.toThrow(/calibration applies to synthetic prompts and traces, not to a csv dataset/)
  })
})
