/**
 * The simulator's native and non-chat protocols (Triton, TGI, SGLang, Ollama, OpenAI Responses,
 * Anthropic Messages, embeddings): the wire shapes of STREAMS.md, forced token counts, usage, the
 * shared exact-timing schedule and trace, the model-listing routes, errors and faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countTokens } from '../src/data/tokenizer.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js'
import { raw, sse, type Raw } from './helpers/raw-http.js'

type J = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const json = (text: string): J[] => sse(text).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as J)
const ndjson = (text: string): J[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as J)
const body = (r: Raw): J => JSON.parse(r.text) as J
/** Prompt tokens of one user message under the simulator's chat template. */
const chatTokens = (content: string): number => 3 + 4 + countTokens(content)

const HI = 'Hello there, simulator!'
const MSGS = [{ role: 'user', content: HI }]
const FAST: SimulatorOptions = { decodeBaseMs: 1, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001, trace: true }

/** A streamed request of N tokens for each protocol (forced where the protocol can force). */
const STREAMED: Record<string, (n: number) => [path: string, body: J]> = {
  triton: (n) => ['/v2/models/sim-model/generate_stream', { text_input: HI, max_tokens: n, min_length: n, stream: true }],
  tgi: (n) => ['/generate_stream', { inputs: HI, parameters: { max_new_tokens: n } }],
  sglang: (n) => ['/generate', { text: HI, sampling_params: { max_new_tokens: n, ignore_eos: true }, stream: true }],
  ollama: (n) => ['/api/chat', { model: 'sim-model', messages: MSGS, options: { num_predict: n } }],
  responses: (n) => ['/v1/responses', { model: 'sim-model', input: HI, stream: true, max_output_tokens: n }],
  anthropic: (n) => ['/v1/messages', { model: 'sim-model', messages: MSGS, stream: true, max_tokens: n }],
}
/** The token-carrying events of each protocol's stream. */
function tokenEvents(proto: string, r: Raw): J[] {
  if (proto === 'ollama') return ndjson(r.text).filter((l) => l.done === false)
  const evs = json(r.text)
  if (proto === 'responses') return evs.filter((e) => e.type === 'response.output_text.delta' || e.type === 'response.reasoning_text.delta')
  if (proto === 'anthropic') return evs.filter((e) => e.type === 'content_block_delta' && e.delta.type !== 'signature_delta')
  return evs.filter((e) => e.error === undefined)
}

let sim: Simulator
beforeAll(async () => { sim = await startSimulator({ ...FAST, seed: 11 }) })
afterAll(async () => { await sim?.close() })

