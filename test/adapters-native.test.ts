import { describe, expect, it } from 'vitest'
import { authHeaders, type Adapter, type RequestSpec } from '../src/client/adapter.js'
import { anthropicAdapter } from '../src/client/anthropic.js'
import { embeddingsAdapter } from '../src/client/embeddings.js'
import { NdjsonParser } from '../src/client/ndjson.js'
import { ollamaChatAdapter, ollamaGenerateAdapter } from '../src/client/ollama.js'
import { ENDPOINTS, getAdapter } from '../src/client/registry.js'
import { responsesAdapter } from '../src/client/responses.js'
import { sglangAdapter } from '../src/client/sglang.js'
import { tgiAdapter } from '../src/client/tgi.js'
import { RequestTracker } from '../src/client/tracker.js'
import { tritonAdapter } from '../src/client/triton.js'

const spec: RequestSpec = {
  model: 'm', prompt: 'hello there', promptTokens: 2, maxTokens: 8, stream: true,
  ignoreEos: true, includeUsage: true, continuousUsage: false, body: {},
}

/** An event arriving at a time (sentAt = 0), with its SSE event name when it has one. */
type Ev = [at: number, data: string, event?: string]

/** Feeds events to an adapter as if each arrived at the given time. */
function play(adapter: Adapter, events: Ev[]) {
  const t = new RequestTracker(0, false, true, 0, 2, adapter.generates !== false)
  t.sentAt = 0
  for (const [at, data, event] of events) {
    t.readAt = at
    adapter.onEvent(data, event ?? 'message', t)
  }
  return t.toRecord(events.length ? events[events.length - 1][0] + 1 : 1)
}

/** A complete non-streamed body. */
function body(adapter: Adapter, text: string) {
  const t = new RequestTracker(0, false, false, 0, 2, adapter.generates !== false)
  t.readAt = 100
  adapter.onBody(text, t)
  return t.toRecord(100)
}

/** The same events behind a leading space: no fast path matches, JSON.parse reads every one. */
const slow = (events: Ev[]): Ev[] => events.map(([at, data, event]) => [at, ' ' + data, event])

const request = (adapter: Adapter, over: Partial<RequestSpec> = {}) => {
  const req = adapter.buildRequest({ ...spec, ...over })
  return { ...req, json: JSON.parse(req.body) as Record<string, any> }
}

const j = JSON.stringify

describe('registry', () => {
  it('registers every protocol under its endpoint name', () => {
    for (const name of ['chat', 'completions', 'triton', 'tgi', 'sglang', 'ollama', 'ollama-generate', 'responses', 'anthropic', 'embeddings']) {
      expect(ENDPOINTS).toContain(name)
      expect(getAdapter(name).name).toBe(name)
    }
    expect(() => getAdapter('nope')).toThrow(/unknown endpoint "nope"/)
  })

  it('frames Ollama as NDJSON and everything else as SSE', () => {
    for (const name of ENDPOINTS.filter((e) => e !== 'auto')) {
      expect(getAdapter(name).framing).toBe(name.startsWith('ollama') ? 'ndjson' : 'sse')
    }
  })
})

