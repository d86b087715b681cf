import { describe, expect, it } from 'vitest'
import { chatAdapter } from '../src/client/openai-chat.js'
import { completionsAdapter } from '../src/client/openai-completions.js'
import { RequestTracker } from '../src/client/tracker.js'
import type { Adapter, RequestSpec } from '../src/client/adapter.js'

const spec: RequestSpec = {
  model: 'm', prompt: 'hello there', promptTokens: 2, maxTokens: 8, stream: true,
  ignoreEos: true, includeUsage: true, continuousUsage: false, body: {},
}

/** Feeds events to an adapter as if each arrived at the given time (sentAt = 0). */
function play(adapter: Adapter, events: Array<[number, string]>, stream = true) {
  const t = new RequestTracker(0, false, stream, 0, 2)
  t.sentAt = 0
  for (const [at, data] of events) {
    t.readAt = at
    adapter.onEvent(data, 'message', t)
  }
  return t.toRecord(events.length ? events[events.length - 1][0] + 1 : 1)
}

const chunk = (delta: object, extra: object = {}) =>
  JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })

describe('chat adapter requests', () => {
  it('sends max_tokens, ignore_eos, include_usage and the extra body fields last', () => {
    const req = chatAdapter.buildRequest({ ...spec, body: { temperature: 0, max_tokens: 3 } })
    const body = JSON.parse(req.body)
    expect(req.path).toBe('/v1/chat/completions')
    expect(body).toMatchObject({ model: 'm', stream: true, ignore_eos: true, temperature: 0, max_tokens: 3 })
    expect(body.stream_options).toEqual({ include_usage: true })
    expect(body.messages).toEqual([{ role: 'user', content: 'hello there' }])
  })

  it('leaves ignore_eos and stream_options out when turned off', () => {
    const body = JSON.parse(chatAdapter.buildRequest({ ...spec, ignoreEos: false, includeUsage: false }).body)
    expect(body).not.toHaveProperty('ignore_eos')
    expect(body).not.toHaveProperty('stream_options')
  })

  it('asks for continuous usage when told to', () => {
    const body = JSON.parse(chatAdapter.buildRequest({ ...spec, continuousUsage: true }).body)
    expect(body.stream_options).toEqual({ include_usage: true, continuous_usage_stats: true })
  })

  it('sends no stream_options on a non-streamed request', () => {
    const body = JSON.parse(chatAdapter.buildRequest({ ...spec, stream: false }).body)
    expect(body.stream).toBe(false)
    expect(body).not.toHaveProperty('stream_options')
  })
})