describe('Triton / TensorRT-LLM', () => {
  it('generate_stream: one data: event per token, no usage, no [DONE]; min_length forces max_tokens', async () => {
    const r = await raw(sim.url, 'POST', ...STREAMED.triton(7))
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const blocks = r.text.split('\n\n')
    expect(blocks.pop()).toBe('')
    expect(blocks).toHaveLength(7)
    for (const b of blocks) {
      expect(b).toMatch(/^data: \{"model_name":"sim-model","model_version":"1","sequence_end":false,"sequence_start":false,"text_output":"/)
      const e = JSON.parse(b.slice(6))
      expect(Object.keys(e)).toEqual(['model_name', 'model_version', 'sequence_end', 'sequence_start', 'text_output'])
      expect(e.text_output.length).toBeGreaterThan(0)
    }
    expect(r.text).not.toContain('[DONE]')
  })

  it('generate: one JSON body with the same text as the stream (random_seed), fields under parameters', async () => {
    const s = await raw(sim.url, 'POST', '/v2/models/sim-model/generate_stream', { text_input: HI, parameters: { max_tokens: 5, min_length: 5, random_seed: 3 } })
    const b = await raw(sim.url, 'POST', '/v2/models/sim-model/generate', { text_input: HI, max_tokens: 5, min_length: 5, random_seed: 3 })
    expect(b.headers['content-type']).toBe('application/json')
    expect(body(b)).toEqual({ model_name: 'sim-model', model_version: '1', sequence_end: false, sequence_start: false, text_output: json(s.text).map((e) => e.text_output).join('') })
    const acc = json((await raw(sim.url, 'POST', '/v2/models/sim-model/versions/1/generate_stream', { text_input: HI, max_tokens: 4, accumulate_tokens: true })).text)
    acc.slice(1).forEach((e, i) => expect(e.text_output.startsWith(acc[i].text_output)).toBe(true))
  })

  it('health, metadata, and 400 {"error"} for an unknown model', async () => {
    const ready = await raw(sim.url, 'GET', '/v2/health/ready')
    expect([ready.status, ready.text]).toEqual([200, ''])
    expect(body(await raw(sim.url, 'GET', '/v2/models/sim-model'))).toMatchObject({ name: 'sim-model', versions: ['1'], outputs: [{ name: 'text_output' }] })
    for (const r of [await raw(sim.url, 'GET', '/v2/models/llama'), await raw(sim.url, 'POST', '/v2/models/llama/generate_stream', { text_input: 'x', max_tokens: 2 })]) {
      expect(r.status).toBe(400)
      expect(body(r)).toEqual({ error: "Request for unknown model: 'llama' is not found" })
    }
    const bad = await raw(sim.url, 'POST', '/v2/models/sim-model/generate', { max_tokens: 2 })
    expect(bad.status).toBe(400)
    expect(typeof body(bad).error).toBe('string')
  })
})

describe('TGI', () => {
  it('generate_stream: data: with no space, index from 1, the last event with generated_text and details', async () => {
    const r = await raw(sim.url, 'POST', ...STREAMED.tgi(6))
    expect(r.headers['content-type']).toBe('text/event-stream')
    expect(r.text.split('\n\n').slice(0, -1).every((b) => b.startsWith('data:{"index":'))).toBe(true)
    const evs = json(r.text)
    expect(evs.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6])
    for (const e of evs) {
      expect(Object.keys(e)).toEqual(['index', 'token', 'generated_text', 'details'])
      expect(e.token).toEqual({ id: expect.any(Number), text: expect.any(String), logprob: -0.1, special: false })
    }
    expect(evs.slice(0, -1).every((e) => e.generated_text === null && e.details === null)).toBe(true)
    expect(evs[5].generated_text).toBe(evs.map((e) => e.token.text).join(''))
    expect(evs[5].details).toEqual({ finish_reason: 'length', generated_tokens: 6, seed: null, input_length: countTokens(HI) })
  })

  it('generate: generated_text, and details when asked', async () => {
    const plain = body(await raw(sim.url, 'POST', '/generate', { inputs: HI, parameters: { max_new_tokens: 4, seed: 5 } }))
    expect(Object.keys(plain)).toEqual(['generated_text'])
    const d = body(await raw(sim.url, 'POST', '/generate', { inputs: HI, parameters: { max_new_tokens: 4, seed: 5, details: true } }))
    expect(d).toEqual({ generated_text: plain.generated_text, details: { finish_reason: 'length', generated_tokens: 4, seed: 5 } })
  })

  it('/info, and 422 validation errors in TGI\'s shape', async () => {
    expect(body(await raw(sim.url, 'GET', '/info'))).toMatchObject({ model_id: 'sim-model', model_dtype: 'float16', max_total_tokens: 32768, version: '3.0.0' })
    const r = await raw(sim.url, 'POST', '/generate', { inputs: HI, parameters: { max_new_tokens: 0 } })
    expect(r.status).toBe(422)
    expect(body(r)).toEqual({ error: expect.stringContaining('max_new_tokens'), error_type: 'validation' })
  })
})

describe('SGLang', () => {
  it('stream: cumulative text and completion_tokens, finish_reason on the last event, then [DONE]', async () => {
    const r = await raw(sim.url, 'POST', ...STREAMED.sglang(5))
    expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true)
    const evs = json(r.text)
    expect(evs.map((e) => e.meta_info.completion_tokens)).toEqual([1, 2, 3, 4, 5])
    evs.slice(1).forEach((e, i) => expect(e.text.startsWith(evs[i].text) && e.text.length > evs[i].text.length).toBe(true))
    for (const e of evs) expect(e.meta_info).toMatchObject({ id: evs[0].meta_info.id, prompt_tokens: countTokens(HI), cached_tokens: 0 })
    expect(evs.map((e) => e.meta_info.finish_reason)).toEqual([null, null, null, null, { type: 'length', length: 5 }])
  })

  it('multi-token: completion_tokens grows by several per event; non-streamed body; /get_model_info', async () => {
    const r = await raw(sim.url, 'POST', '/generate', { text: HI, sampling_params: { max_new_tokens: 10, ignore_eos: true }, stream: true, sim_quirks: 'multi-token' }, { 'x-request-id': 'sg-mt' })
    expect(json(r.text).map((e) => e.meta_info.completion_tokens)).toEqual([3, 6, 9, 10])
    expect(sim.trace().get('sg-mt')!.tokensPerWrite).toEqual([3, 3, 3, 1])
    const b = body(await raw(sim.url, 'POST', '/generate', { input_ids: [1, 2, 3], sampling_params: { max_new_tokens: 4 } }))
    expect(b).toMatchObject({ text: expect.any(String), meta_info: { prompt_tokens: 3, completion_tokens: 4, finish_reason: { type: 'length', length: 4 } } })
    expect(body(await raw(sim.url, 'GET', '/get_model_info'))).toMatchObject({ model_path: 'sim-model' })
    const err = await raw(sim.url, 'POST', '/generate', { sampling_params: { max_new_tokens: 4 } })
    expect([err.status, body(err)]).toEqual([400, { error: { message: expect.any(String) } }])
  })
})