describe('triton adapter', () => {
  const ev = (text_output: string) =>
    j({ model_name: 'ensemble', model_version: '1', sequence_end: false, sequence_start: false, text_output })

  it('posts text_input, max_tokens and stream to generate_stream, min_length only with ignoreEos', () => {
    const r = request(tritonAdapter, { model: 'my model' })
    expect(r.path).toBe('/v2/models/my%20model/generate_stream')
    expect(r.json).toEqual({ text_input: 'hello there', max_tokens: 8, stream: true, min_length: 8 })
    const off = request(tritonAdapter, { ignoreEos: false, stream: false })
    expect(off.path).toBe('/v2/models/m/generate')
    expect(off.json).toEqual({ text_input: 'hello there', max_tokens: 8, stream: false })
  })

  it('merges the extra body fields last', () => {
    const r = request(tritonAdapter, { body: { max_tokens: 3, min_length: 1, end_id: 2 } })
    expect(r.json).toMatchObject({ max_tokens: 3, min_length: 1, end_id: 2 })
  })

  it('counts each non-empty text_output as one token event', () => {
    const events: Ev[] = [[4, ev('')], [20, ev('Hi')], [30, ev(' ')], [41, ev('\n')], [50, ev('"quoted" error')]]
    const r = play(tritonAdapter, events)
    expect(r.firstTokenAt).toBe(20)
    expect(r.firstContentAt).toBe(20)
    expect(r.tokenTimes).toEqual([20, 30, 41, 50])
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 4, outputTokensSource: 'events', inputTokens: 2, inputTokensSource: 'prompt' })
    expect(r.tokenCounts).toBeUndefined()
    expect(r).toEqual(play(tritonAdapter, slow(events)))
  })

  it('records an error event as stream-error and a malformed event as parse', () => {
    const err = play(tritonAdapter, [[10, ev('a')], [20, j({ error: 'in-flight batcher failed' })]])
    expect(err.outcome).toBe('stream-error')
    expect(err.error?.message).toBe('in-flight batcher failed')
    expect(play(tritonAdapter, [[10, ev('a')], [20, '{"text_output":"ab']]).outcome).toBe('parse')
  })

  it('estimates the tokens of a non-streamed body (Triton sends no usage)', () => {
    const r = body(tritonAdapter, j({ model_name: 'ensemble', text_output: 'hello world' }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 2, outputTokensSource: 'estimate' })
    expect(r.firstTokenAt).toBeUndefined()
    expect(body(tritonAdapter, j({ error: 'model not ready' })).outcome).toBe('stream-error')
    expect(body(tritonAdapter, 'not json').outcome).toBe('parse')
  })
})

describe('tgi adapter', () => {
  let i = 0
  const tok = (text: string, special = false, last?: object) =>
    j({ index: ++i, token: { id: 5, text, logprob: -0.1, special }, generated_text: last ? 'all' : null, details: last ?? null })

  it('posts inputs and parameters, never ignore_eos', () => {
    const r = request(tgiAdapter)
    expect(r.path).toBe('/generate_stream')
    expect(r.json).toEqual({ inputs: 'hello there', parameters: { max_new_tokens: 8, details: true } })
    expect(request(tgiAdapter, { stream: false }).path).toBe('/generate')
  })

  it('merges extra parameters into its own, the user winning', () => {
    const r = request(tgiAdapter, { body: { parameters: { temperature: 0, max_new_tokens: 3 }, truncate: 100 } })
    expect(r.json).toEqual({ inputs: 'hello there', parameters: { max_new_tokens: 3, details: true, temperature: 0 }, truncate: 100 })
  })

  it('counts non-special tokens and takes the final count from details.generated_tokens', () => {
    const events: Ev[] = [
      [5, tok('<s>', true)],
      [12, tok('Hello')],
      [20, tok('', false)],
      [31, tok(' world')],
      [40, tok('', true, { finish_reason: 'eos_token', generated_tokens: 5, input_length: 9, seed: null })],
    ]
    const r = play(tgiAdapter, events)
    expect(r.firstTokenAt).toBe(12)
    expect(r.tokenTimes).toEqual([12, 31])
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 5, outputTokensSource: 'usage', inputTokens: 9, inputTokensSource: 'usage' })
    expect(r).toEqual(play(tgiAdapter, slow(events)))
  })

  it('counts the token of the last event and falls back to events without details', () => {
    const r = play(tgiAdapter, [[10, tok('a')], [20, tok('b', false, { finish_reason: 'length', generated_tokens: 2 })]])
    expect(r.tokenTimes).toEqual([10, 20])
    expect(r).toMatchObject({ outputTokens: 2, outputTokensSource: 'usage', inputTokensSource: 'prompt' })
    expect(play(tgiAdapter, [[10, tok('a')], [20, tok('b')]])).toMatchObject({ outputTokens: 2, outputTokensSource: 'events' })
  })

  it('does not take a top_tokens event for a plain token without parsing it', () => {
    const top = j({ index: 1, token: { id: 1, text: '</s>', special: true }, top_tokens: [{ id: 2, text: 'x', special: false }], generated_text: null, details: null })
    expect(play(tgiAdapter, [[10, top]]).outcome).toBe('empty')
  })

  it('records TGI error events as stream-error and malformed events as parse', () => {
    const r = play(tgiAdapter, [[10, tok('a')], [20, j({ error: 'Request failed during generation: OOM', error_type: 'generation' })]])
    expect(r.outcome).toBe('stream-error')
    expect(r.error?.message).toMatch(/OOM/)
    expect(play(tgiAdapter, [[10, '{"index":1,"token":{"text":"a"']]).outcome).toBe('parse')
  })

  it('reads a non-streamed body: generated_text and details', () => {
    const prefill = [{ id: 1, text: '<s>' }, { id: 2, text: 'hello' }, { id: 3, text: ' there' }]
    const r = body(tgiAdapter, j({ generated_text: 'a b c', details: { finish_reason: 'length', generated_tokens: 8, prefill, tokens: [] } }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 8, outputTokensSource: 'usage', inputTokens: 3, inputTokensSource: 'usage' })
    // Without decoder_input_details the prefill list is empty: no prompt count.
    const empty = body(tgiAdapter, j([{ generated_text: 'a b c', details: { generated_tokens: 3, prefill: [] } }]))
    expect(empty).toMatchObject({ outputTokens: 3, inputTokens: 2, inputTokensSource: 'prompt' })
    expect(body(tgiAdapter, j({ generated_text: 'hello world' }))).toMatchObject({ outputTokens: 2, outputTokensSource: 'estimate' })
    expect(body(tgiAdapter, j({ error: 'Input validation error', error_type: 'validation' })).outcome).toBe('stream-error')
  })
})

