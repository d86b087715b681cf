import { describe, expect, it } from 'vitest'
import type { RequestSpec } from '../src/client/adapter.js'
import { getAdapter } from '../src/client/registry.js'
import type { ChatMessage } from '../src/data/prompt.js'

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Capital of France?' },
  { role: 'assistant', content: 'Paris.' },
  { role: 'user', content: 'And of Italy?' },
]
const spec: RequestSpec = {
  model: 'm', prompt: messages.map((m) => m.content).join('\n'), messages, promptTokens: 20, maxTokens: 8, stream: true,
  ignoreEos: true, includeUsage: true, continuousUsage: false, body: {},
}
const body = (endpoint: string, s: RequestSpec = spec) => JSON.parse(getAdapter(endpoint).buildRequest(s).body)

describe('a prompt with messages reaches the server', () => {
  it('as the messages of chat-style endpoints', () => {
    expect(body('chat').messages).toEqual(messages)
    expect(body('ollama').messages).toEqual(messages)
    expect(body('responses').input).toEqual(messages)
  })

  it('with the system prompt in its own field for Anthropic', () => {
    const b = body('anthropic')
    expect(b.system).toBe('Be brief.')
    expect(b.messages).toEqual(messages.slice(1))
  })

  it('as the whole text for completions-style endpoints', () => {
    expect(body('completions').prompt).toBe(spec.prompt)
    expect(body('ollama-generate').prompt).toBe(spec.prompt)
    expect(body('sglang').text).toBe(spec.prompt)
    expect(body('tgi').inputs).toBe(spec.prompt)
    expect(body('triton').text_input).toBe(spec.prompt)
  })

  it('and a prompt without messages stays one user message', () => {
    const plain = { ...spec, messages: undefined }
    expect(body('chat', plain).messages).toEqual([{ role: 'user', content: spec.prompt }])
    expect(body('responses', plain).input).toBe(spec.prompt)
    expect(body('anthropic', plain)).not.toHaveProperty('system')
  })
})