describe('Ollama', () => {
  it('/api/chat streams NDJSON by default: one line per token, then done with counts and durations', async () => {
    const r = await raw(sim.url, 'POST', ...STREAMED.ollama(6))
    expect(r.headers['content-type']).toBe('application/x-ndjson')
    expect(r.text.endsWith('}\n')).toBe(true)
    expect(r.text).not.toContain('data:')
    const lines = ndjson(r.text)
    expect(lines).toHaveLength(7)
    for (const l of lines.slice(0, 6)) {
      expect(Object.keys(l)).toEqual(['model', 'created_at', 'message', 'done'])
      expect(l).toMatchObject({ model: 'sim-model', message: { role: 'assistant' }, done: false })
      expect(l.message.content.length).toBeGreaterThan(0)
      expect(Number.isNaN(Date.parse(l.created_at))).toBe(false)
    }
    expect(lines[6]).toMatchObject({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'length', prompt_eval_count: chatTokens(HI), eval_count: 6 })
    for (const k of ['total_duration', 'prompt_eval_duration', 'eval_duration']) expect(Number.isInteger(lines[6][k]) && lines[6][k] > 0).toBe(true)
  })

  it('/api/generate: "response" lines, or one object with "stream": false; framing quirks do not apply', async () => {
    const s = await raw(sim.url, 'POST', '/api/generate', { model: 'sim-model', prompt: HI, options: { num_predict: 4, seed: 8 } }, { 'x-sim-quirks': 'no-space,crlf,comments' })
    const lines = ndjson(s.text)
    expect(s.text).not.toMatch(/\r|data:|: ping/)
    expect(lines.slice(0, 4).every((l) => typeof l.response === 'string' && l.done === false)).toBe(true)
    const b = await raw(sim.url, 'POST', '/api/generate', { model: 'sim-model', prompt: HI, stream: false, options: { num_predict: 4, seed: 8 } })
    expect(b.headers['content-type']).toBe('application/json')
    expect(body(b)).toMatchObject({ model: 'sim-model', response: lines.slice(0, 4).map((l) => l.response).join(''), done: true, done_reason: 'length', eval_count: 4, prompt_eval_count: countTokens(HI) })
  })

  it('/api/tags lists the model; an unknown model is 404 with Ollama\'s message', async () => {
    expect(body(await raw(sim.url, 'GET', '/api/tags')).models[0]).toMatchObject({ name: 'sim-model', model: 'sim-model', size: 1 })
    const r = await raw(sim.url, 'POST', '/api/chat', { model: 'llama3', messages: MSGS })
    expect([r.status, body(r)]).toEqual([404, { error: 'model "llama3" not found, try pulling it first' }])
  })
})