describe('sglang adapter', () => {
  const ev = (text: string, completion: number, finish: object | null = null) =>
    j({ text, meta_info: { id: 'r', finish_reason: finish, prompt_tokens: 11, completion_tokens: completion, cached_tokens: 0 } })

  it('posts text, sampling_params with max_new_tokens and ignore_eos, and stream', () => {
    const r = request(sglangAdapter)
    expect(r.path).toBe('/generate')
    expect(r.json).toEqual({ text: 'hello there', sampling_params: { max_new_tokens: 8, ignore_eos: true }, stream: true })
    expect(request(sglangAdapter, { ignoreEos: false, stream: false }).json).toEqual({
      text: 'hello there', sampling_params: { max_new_tokens: 8, ignore_eos: false }, stream: false,
    })
    const extra = request(sglangAdapter, { body: { sampling_params: { temperature: 0 }, rid: 'x' } })
    expect(extra.json).toMatchObject({ sampling_params: { max_new_tokens: 8, ignore_eos: true, temperature: 0 }, rid: 'x' })
  })

  it('counts growth of the cumulative text and splits multi-token events by completion_tokens', () => {
    const r = play(sglangAdapter, [
      [3, ev('', 0)],
      [10, ev('A', 1)],
      [20, ev('A b c', 3)],
      [25, ev('A b c', 4)], // a token without text yet (a split character): not a token event
      [30, ev('A b c d', 5)],
      [40, ev('A b c d e', 6, { type: 'length', length: 6 })],
      [41, '[DONE]'],
    ])
    expect(r.firstTokenAt).toBe(10)
    expect(r.tokenTimes).toEqual([10, 20, 30, 40])
    expect(r.tokenCounts).toEqual([1, 2, 2, 1])
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 6, outputTokensSource: 'usage-continuous', inputTokens: 11, inputTokensSource: 'usage' })
  })

  it('keeps the text length of each request apart', () => {
    const a = new RequestTracker(0, false, true, 0, 2)
    const b = new RequestTracker(1, false, true, 0, 2)
    sglangAdapter.onEvent(ev('long text', 2), 'message', a)
    sglangAdapter.onEvent(ev('x', 1), 'message', b)
    sglangAdapter.onEvent(ev('long text!', 3), 'message', a)
    expect(a.toRecord(1).outputTokens).toBe(3)
    expect(b.toRecord(1).tokenTimes).toHaveLength(1)
  })

  it('falls back to counting events when completion_tokens is missing', () => {
    const r = play(sglangAdapter, [[10, j({ text: 'a' })], [20, j({ text: 'ab' })]])
    expect(r).toMatchObject({ outputTokens: 2, outputTokensSource: 'events' })
  })

  it('records error events as stream-error and malformed events as parse', () => {
    expect(play(sglangAdapter, [[10, ev('a', 1)], [20, j({ error: { message: 'aborted by scheduler' } })]]).outcome).toBe('stream-error')
    expect(play(sglangAdapter, [[10, '{"text":"a","meta_info":']]).outcome).toBe('parse')
  })

  it('reads a non-streamed body with meta_info', () => {
    const r = body(sglangAdapter, j({ text: 'one two three', meta_info: { prompt_tokens: 11, completion_tokens: 3 } }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 3, outputTokensSource: 'usage', inputTokens: 11 })
  })
})

