import { describe, expect, it } from 'vitest'
import { chatPrompt, chatPromptIds, chatPromptTokens, textPrompt, textPromptTokens } from '../src/simulator/prompt.js'
import { encodeText } from '../src/data/tokenizer.js'

// The prefix cache's ids are counted for the prompt's tokens: the count must be the one the
// request would get without the cache (word-table texts and texts the BPE decides alike).
describe('simulator prompt tokens with and without ids', () => {
  const messages = [
    { role: 'system', content: 'you are a helpful assistant' },
    { role: 'user', content: [{ type: 'text', text: 'Ünïcode, punctuation & numbers: 3.14159 — ok?' }] },
    { role: 'assistant', content: 'sure', tool_calls: [{ function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
    { role: 'tool', content: 'result text here' },
  ]

  it('a chat: the same count, and the ids only when asked for', () => {
    expect(chatPrompt(messages, false)).toEqual({ tokens: chatPromptTokens(messages) })
    const withIds = chatPrompt(messages, true)
    expect(withIds.ids).toEqual(chatPromptIds(messages))
    expect(withIds.tokens).toBe(chatPromptTokens(messages))
  })

  it('a text prompt in each of its forms, and null for anything else', () => {
    const text = 'plain words then Ünïcode & 42!'
    for (const p of [text, [text], [1, 2, 3]]) {
      expect(textPrompt(p, false)).toEqual({ tokens: textPromptTokens(p) })
      const withIds = textPrompt(p, true)!
      expect(withIds.tokens).toBe(textPromptTokens(p))
      expect(withIds.ids).toEqual(typeof p[0] === 'number' ? p : encodeText(text))
    }
    for (const bad of [[], [1.5], ['a', 'b'], 7, null]) {
      expect(textPrompt(bad, false)).toBeNull()
      expect(textPrompt(bad, true)).toBeNull()
    }
  })
})