describe('OpenAI Responses', () => {
  it('stream: named events from response.created to response.completed with usage', async () => {
    const r = await raw(sim.url, 'POST', ...STREAMED.responses(5))
    const evs = sse(r.text)
    const data = evs.map((e) => JSON.parse(e.data) as J)
    evs.forEach((e, i) => expect(e.event).toBe(data[i].type))
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i))
    expect(data.map((d) => d.type)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      ...Array(5).fill('response.output_text.delta'),
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ])
    const deltas = data.filter((d) => d.type === 'response.output_text.delta')
    expect(deltas[0]).toMatchObject({ item_id: expect.stringMatching(/^msg_/), output_index: 0, content_index: 0, delta: expect.any(String) })
    const text = deltas.map((d) => d.delta).join('')
    expect(data[9].text).toBe(text)
    const P = chatTokens(HI)
    expect(data[12].response).toMatchObject({ status: 'completed', usage: { input_tokens: P, output_tokens: 5, total_tokens: P + 5 }, output: [{ content: [{ text }] }] })
  })

  it('non-streamed response object; messages input; the reasoning quirk streams reasoning deltas first', async () => {
    const input = [{ role: 'user', content: [{ type: 'input_text', text: HI }] }]
    const b = body(await raw(sim.url, 'POST', '/v1/responses', { model: 'sim-model', input, max_output_tokens: 4 }))
    expect(b).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text' }] }], usage: { input_tokens: chatTokens(HI), output_tokens: 4 } })
    expect(b.output[0].content[0].text.length).toBeGreaterThan(0)
    const r = await raw(sim.url, 'POST', '/v1/responses', { model: 'sim-model', input: HI, stream: true, max_output_tokens: 12 }, { 'x-sim-quirks': 'reasoning' })
    const t = tokenEvents('responses', r).map((d) => d.type)
    expect(t).toEqual([...Array(8).fill('response.reasoning_text.delta'), ...Array(4).fill('response.output_text.delta')])
    const done = json(r.text).at(-1)!
    expect(done.response.usage).toMatchObject({ output_tokens: 12, output_tokens_details: { reasoning_tokens: 8 } })
    expect(done.response.output.map((o: J) => o.type)).toEqual(['reasoning', 'message'])
  })
})

describe('Anthropic Messages', () => {
  it('stream: message_start … content_block_delta per token … message_delta with usage, message_stop', async () => {
    const [path, req] = STREAMED.anthropic(4)
    const r = await raw(sim.url, 'POST', path, req, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' })
    const evs = sse(r.text)
    expect(evs.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'ping', ...Array(4).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop',
    ])
    const data = evs.map((e) => JSON.parse(e.data) as J)
    evs.forEach((e, i) => expect(data[i].type).toBe(e.event))
    expect(data[0].message).toMatchObject({ id: expect.stringMatching(/^msg_/), type: 'message', role: 'assistant', model: 'sim-model', content: [], usage: { input_tokens: chatTokens(HI), output_tokens: 1 } })
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
    for (const d of data.slice(3, 7)) expect(d).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: expect.any(String) } })
    expect(data[8]).toEqual({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 4 } })
  })

  it('reasoning quirk: a thinking block first; non-streamed message; models list; errors in Anthropic\'s shape', async () => {
    const r = await raw(sim.url, 'POST', '/v1/messages', { model: 'sim-model', messages: MSGS, stream: true, max_tokens: 10 }, { 'x-sim-quirks': 'reasoning' })
    const d = json(r.text)
    const deltas = tokenEvents('anthropic', r)
    expect(deltas.map((x) => [x.index, x.delta.type])).toEqual([...Array(8).fill([0, 'thinking_delta']), [1, 'text_delta'], [1, 'text_delta']])
    expect(d.filter((x) => x.type === 'content_block_start').map((x) => x.content_block.type)).toEqual(['thinking', 'text'])
    const b = body(await raw(sim.url, 'POST', '/v1/messages', { model: 'sim-model', system: 'Be brief.', messages: MSGS, max_tokens: 3 }))
    expect(b).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text' }], stop_reason: 'max_tokens', usage: { input_tokens: 3 + 8 + countTokens('Be brief.') + countTokens(HI), output_tokens: 3 } })
    expect(b.content[0].text.length).toBeGreaterThan(0)
    const models = body(await raw(sim.url, 'GET', '/v1/models', undefined, { 'anthropic-version': '2023-06-01' }))
    expect(models.data[0]).toMatchObject({ type: 'model', id: 'sim-model' })
    const nf = await raw(sim.url, 'POST', '/v1/messages', { model: 'claude-x', messages: MSGS, max_tokens: 3 })
    expect([nf.status, body(nf)]).toEqual([404, { type: 'error', error: { type: 'not_found_error', message: expect.any(String) } }])
    const missing = await raw(sim.url, 'POST', '/v1/messages', { model: 'sim-model', messages: MSGS })
    expect([missing.status, body(missing).error.type]).toEqual([400, 'invalid_request_error'])
  })
})