describe('NDJSON parser', () => {
  const collect = (pushes: Array<Buffer | string>) => {
    const lines: string[] = []
    const p = new NdjsonParser((data, event) => {
      expect(event).toBe('message')
      lines.push(data)
    })
    for (const c of pushes) p.push(typeof c === 'string' ? Buffer.from(c) : c)
    p.end()
    return lines
  }

  it('joins lines split across pushes and gives many lines of one push', () => {
    expect(collect(['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n{"d":4}'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}'])
  })

  it('strips CRLF, also when CR and LF arrive apart, and skips empty lines', () => {
    expect(collect(['{"a":1}\r', '\n\n{"b":2}\r\n'])).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('never breaks a multi-byte character split between pushes', () => {
    const bytes = Buffer.from('{"t":"é🙂"}\n')
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"t":"é🙂"}'])
    }
    const one = collect([...bytes].map((b) => Buffer.from([b])))
    expect(one).toEqual(['{"t":"é🙂"}'])
  })

  it('does not keep a reference to the caller’s reused buffer', () => {
    const buf = Buffer.from('{"a":"xy')
    const lines: string[] = []
    const p = new NdjsonParser((d) => lines.push(d))
    p.push(buf)
    buf.fill(0x20)
    p.push(Buffer.from('z"}\n'))
    expect(lines).toEqual(['{"a":"xyz"}'])
  })

  it('reads only the range it is given of a larger read buffer', () => {
    const shared = Buffer.alloc(256, '{"stale":1}\n')
    const lines: string[] = []
    const p = new NdjsonParser((d) => lines.push(d))
    shared.write('{"a":1}\n{"b"', 40)
    p.push(shared, 40, 40 + 12)
    shared.write(':2}\n', 5)
    p.push(shared, 5, 9)
    p.end()
    expect(lines).toEqual(['{"a":1}', '{"b":2}'])
  })
})

describe('ollama adapters', () => {
  const chat = (content: string, extra: object = {}) =>
    j({ model: 'm', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content, ...extra }, done: false })
  const doneLine = j({ model: 'm', created_at: '2025-01-01T00:00:01Z', message: { role: 'assistant', content: '' }, done_reason: 'length', done: true, total_duration: 1, prompt_eval_count: 26, eval_count: 7, eval_duration: 1 })

  /** Lines through the real parser: each push is one read, stamped with its arrival time. */
  function playNdjson(adapter: Adapter, reads: Array<[number, string]>) {
    const t = new RequestTracker(0, false, true, 0, 2)
    t.sentAt = 0
    const p = new NdjsonParser((data, event) => adapter.onEvent(data, event, t))
    for (const [at, text] of reads) {
      t.readAt = at
      p.push(Buffer.from(text))
    }
    p.end()
    return { t, r: t.toRecord(reads[reads.length - 1][0] + 1) }
  }

  it('posts chat messages or a generate prompt, stream and options.num_predict, never ignore_eos', () => {
    const r = request(ollamaChatAdapter)
    expect(r.path).toBe('/api/chat')
    expect(r.json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hello there' }], stream: true, options: { num_predict: 8 } })
    expect(r.headers.accept).toBe('application/x-ndjson')
    const g = request(ollamaGenerateAdapter, { stream: false })
    expect(g.path).toBe('/api/generate')
    expect(g.json).toEqual({ model: 'm', prompt: 'hello there', stream: false, options: { num_predict: 8 } })
    expect(g.headers.accept).toBe('application/json')
    const extra = request(ollamaChatAdapter, { body: { options: { temperature: 0 }, keep_alive: '5m' } })
    expect(extra.json).toMatchObject({ options: { num_predict: 8, temperature: 0 }, keep_alive: '5m' })
  })

  it('reads NDJSON lines split across reads: tokens, then the counts of the done line', () => {
    const a = chat('The')
    const b = chat(' cat')
    const { t, r } = playNdjson(ollamaChatAdapter, [
      [10, a.slice(0, 20)],
      [15, a.slice(20) + '\n' + b.slice(0, 5)],
      [30, b.slice(5) + '\n'],
      [40, doneLine + '\n'],
    ])
    expect(r.tokenTimes).toEqual([15, 30])
    expect(r.firstTokenAt).toBe(15)
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 7, outputTokensSource: 'usage', inputTokens: 26, inputTokensSource: 'usage' })
    expect(t.done).toBe(true)
  })

  it('treats thinking as reasoning tokens (TTFC later) and tool calls as tokens', () => {
    const r = play(ollamaChatAdapter, [
      [5, chat('', { thinking: 'Hmm' })],
      [9, chat('', { thinking: ' so' })],
      [20, chat('Yes')],
      [30, chat('', { tool_calls: [{ function: { name: 'f', arguments: {} } }] })],
    ])
    expect(r.firstTokenAt).toBe(5)
    expect(r.firstContentAt).toBe(20)
    expect(r.tokenTimes).toEqual([5, 9, 20, 30])
  })

  it('takes the same view of every line with or without the fast path', () => {
    const events: Ev[] = [[1, chat('')], [5, chat('a')], [6, chat('"error"')], [9, chat(' ')], [10, doneLine]]
    const r = play(ollamaChatAdapter, events)
    expect(r.tokenTimes).toEqual([5, 6, 9])
    expect(r).toEqual(play(ollamaChatAdapter, slow(events)))
  })

  it('reads /api/generate lines by their response field', () => {
    const line = (response: string, done = false) => j({ model: 'm', response, done, ...(done ? { prompt_eval_count: 4, eval_count: 2, context: [1, 2] } : {}) })
    const r = play(ollamaGenerateAdapter, [[1, line('')], [7, line('Hi')], [8, j({ model: 'm', response: '', thinking: 'x', done: false })], [12, line('!')], [13, line('', true)]])
    expect(r.tokenTimes).toEqual([7, 8, 12])
    expect(r.firstContentAt).toBe(7)
    expect(r).toMatchObject({ outputTokens: 2, outputTokensSource: 'usage', inputTokens: 4 })
  })

  it('records error lines as stream-error and malformed lines as parse', () => {
    const err = playNdjson(ollamaChatAdapter, [[10, chat('a') + '\n{"error":"model runner has unexpectedly stopped"}\n']]).r
    expect(err.outcome).toBe('stream-error')
    expect(err.error?.message).toMatch(/unexpectedly stopped/)
    // A line cut by the end of the stream is passed on by end() and fails to parse.
    expect(playNdjson(ollamaChatAdapter, [[10, chat('a') + '\n{"message":{"content":"b']]).r.outcome).toBe('parse')
  })

  it('reads non-streamed bodies: message.content or response, and the counts', () => {
    const r = body(ollamaChatAdapter, j({ message: { role: 'assistant', content: 'hello world' }, done: true, prompt_eval_count: 26, eval_count: 2 }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 2, outputTokensSource: 'usage', inputTokens: 26 })
    const g = body(ollamaGenerateAdapter, j({ response: 'hello world', done: true }))
    expect(g).toMatchObject({ outcome: 'ok', outputTokens: 2, outputTokensSource: 'estimate', inputTokensSource: 'prompt' })
    expect(body(ollamaChatAdapter, j({ error: 'model "m" not found, try pulling it first' })).outcome).toBe('stream-error')
  })
})