describe('chat adapter streams', () => {
  it('does not count a role-only first chunk as a token', () => {
    const r = play(chatAdapter, [
      [1, chunk({ role: 'assistant', content: '' })],
      [50, chunk({ content: 'Hi' })],
      [60, chunk({ content: ' there' })],
      [61, '[DONE]'],
    ])
    expect(r.firstTokenAt).toBe(50)
    expect(r.tokenTimes).toEqual([50, 60])
    expect(r.outputTokens).toBe(2)
    expect(r.outputTokensSource).toBe('events')
    expect(r.outcome).toBe('ok')
  })

  it('counts Ollama-style chunks that carry role and content together', () => {
    const r = play(chatAdapter, [[5, chunk({ role: 'assistant', content: 'A' })], [9, chunk({ role: 'assistant', content: 'B' })]])
    expect(r.firstTokenAt).toBe(5)
    expect(r.outputTokens).toBe(2)
  })

  it('treats reasoning deltas as tokens but not as content (TTFC later than TTFT)', () => {
    const r = play(chatAdapter, [
      [10, chunk({ reasoning_content: 'think' })],
      [20, chunk({ reasoning: 'more' })],
      [30, chunk({ content: 'answer' })],
    ])
    expect(r.firstTokenAt).toBe(10)
    expect(r.firstContentAt).toBe(30)
    expect(r.outputTokens).toBe(3)
  })

  it('counts tool-call argument deltas as tokens', () => {
    const r = play(chatAdapter, [
      [10, chunk({ tool_calls: [{ index: 0, id: 't', type: 'function', function: { name: 'f', arguments: '' } }] })],
      [20, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] })],
    ])
    expect(r.firstTokenAt).toBe(20)
    expect(r.outputTokens).toBe(1)
  })

  it('prefers the final usage chunk for token counts and keeps prompt tokens and reasoning tokens', () => {
    const r = play(chatAdapter, [
      [10, chunk({ content: 'one two' })],
      [20, JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 2 } } })],
    ])
    expect(r.outputTokens).toBe(5)
    expect(r.outputTokensSource).toBe('usage')
    expect(r.inputTokens).toBe(7)
    expect(r.inputTokensSource).toBe('usage')
    expect(r.reasoningTokens).toBe(2)
  })

  it('uses continuous usage to know how many tokens each event carried', () => {
    const r = play(chatAdapter, [
      [1, chunk({ role: 'assistant', content: '' }, { usage: { prompt_tokens: 4, completion_tokens: 0 } })],
      [10, chunk({ content: 'a b c' }, { usage: { prompt_tokens: 4, completion_tokens: 3 } })],
      [20, chunk({ content: 'd' }, { usage: { prompt_tokens: 4, completion_tokens: 4 } })],
      [30, chunk({ content: 'e f' }, { usage: { prompt_tokens: 4, completion_tokens: 6 } })],
    ])
    expect(r.tokenCounts).toEqual([3, 1, 2])
    expect(r.outputTokens).toBe(6)
    expect(r.outputTokensSource).toBe('usage-continuous')
    expect(r.inputTokens).toBe(4)
  })

  it('records an error event inside the stream as stream-error', () => {
    const r = play(chatAdapter, [
      [10, chunk({ content: 'a' })],
      [20, JSON.stringify({ error: { message: 'engine died', type: 'InternalServerError', code: 500 } })],
    ])
    expect(r.outcome).toBe('stream-error')
    expect(r.error?.message).toBe('engine died')
  })

  it('recognises vLLM-style error objects', () => {
    const r = play(chatAdapter, [[10, JSON.stringify({ object: 'error', message: 'bad', type: 'BadRequestError', code: 400 })]])
    expect(r.outcome).toBe('stream-error')
  })

  it('records a malformed event as a parse failure', () => {
    const r = play(chatAdapter, [[10, chunk({ content: 'a' })], [20, '{"choices":[{"delta":']])
    expect(r.outcome).toBe('parse')
  })

  it('marks a stream without any token as empty', () => {
    const r = play(chatAdapter, [[1, chunk({ role: 'assistant', content: '' })], [2, '[DONE]']])
    expect(r.outcome).toBe('empty')
  })

  it('reads a non-streamed body with usage', () => {
    const t = new RequestTracker(0, false, false, 0, 2)
    chatAdapter.onBody(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'hello world' } }], usage: { prompt_tokens: 9, completion_tokens: 2 } }), t)
    const r = t.toRecord(100)
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 2, outputTokensSource: 'usage', inputTokens: 9 })
    expect(r.firstTokenAt).toBeUndefined()
    expect(r.tokenTimes).toBeUndefined()
  })

  it('estimates output tokens of a non-streamed body without usage', () => {
    const t = new RequestTracker(0, false, false, 0, 2)
    chatAdapter.onBody(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'hello world' } }] }), t)
    const r = t.toRecord(100)
    expect(r.outputTokensSource).toBe('estimate')
    expect(r.outputTokens).toBe(2)
  })
})

describe('the fast path for plain token events', () => {
  const events = [
    chunk({ content: 'a' }),
    JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'he said "usage" and "error"' }, finish_reason: null }] }),
    chunk({ content: '' }),
    chunk({ content: ' ' }),
    chunk({ content: '\n' }),
    '{"id":"c","choices":[{"index":0,"delta": {"content": "spaced"}}]}',
    chunk({ content: 'x' }, { usage: { prompt_tokens: 1, completion_tokens: 3 } }),
  ]

  it('gives the same record as a full parse of every event', () => {
    const fast = play(chatAdapter, events.map((e, i) => [i * 10, e] as [number, string]))
    // The same events behind a leading space: the fast path never matches, JSON.parse reads all.
    const slow = play(chatAdapter, events.map((e, i) => [i * 10, ' ' + e] as [number, string]))
    expect(fast).toEqual(slow)
    expect(fast.tokenTimes).toEqual([0, 10, 30, 40, 50, 60])
  })

  it('does not take a truncated event for a token', () => {
    const r = play(chatAdapter, [[1, chunk({ content: 'a' })], [2, '{"choices":[{"delta":{"content":"abc']])
    expect(r.outcome).toBe('parse')
    expect(r.outputTokens).toBe(1)
  })
})

describe('completions adapter', () => {
  it('sends the prompt and reads choices[0].text, skipping an empty first chunk', () => {
    const body = JSON.parse(completionsAdapter.buildRequest(spec).body)
    expect(body.prompt).toBe('hello there')
    const ev = (text: string) => JSON.stringify({ object: 'text_completion', choices: [{ index: 0, text, finish_reason: null }] })
    const r = play(completionsAdapter, [[5, ev('')], [12, ev(' a')], [22, ev(' b')], [23, '[DONE]']])
    expect(r.firstTokenAt).toBe(12)
    expect(r.tokenTimes).toEqual([12, 22])
  })
})