describe('embeddings', () => {
  it('one 8-float unit vector per input, usage, deterministic per input; base64; vLLM errors', async () => {
    const b = body(await raw(sim.url, 'POST', '/v1/embeddings', { model: 'sim-model', input: [HI, 'x', HI] }))
    expect(b).toMatchObject({ object: 'list', model: 'sim-model', usage: { prompt_tokens: 2 * countTokens(HI) + 1, total_tokens: 2 * countTokens(HI) + 1 } })
    expect(b.data.map((d: J) => [d.object, d.index, d.embedding.length])).toEqual([['embedding', 0, 8], ['embedding', 1, 8], ['embedding', 2, 8]])
    expect(Math.hypot(...b.data[0].embedding)).toBeCloseTo(1, 4)
    expect(b.data[2].embedding).toEqual(b.data[0].embedding)
    const b64 = body(await raw(sim.url, 'POST', '/v1/embeddings', { input: HI, encoding_format: 'base64' }))
    const buf = Buffer.from(b64.data[0].embedding, 'base64')
    const floats = Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)))
    floats.forEach((f, i) => expect(f).toBeCloseTo(b.data[0].embedding[i], 5))
    const nf = await raw(sim.url, 'POST', '/v1/embeddings', { model: 'other', input: 'x' })
    expect([nf.status, body(nf).type]).toEqual([404, 'NotFoundError'])
  })

  it('answers after prefillBaseMs + prefillMsPerToken × input tokens', async () => {
    const s = await startSimulator({ prefillBaseMs: 10, prefillMsPerToken: 0.25, trace: true })
    try {
      const long = 'word '.repeat(200)
      await Promise.all([['e-short', 'x'], ['e-long', long]].map(([id, input]) => raw(s.url, 'POST', '/v1/embeddings', { input }, { 'x-request-id': id })))
      const short = s.trace().get('e-short')!
      const lng = s.trace().get('e-long')!
      expect(short.tokensPerWrite).toEqual([0])
      expect(short.tokenWrites[0] - short.receivedAt).toBeGreaterThanOrEqual(10.25)
      expect(lng.tokenWrites[0] - lng.receivedAt).toBeGreaterThanOrEqual(10 + 0.25 * countTokens(long))
      expect(lng.tokenWrites[0] - lng.receivedAt - (short.tokenWrites[0] - short.receivedAt)).toBeGreaterThan(30)
    } finally {
      await s.close()
    }
  })
})