describe('responses adapter', () => {
  const ev = (type: string, fields: object = {}): Ev => [0, j({ type, sequence_number: 1, ...fields }), type]
  const at = (time: number, e: Ev): Ev => [time, e[1], e[2]]
  const delta = (type: string, d: string) => ev(type, { item_id: 'msg_1', output_index: 0, content_index: 0, delta: d, logprobs: [] })
  const usage = { input_tokens: 12, output_tokens: 9, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 21 }

  it('posts input, stream and max_output_tokens, never ignore_eos', () => {
    const r = request(responsesAdapter, { body: { max_output_tokens: 3, reasoning: { effort: 'low' } } })
    expect(r.path).toBe('/v1/responses')
    expect(r.json).toEqual({ model: 'm', input: 'hello there', stream: true, max_output_tokens: 3, reasoning: { effort: 'low' } })
  })

  it('counts text deltas as tokens and reasoning deltas as reasoning, usage from response.completed', () => {
    const events: Ev[] = [
      at(1, ev('response.created', { response: { id: 'r', status: 'in_progress', error: null, usage: null } })),
      at(2, ev('response.in_progress', { response: { id: 'r' } })),
      at(3, ev('response.output_item.added', { item: { type: 'reasoning' } })),
      at(10, delta('response.reasoning_summary_text.delta', 'Think')),
      at(15, delta('response.reasoning_text.delta', 'ing')),
      at(18, delta('response.output_text.delta', '')),
      at(20, delta('response.output_text.delta', 'Hi')),
      at(30, delta('response.output_text.delta', ' "usage"')),
      at(31, ev('response.output_text.done', { text: 'Hi "usage"' })),
      at(40, ev('response.completed', { response: { id: 'r', status: 'completed', error: null, usage } })),
    ]
    const r = play(responsesAdapter, events)
    expect(r.firstTokenAt).toBe(10)
    expect(r.firstContentAt).toBe(20)
    expect(r.tokenTimes).toEqual([10, 15, 20, 30])
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 9, outputTokensSource: 'usage', inputTokens: 12, inputTokensSource: 'usage', reasoningTokens: 4 })
    expect(r).toEqual(play(responsesAdapter, slow(events)))
  })

  it('takes the usage of response.incomplete (max_output_tokens reached) and reads unnamed events by type', () => {
    const r = play(responsesAdapter, [
      [10, delta('response.output_text.delta', 'a')[1]],
      [20, ev('response.incomplete', { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 5, output_tokens: 8 } } })[1]],
    ])
    expect(r).toMatchObject({ outcome: 'ok', firstTokenAt: 10, outputTokens: 8, outputTokensSource: 'usage', inputTokens: 5 })
  })

  it('records response.failed and error events as stream-error, malformed events as parse', () => {
    const failed = play(responsesAdapter, [at(10, delta('response.output_text.delta', 'a')), at(20, ev('response.failed', { response: { status: 'failed', error: { code: 'server_error', message: 'boom' } } }))])
    expect(failed.outcome).toBe('stream-error')
    expect(failed.error?.message).toBe('boom')
    const error = play(responsesAdapter, [at(10, ev('error', { code: 'rate_limit_exceeded', message: 'slow down', param: null }))])
    expect(error.outcome).toBe('stream-error')
    expect(error.error?.message).toBe('slow down')
    expect(play(responsesAdapter, [[10, '{"type":"response.output_text.delta","delta":"a', 'response.output_text.delta']]).outcome).toBe('parse')
  })

  it('reads a non-streamed body: output[].content[].text and usage', () => {
    const r = body(responsesAdapter, j({
      object: 'response', status: 'completed', error: null,
      output: [{ type: 'reasoning', summary: [] }, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hello world', annotations: [] }] }],
      usage,
    }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 9, outputTokensSource: 'usage', inputTokens: 12, reasoningTokens: 4 })
    const est = body(responsesAdapter, j({ output: [{ type: 'message', content: [{ type: 'output_text', text: 'hello world' }] }] }))
    expect(est).toMatchObject({ outputTokens: 2, outputTokensSource: 'estimate' })
    expect(body(responsesAdapter, j({ status: 'failed', error: { code: 'server_error', message: 'boom' } })).outcome).toBe('stream-error')
  })
})

