import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { drawLength, lengthBounds } from '../src/data/lengths.js'
import { describePrompts, loadPrompts } from '../src/data/prompts.js'
import type { LengthSpec, SyntheticSpec } from '../src/data/prompt.js'
import { mulberry32 } from '../src/random.js'
import { syntheticPrompts } from '../src/data/synthetic.js'
import { countTokens, encodeText, loadTokenizer } from '../src/data/tokenizer.js'
import { writeTinyTokenizer } from './helpers/tiny-tokenizer.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-synthetic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const synthetic = (input: LengthSpec, extra: Partial<SyntheticSpec> = {}): SyntheticSpec =>
  ({ kind: 'synthetic', input, output: { tokens: 64 }, ...extra })

function draws(spec: LengthSpec, n = 20_000): number[] {
  const rand = mulberry32(42)
  return Array.from({ length: n }, () => drawLength(spec, rand))
}

describe('length ranges', () => {
  it('symmetric (vLLM): [floor(L(1-s)), ceil(L(1+s))], uniform, both ends reached', () => {
    const spec: LengthSpec = { tokens: 256, spread: 0.2, range: 'symmetric' }
    expect(lengthBounds(spec)).toEqual([204, 308])
    const xs = draws(spec)
    expect(Math.min(...xs)).toBe(204)
    expect(Math.max(...xs)).toBe(308)
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    expect(Math.abs(mean - 256)).toBeLessThan(1.5)
  })

  it('min-ratio (SGLang): [trunc(L*s), L], uniform, both ends reached', () => {
    const spec: LengthSpec = { tokens: 256, spread: 0.2, range: 'min-ratio' }
    expect(lengthBounds(spec)).toEqual([51, 256])
    const xs = draws(spec)
    expect(Math.min(...xs)).toBe(51)
    expect(Math.max(...xs)).toBe(256)
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    expect(Math.abs(mean - (51 + 256) / 2)).toBeLessThan(1.5)
  })

  it('keeps every length at least 1 and a missing spread fixed', () => {
    expect(lengthBounds({ tokens: 3, spread: 0.9 })).toEqual([1, 6])
    expect(lengthBounds({ tokens: 10, spread: 0, range: 'min-ratio' })).toEqual([1, 10])
    expect(lengthBounds({ tokens: 10, spread: 1, range: 'min-ratio' })).toEqual([10, 10])
    expect(lengthBounds({ tokens: 128 })).toEqual([128, 128])
  })
})