describe('the shared engine', () => {
  it('exact timing: every protocol writes token events at receive + ttft + i × itl (trace by x-request-id)', async () => {
    const s = await startSimulator({ fixedTtftMs: 30, fixedItlMs: 8, trace: true })
    try {
      const N = 6
      const protos = Object.keys(STREAMED)
      const results = await Promise.all(protos.map((p) => raw(s.url, 'POST', ...STREAMED[p](N), { 'x-request-id': p })))
      await Promise.all([
        raw(s.url, 'POST', '/v2/models/sim-model/generate', { text_input: HI, max_tokens: N, min_length: N }, { 'x-request-id': 'triton-body' }),
        raw(s.url, 'POST', '/api/chat', { model: 'sim-model', messages: MSGS, stream: false, options: { num_predict: N } }, { 'x-request-id': 'ollama-body' }),
      ])
      const late: number[] = []
      protos.forEach((p, i) => {
        expect(tokenEvents(p, results[i]), p).toHaveLength(N)
        const t = s.trace().get(p)!
        expect(t.tokenWrites, p).toHaveLength(N)
        t.tokenWrites.forEach((w, j) => late.push(w - (t.receivedAt + 30 + 8 * j)))
      })
      for (const id of ['triton-body', 'ollama-body']) {
        const t = s.trace().get(id)!
        expect(t.tokensPerWrite).toEqual([N])
        late.push(t.tokenWrites[0] - (t.receivedAt + 30 + 8 * (N - 1)))
      }
      expect(Math.min(...late)).toBeGreaterThanOrEqual(0)
      expect(late.reduce((a, b) => a + b, 0) / late.length).toBeLessThan(5)
    } finally {
      await s.close()
    }
  })

  it('end of sequence: forced by min_length / ignore_eos, else early with each protocol\'s finish reason', async () => {
    const s = await startSimulator({ ...FAST, eosProbability: 0.3 })
    try {
      const many = <T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => f(i)))
      const triton = await many(6, () => raw(s.url, 'POST', '/v2/models/sim-model/generate_stream', { text_input: HI, max_tokens: 20, min_length: 20 }))
      expect(triton.map((r) => json(r.text).length)).toEqual(Array(6).fill(20))
      const tritonMin = await many(6, () => raw(s.url, 'POST', '/v2/models/sim-model/generate_stream', { text_input: HI, max_tokens: 20, min_length: 5 }))
      const lens = tritonMin.map((r) => json(r.text).length)
      expect(Math.min(...lens)).toBeGreaterThanOrEqual(5)
      expect(Math.min(...lens)).toBeLessThan(20)
      const sg = await many(4, () => raw(s.url, 'POST', '/generate', { text: HI, sampling_params: { max_new_tokens: 20, ignore_eos: true } }))
      expect(sg.map((r) => body(r).meta_info.completion_tokens)).toEqual(Array(4).fill(20))
      const tgi = (await many(8, () => raw(s.url, 'POST', '/generate', { inputs: HI, parameters: { max_new_tokens: 20, details: true } }))).map((r) => body(r).details)
      expect(tgi.some((d) => d.finish_reason === 'eos_token' && d.generated_tokens < 20)).toBe(true)
      const ol = (await many(8, () => raw(s.url, 'POST', '/api/generate', { model: 'sim-model', prompt: HI, stream: false, options: { num_predict: 20 } }))).map(body)
      expect(ol.some((d) => d.done_reason === 'stop' && d.eval_count < 20)).toBe(true)
      const an = (await many(8, () => raw(s.url, 'POST', '/v1/messages', { model: 'sim-model', messages: MSGS, max_tokens: 20 }))).map(body)
      expect(an.some((d) => d.stop_reason === 'end_turn' && d.usage.output_tokens < 20)).toBe(true)
      for (const d of an) expect(d.stop_reason === 'max_tokens').toBe(d.usage.output_tokens === 20)
    } finally {
      await s.close()
    }
  })

  it('framing quirks on SSE routes: TGI stays without a space, named events keep their names', async () => {
    const t = await raw(sim.url, 'POST', ...STREAMED.tgi(3), { 'x-sim-quirks': 'crlf,event-lines' })
    expect(t.text.startsWith('event: message\r\ndata:{"index":1')).toBe(true)
    expect(json(t.text)).toHaveLength(3)
    const a = await raw(sim.url, 'POST', ...STREAMED.anthropic(3), { 'x-sim-quirks': 'comments,event-lines,multiline-data,split' })
    expect(a.text.startsWith(': ping - 2025-01-01 00:00:00\n\nevent: message_start\ndata: {')).toBe(true)
    expect(a.chunks.length).toBeGreaterThan(20)
    expect(tokenEvents('anthropic', a)).toHaveLength(3)
    const o = await raw(sim.url, 'POST', ...STREAMED.ollama(5), { 'x-sim-quirks': 'split,unicode' })
    expect(o.chunks.length).toBeGreaterThan(10)
    expect(tokenEvents('ollama', o)).toHaveLength(5)
  })
})