describe('anthropic adapter', () => {
  const ev = (time: number, type: string, fields: object = {}): Ev => [time, j({ type, ...fields }), type]
  const delta = (time: number, d: object) => ev(time, 'content_block_delta', { index: 0, delta: d })

  it('posts max_tokens, messages and stream with the anthropic-version header', () => {
    const r = request(anthropicAdapter, { body: { max_tokens: 3, temperature: 0 } })
    expect(r.path).toBe('/v1/messages')
    expect(r.headers['anthropic-version']).toBe('2023-06-01')
    expect(r.json).toEqual({ model: 'm', max_tokens: 3, messages: [{ role: 'user', content: 'hello there' }], stream: true, temperature: 0 })
    expect(r.json).not.toHaveProperty('ignore_eos')
  })

  it('sends the API key as x-api-key, and anthropic-version once', () => {
    const auth = authHeaders(anthropicAdapter, 'sk-ant')
    expect(auth).toEqual({ 'x-api-key': 'sk-ant' })
    const all = { ...auth, ...request(anthropicAdapter).headers }
    expect(Object.keys(all).filter((k) => k === 'anthropic-version')).toHaveLength(1)
    expect(authHeaders(anthropicAdapter, undefined)).toEqual({})
  })

  it('counts text and thinking deltas, input tokens from message_start, output tokens from message_delta', () => {
    const events: Ev[] = [
      ev(1, 'message_start', { message: { id: 'msg', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 20, cache_read_input_tokens: 5, output_tokens: 1 } } }),
      ev(2, 'content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      ev(3, 'ping'),
      delta(10, { type: 'thinking_delta', thinking: 'Let me' }),
      delta(12, { type: 'signature_delta', signature: 'abc' }),
      ev(13, 'content_block_stop', { index: 0 }),
      delta(20, { type: 'text_delta', text: 'Hi' }),
      delta(25, { type: 'text_delta', text: '' }),
      delta(30, { type: 'text_delta', text: ' "error"' }),
      ev(40, 'message_delta', { delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 15 } }),
      ev(41, 'message_stop'),
    ]
    const r = play(anthropicAdapter, events)
    expect(r.firstTokenAt).toBe(10)
    expect(r.firstContentAt).toBe(20)
    expect(r.tokenTimes).toEqual([10, 20, 30])
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 15, outputTokensSource: 'usage', inputTokens: 25, inputTokensSource: 'usage' })
    expect(r).toEqual(play(anthropicAdapter, slow(events)))
  })

  it('counts events when message_delta never came, and takes tool input deltas as tokens', () => {
    const r = play(anthropicAdapter, [delta(10, { type: 'input_json_delta', partial_json: '{"a":' }), delta(20, { type: 'text_delta', text: 'x' })])
    expect(r).toMatchObject({ outputTokens: 2, outputTokensSource: 'events', firstContentAt: 10 })
  })

  it('records error events as stream-error and malformed events as parse', () => {
    const r = play(anthropicAdapter, [delta(10, { type: 'text_delta', text: 'a' }), ev(20, 'error', { error: { type: 'overloaded_error', message: 'Overloaded' } })])
    expect(r.outcome).toBe('stream-error')
    expect(r.error?.message).toBe('Overloaded')
    expect(play(anthropicAdapter, [[10, '{"type":"content_block_delta","delta":{"type":"text_delta","text":"a', 'content_block_delta']]).outcome).toBe('parse')
  })

  it('reads a non-streamed body: content blocks and usage', () => {
    const r = body(anthropicAdapter, j({ type: 'message', content: [{ type: 'thinking', thinking: 'hm' }, { type: 'text', text: 'hello world' }], usage: { input_tokens: 9, output_tokens: 4 } }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 4, outputTokensSource: 'usage', inputTokens: 9 })
    expect(body(anthropicAdapter, j({ type: 'message', content: [{ type: 'text', text: 'hello world' }] }))).toMatchObject({ outputTokens: 2, outputTokensSource: 'estimate' })
    expect(body(anthropicAdapter, j({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: required' } })).outcome).toBe('stream-error')
  })
})

describe('embeddings adapter', () => {
  it('posts model and input, never streams and generates nothing', () => {
    const r = request(embeddingsAdapter, { body: { dimensions: 64 } })
    expect(r.path).toBe('/v1/embeddings')
    expect(r.json).toEqual({ model: 'm', input: 'hello there', dimensions: 64 })
    expect(r.headers.accept).toBe('application/json')
    expect(embeddingsAdapter.streams).toBe(false)
    expect(embeddingsAdapter.generates).toBe(false)
  })

  it('succeeds on a body with data, input tokens from usage, no output tokens and no TTFT', () => {
    const r = body(embeddingsAdapter, j({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'm', usage: { prompt_tokens: 7, total_tokens: 7 } }))
    expect(r).toMatchObject({ outcome: 'ok', outputTokens: 0, outputTokensSource: 'usage', inputTokens: 7, inputTokensSource: 'usage' })
    expect(r.firstTokenAt).toBeUndefined()
    expect(r.tokenTimes).toBeUndefined()
    expect(body(embeddingsAdapter, j({ data: [] }))).toMatchObject({ outcome: 'ok', inputTokensSource: 'prompt' })
  })

  it('fails a body without data (parse) or with an error (stream-error)', () => {
    expect(body(embeddingsAdapter, j({ object: 'list' })).outcome).toBe('parse')
    expect(body(embeddingsAdapter, j({ object: 'error', message: 'not an embedding model', code: 400 })).outcome).toBe('stream-error')
    expect(body(embeddingsAdapter, '{').outcome).toBe('parse')
  })
})