describe('synthetic prompts', () => {
  it('hit their drawn lengths exactly, inside the range, with output lengths from theirs', async () => {
    const spec = synthetic({ tokens: 200, spread: 0.5 }, { output: { tokens: 100, spread: 0.5, range: 'min-ratio' } })
    const prompts = await loadPrompts(spec, 60, 3)
    const lengths = new Set<number>()
    for (const p of prompts) {
      expect(countTokens(p.text)).toBe(p.tokens)
      expect(p.tokens).toBeGreaterThanOrEqual(100)
      expect(p.tokens).toBeLessThanOrEqual(300)
      expect(p.maxTokens).toBeGreaterThanOrEqual(50)
      expect(p.maxTokens).toBeLessThanOrEqual(100)
      lengths.add(p.tokens)
    }
    expect(lengths.size).toBeGreaterThan(20)
  })

  it('are exact at a fixed length and differ from one another', async () => {
    const prompts = await loadPrompts(synthetic({ tokens: 256 }), 20, 1)
    expect(prompts.map((p) => countTokens(p.text))).toEqual(Array(20).fill(256))
    expect(new Set(prompts.map((p) => p.text)).size).toBe(20)
    expect(prompts.every((p) => p.maxTokens === 64 && p.messages === undefined)).toBe(true)
  })

  it('share their first N tokens exactly with a prefix, and nothing more', async () => {
    const prompts = await loadPrompts(synthetic({ tokens: 300, spread: 0.1 }, { prefix: { tokens: 128 } }), 12, 5)
    const heads = prompts.map((p) => encodeText(p.text))
    for (const ids of heads) {
      expect(ids.length).toBe(countTokens(prompts[heads.indexOf(ids)].text))
      expect(ids.slice(0, 128)).toEqual(heads[0].slice(0, 128))
    }
    expect(new Set(heads.map((ids) => ids.slice(0, 140).join(','))).size).toBe(12)
  })

  it('give each group its own system prompt, shared by the group, in a shuffled order', async () => {
    const spec = synthetic({ tokens: 400 }, { groups: { count: 4, systemTokens: 300 }, prefix: { tokens: 50 } })
    const prompts = await loadPrompts(spec, 40, 9)
    const systems = new Map<string, number>()
    for (const p of prompts) {
      expect(p.tokens).toBe(400)
      expect(countTokens(p.text)).toBe(400)
      const [system, user] = p.messages!
      expect(system.role).toBe('system')
      expect(user.role).toBe('user')
      expect(countTokens(system.content)).toBe(350)
      expect(p.text.startsWith(system.content)).toBe(true)
      expect(encodeText(p.text).slice(0, 350)).toEqual(encodeText(system.content))
      systems.set(system.content, (systems.get(system.content) ?? 0) + 1)
    }
    expect([...systems.values()]).toEqual([10, 10, 10, 10])
    const prefixes = new Set([...systems.keys()].map((s) => encodeText(s).slice(0, 50).join(',')))
    expect(prefixes.size).toBe(1)
    // Shuffled: the groups do not simply take turns.
    const order = prompts.map((p) => [...systems.keys()].indexOf(p.messages![0].content))
    expect(order).not.toEqual(order.map((_, i) => order[i % 4]))
  })

  it('are the same for a seed and differ between seeds', async () => {
    const spec = synthetic({ tokens: 64, spread: 0.5 })
    const a = await loadPrompts(spec, 10, 7)
    expect(await loadPrompts(spec, 10, 7)).toEqual(a)
    const b = await loadPrompts(spec, 10, 8)
    expect(b.map((p) => p.text)).not.toEqual(a.map((p) => p.text))
  })

  it('are described in one line', () => {
    expect(describePrompts(synthetic({ tokens: 256, spread: 0.2 }, { output: { tokens: 128 } })))
      .toBe('synthetic prompts: 256 tokens (uniform 204–308) in, 128 tokens out, tokenizer o200k_base')
    expect(describePrompts(synthetic({ tokens: 400 }, { groups: { count: 4, systemTokens: 300 }, prefix: { tokens: 50 } })))
      .toBe('synthetic prompts: 400 tokens in, 64 tokens out; first 50 tokens shared by all; 4 groups, each with its own 300-token system prompt, tokenizer o200k_base')
  })

  it('keeps syntheticPrompts exact', () => {
    const prompts = syntheticPrompts(5, 100, 3)
    expect(prompts.map((p) => countTokens(p.text))).toEqual([100, 100, 100, 100, 100])
  })
})

describe('a Hugging Face tokenizer.json', () => {
  const path = writeTinyTokenizer(dir)

  it('counts with the file, leaving special tokens out', () => {
    const tok = loadTokenizer(path)
    // Ġthe Ġw a t er Ġ in Ġthe Ġs t o r y
    expect(tok.count(' the water in the story')).toBe(13)
    expect(tok.decode(tok.encode(' the water'))).toBe(' the water')
  })

  it('makes synthetic prompts exact by its own count', async () => {
    const tok = loadTokenizer(path)
    const prompts = await loadPrompts(synthetic({ tokens: 90, spread: 0.3 }, { tokenizer: path, prefix: { tokens: 20 } }), 15, 2)
    for (const p of prompts) expect(tok.count(p.text)).toBe(p.tokens)
    expect(prompts.filter((p) => p.tokens >= 63 && p.tokens <= 117).length).toBe(15)
    expect(new Set(prompts.map((p) => tok.encode(p.text).slice(0, 20).join(','))).size).toBe(1)
    expect(countTokens(prompts[0].text)).toBeLessThan(prompts[0].tokens)
  })

  it('says in one line what is wrong with a missing or broken file', () => {
    expect(() => loadTokenizer(join(dir, 'nope.json'))).toThrow(/^tokenizer .*nope\.json: no such file \(give the path of a Hugging Face tokenizer\.json/)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"model": ')
    expect(() => loadTokenizer(broken)).toThrow(/broken\.json: not valid JSON/)
    const other = join(dir, 'other.json')
    writeFileSync(other, '{"vocab": {}}')
    expect(() => loadTokenizer(other)).toThrow(/other\.json: not a tokenizer\.json: it has no "model"/)
  })
})