describe('faults on every route family', () => {
  const ERRORS: Record<string, (b: J) => void> = {
    triton: (b) => expect(b).toEqual({ error: expect.any(String) }),
    tgi: (b) => expect(b).toEqual({ error: expect.any(String), error_type: expect.any(String) }),
    sglang: (b) => expect(b).toEqual({ error: { message: expect.any(String) } }),
    ollama: (b) => expect(b).toEqual({ error: expect.any(String) }),
    responses: (b) => expect(b.error).toMatchObject({ message: expect.any(String), code: 429 }),
    anthropic: (b) => expect(b).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.any(String) } }),
  }

  it('http-429 answers in each protocol\'s error shape, with retry-after', async () => {
    const routes: [string, string, J][] = [
      ...Object.entries(STREAMED).map(([p, f]) => [p, ...f(4)] as [string, string, J]),
      ['responses', '/v1/embeddings', { input: 'x' }],
    ]
    for (const [p, path, req] of routes) {
      const r = await raw(sim.url, 'POST', path, req, { 'x-sim-quirks': 'http-429' })
      expect(r.status, path).toBe(429)
      expect(r.headers['retry-after']).toBe('1')
      ERRORS[p](body(r))
    }
  })

  it('stream-error: tokens, then the protocol\'s error event, then the end', async () => {
    const last: Record<string, (r: Raw) => J> = {
      ollama: (r) => ndjson(r.text).at(-1)!,
      responses: (r) => json(r.text).at(-1)!,
      anthropic: (r) => json(r.text).at(-1)!,
    }
    for (const p of Object.keys(STREAMED)) {
      const r = await raw(sim.url, 'POST', ...STREAMED[p](10), { 'x-sim-quirks': 'stream-error' })
      expect(r.error, p).toBeNull()
      expect(tokenEvents(p, r), p).toHaveLength(5)
      const e = (last[p] ?? ((x: Raw) => json(x.text).at(-1)!))(r)
      if (p === 'responses') expect(e).toMatchObject({ type: 'error', code: 'server_error' })
      else if (p === 'anthropic') expect(e).toEqual({ type: 'error', error: { type: 'api_error', message: expect.any(String) } })
      else ERRORS[p](e)
      expect(r.text).not.toMatch(/\[DONE\]|"done":true|message_stop|response\.completed/)
    }
  })

  it('cut, malformed and sim_quirks in the body; non-streamed faults; seeded draws', async () => {
    const cut = await raw(sim.url, 'POST', '/api/chat', { ...STREAMED.ollama(10)[1], sim_quirks: ['cut'] })
    expect(cut.error).not.toBeNull()
    expect(ndjson(cut.text.slice(0, cut.text.lastIndexOf('\n') + 1))).toHaveLength(5)
    const bad = await raw(sim.url, 'POST', '/generate_stream', { ...STREAMED.tgi(10)[1], sim_quirks: 'malformed' })
    const parsed = sse(bad.text).map((e) => { try { return JSON.parse(e.data) as J } catch { return null } })
    expect(parsed.filter((e) => e === null)).toHaveLength(1)
    expect(parsed.filter((e) => e?.token)).toHaveLength(10)
    const body500 = await raw(sim.url, 'POST', '/v2/models/sim-model/generate', { text_input: HI, max_tokens: 6 }, { 'x-sim-quirks': 'stream-error' })
    expect([body500.status, body(body500)]).toEqual([500, { error: expect.any(String) }])
    const embCut = await raw(sim.url, 'POST', '/v1/embeddings', { input: 'x' }, { 'x-sim-quirks': 'cut' })
    expect(embCut.error).not.toBeNull()
    const unknown = await raw(sim.url, 'POST', '/api/generate', { model: 'sim-model', prompt: 'x', sim_quirks: 'bogus' })
    expect([unknown.status, body(unknown)]).toEqual([400, { error: expect.stringContaining('bogus') }])
    const s = await startSimulator({ ...FAST, seed: 3, faults: { 'http-503': 0.5 } })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 12; i++) statuses.push((await raw(s.url, 'POST', '/v1/messages', { model: 'sim-model', messages: MSGS, max_tokens: 1 })).status)
      expect(statuses).toContain(503)
      expect(statuses).toContain(200)
    } finally {
      await s.close()
    }
  })
})

describe('stepJitter', () => {
  /** Coefficient of variation of the gaps between one request's token writes. */
  async function gapSpread(stepJitter: number): Promise<{ cv: number; mean: number }> {
    const s = await startSimulator({ decodeBaseMs: 10, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0, stepJitter, trace: true })
    try {
      await raw(s.url, 'POST', '/v1/completions', { model: 'sim-model', prompt: 'hi', max_tokens: 100, ignore_eos: true, stream: true }, { 'x-request-id': 'j' })
      const w = s.trace().get('j')!.tokenWrites
      const gaps = w.slice(1).map((t, i) => t - w[i])
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length
      const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1))
      return { cv: sd / mean, mean }
    } finally {
      await s.close()
    }
  }

  it('varies each step by a factor of mean 1: token gaps spread, their mean stays', async () => {
    const still = await gapSpread(0)
    const noisy = await gapSpread(0.4)
    expect(noisy.cv).toBeGreaterThan(0.2)
    expect(noisy.cv).toBeGreaterThan(still.cv + 0.2)
    expect(noisy.mean / still.mean).toBeGreaterThan(0.8)
    expect(noisy.mean / still.mean).toBeLessThan(1.25)
  })

  it('refuses a negative jitter', async () => {
    await expect(startSimulator({ stepJitter: -0.1 })).rejects.toThrow(/stepJitter must be a number >= 0/)
  })
})
