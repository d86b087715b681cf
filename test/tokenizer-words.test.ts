// The built-in tokenizer sizes synthetic prompts from its word table, without loading the o200k
// tables (0.4 s): the table's answers must be the BPE's, and anything else must go to the BPE.
import { describe, expect, it } from 'vitest'
import * as o200k from 'gpt-tokenizer/encoding/o200k_base'
import { loadPrompts } from '../src/data/prompts.js'
import { syntheticPrompts, WORDS } from '../src/data/synthetic.js'
import { countTokens, decodeTokens, encodeText, tokenizerLoaded } from '../src/data/tokenizer.js'
import { mulberry32 } from '../src/random.js'

// First in the file: nothing else has asked for the BPE yet (gpt-tokenizer imported above is
// another instance of it, not the tokenizer module's).
describe('synthetic prompts without the BPE tables', () => {
  it('prompts of every length, shared prefixes and group system prompts are sized from the word table', async () => {
    expect(tokenizerLoaded()).toBe(false)
    const prompts = await loadPrompts({ kind: 'synthetic', input: { tokens: 200, spread: 0.5 }, output: { tokens: 32 }, prefix: { tokens: 40 }, groups: { count: 3, systemTokens: 24 } }, 40, 1)
    prompts.push(...syntheticPrompts(20, 77, 5))
    expect(prompts.length).toBe(60)
    expect(tokenizerLoaded()).toBe(false)
    // And the sizes are the BPE's.
    for (const p of prompts) expect(o200k.countTokens(p.text)).toBe(p.tokens)
  })
})

describe('the word table agrees with the BPE', () => {
  const rand = mulberry32(7)
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]
  const texts = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? ' ' : '') + Array.from({ length: 1 + (i % 40) }, pick).join(' '))

  it('encodes, counts and decodes texts of the synthetic words as the BPE does', () => {
    for (const text of texts) {
      const ids = o200k.encode(text)
      expect(encodeText(text)).toEqual(ids)
      expect(countTokens(text)).toBe(ids.length)
      expect(decodeTokens(ids)).toBe(text)
      // Any slice of the ids, a word of several tokens cut in two included.
      const cut = ids.slice(0, 1 + Math.floor(rand() * ids.length))
      expect(decodeTokens(cut)).toBe(o200k.decode(cut))
    }
  })

  it('hands every other text to the BPE, with its answers', () => {
    const others = ['', 'Time year', 'time  year', 'time year ', 'time\nyear', 'time, year', 'zebra', 'time zebra', 'naïve', '  ', '42 people', 'people\'s']
    for (const text of others) {
      expect(encodeText(text)).toEqual(o200k.encode(text))
      expect(countTokens(text)).toBe(o200k.countTokens(text))
    }
    const ids = o200k.encode('Zebras, 42 of them: ok?')
    expect(decodeTokens(ids)).toBe('Zebras, 42 of them: ok?')
    expect(tokenizerLoaded()).toBe(true)
  })
})
