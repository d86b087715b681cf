import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { now } from '../src/clock.js'
import { countTokens } from '../src/data/tokenizer.js'
import { BatchEngine, type Sequence } from '../src/simulator/engine.js'
import {
  FAULTS, QUIRKS, resolveOptions, SIMULATOR_DEFAULTS, startSimulator, type Simulator, type SimulatorOptions,
} from '../src/simulator/index.js'
import { raw, sse, type Raw } from './helpers/raw-http.js'

type Chunk = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const jsonEvents = (text: string): Chunk[] => sse(text).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Chunk)
/** Token-carrying chat/completion events: non-empty content, reasoning, tool arguments or text. */
function tokenEvents(chunks: Chunk[]): Chunk[] {
  return chunks.filter((c) => {
    const ch = c.choices?.[0]
    if (!ch) return false
    const d = ch.delta ?? {}
    return !!(ch.text || d.content || d.reasoning_content || d.reasoning || d.tool_calls?.[0]?.function?.arguments)
  })
}
const textOf = (chunks: Chunk[]): string => chunks.map((c) => c.choices?.[0]?.delta?.content ?? c.choices?.[0]?.text ?? '').join('')

const chat = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'sim-model', messages: [{ role: 'user', content: 'Hello there, simulator!' }], max_tokens: 12, ignore_eos: true, stream: true, ...extra,
})

const FAST: SimulatorOptions = { decodeBaseMs: 1, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001, trace: true }

// ---------------------------------------------------------------------------------------------

let sim: Simulator
beforeAll(async () => { sim = await startSimulator({ ...FAST, seed: 7 }) })
afterAll(async () => { await sim?.close() })

describe('routes', () => {
  it('serves /health, /v1/models, /metrics and unknown routes', async () => {
    expect((await raw(sim.url, 'GET', '/health')).status).toBe(200)
    const models = await raw(sim.url, 'GET', '/v1/models')
    const m = JSON.parse(models.text)
    expect(m.object).toBe('list')
    expect(m.data[0]).toMatchObject({ id: 'sim-model', object: 'model' })
    const metrics = await raw(sim.url, 'GET', '/metrics')
    for (const name of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total']) {
      expect(metrics.text).toMatch(new RegExp(`^${name}\\{model_name="sim-model"\\} [0-9.e-]+$`, 'm'))
    }
    expect(metrics.text).toContain('# TYPE vllm:time_to_first_token_seconds histogram')
    expect(metrics.text).toMatch(/^vllm:time_to_first_token_seconds_bucket\{model_name="sim-model",le="\+Inf"\} \d+$/m)
    expect(metrics.text).toMatch(/^vllm:time_to_first_token_seconds_count\{model_name="sim-model"\} \d+$/m)
    expect((await raw(sim.url, 'GET', '/nope')).status).toBe(404)
  })

  it('tokenizes prompts and chats consistently with usage.prompt_tokens', async () => {
    const p = JSON.parse((await raw(sim.url, 'POST', '/tokenize', { prompt: 'Hello world, how are you?' })).text)
    expect(p).toMatchObject({ count: countTokens('Hello world, how are you?'), max_model_len: 32768 })
    expect(p.tokens).toHaveLength(p.count)
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there, simulator!' }]
    const t = JSON.parse((await raw(sim.url, 'POST', '/tokenize', { messages })).text)
    expect(t.count).toBe(3 + 4 * 2 + countTokens('Be brief.') + countTokens('Hello there, simulator!'))
    expect(t.tokens).toHaveLength(t.count)
    const body = JSON.parse((await raw(sim.url, 'POST', '/v1/chat/completions', chat({ messages, stream: false }))).text)
    expect(body.usage.prompt_tokens).toBe(t.count)
  })

  it('answers vLLM-style errors: unknown model 404, bad JSON 400, too long 400', async () => {
    const r = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ model: 'x' }))
    expect(r.status).toBe(404)
    expect(JSON.parse(r.text)).toEqual({ object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', param: null, code: 404 })
    const bad = await raw(sim.url, 'POST', '/v1/completions', '{"prompt": ')
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.text)).toMatchObject({ object: 'error', type: 'BadRequestError', param: null, code: 400 })
    const long = await raw(sim.url, 'POST', '/v1/completions', { prompt: 'hi', max_tokens: 40000 })
    expect(long.status).toBe(400)
    expect(JSON.parse(long.text).message).toContain('maximum context length is 32768')
    const unknownQuirk = await raw(sim.url, 'POST', '/v1/completions', { prompt: 'hi', sim_quirks: 'bogus' })
    expect(unknownQuirk.status).toBe(400)
  })
})

describe('stream shape', () => {
  it('chat: role-only first, one event per token, finish, usage, [DONE]', async () => {
    const r = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 20, stream_options: { include_usage: true } }))
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/event-stream')
    expect(r.headers.connection).toBe('keep-alive')
    expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(r.text.split('\n\n').slice(0, -1).every((e) => e.startsWith('data: '))).toBe(true)
    const chunks = jsonEvents(r.text)
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'sim-model', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })
    expect(chunks[0].id).toMatch(/^chatcmpl-[0-9a-f]{32}$/)
    const tokens = chunks.slice(1, -1)
    expect(tokens).toHaveLength(20)
    expect(tokenEvents(chunks)).toHaveLength(20)
    for (const [i, c] of tokens.entries()) {
      expect(Object.keys(c)).toEqual(['id', 'object', 'created', 'model', 'choices'])
      expect(c.id).toBe(chunks[0].id)
      expect(Object.keys(c.choices[0].delta)).toEqual(['content'])
      expect(c.choices[0].finish_reason).toBe(i === 19 ? 'length' : null)
    }
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3 + 4 + countTokens('Hello there, simulator!'), completion_tokens: 20, total_tokens: 20 + 3 + 4 + countTokens('Hello there, simulator!') } })
  })

  it('continuous usage: every chunk carries cumulative usage', async () => {
    const r = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 6, stream_options: { include_usage: true, continuous_usage_stats: true } }))
    const usage = jsonEvents(r.text).map((c) => c.usage?.completion_tokens)
    expect(usage).toEqual([0, 1, 2, 3, 4, 5, 6, 6])
  })

  it('completions stream: text chunks; no usage unless asked', async () => {
    const r = await raw(sim.url, 'POST', '/v1/completions', { prompt: 'Once upon a time', max_tokens: 5, ignore_eos: true, stream: true })
    const chunks = jsonEvents(r.text)
    expect(chunks).toHaveLength(5)
    expect(chunks[0]).toMatchObject({ object: 'text_completion', choices: [{ index: 0, logprobs: null, finish_reason: null }] })
    expect(chunks[0].id).toMatch(/^cmpl-/)
    expect(typeof chunks[0].choices[0].text).toBe('string')
    expect(chunks[4].choices[0].finish_reason).toBe('length')
    expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('non-streamed bodies carry the same text as the stream, and usage', async () => {
    const s = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ seed: 5 }))
    const b = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ seed: 5, stream: false }))
    expect(b.headers['content-type']).toBe('application/json')
    const body = JSON.parse(b.text)
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'length' }], usage: { completion_tokens: 12 } })
    expect(body.choices[0].message.content).toBe(textOf(jsonEvents(s.text)))
    const c = JSON.parse((await raw(sim.url, 'POST', '/v1/completions', { prompt: 'x', max_tokens: 3 })).text)
    expect(c).toMatchObject({ object: 'text_completion', choices: [{ finish_reason: 'length' }], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } })
  })

  it('eosProbability stops early with "stop"; ignore_eos forces max_tokens', async () => {
    const eos = await startSimulator({ ...FAST, eosProbability: 0.3 })
    try {
      const finishes: string[] = []
      const lengths: number[] = []
      for (let i = 0; i < 8; i++) {
        const body = JSON.parse((await raw(eos.url, 'POST', '/v1/completions', { prompt: 'x', max_tokens: 30 })).text)
        finishes.push(body.choices[0].finish_reason)
        lengths.push(body.usage.completion_tokens)
      }
      expect(finishes).toContain('stop')
      expect(Math.min(...lengths)).toBeLessThan(30)
      for (const [i, f] of finishes.entries()) expect(f === 'length').toBe(lengths[i] === 30)
      const forced = JSON.parse((await raw(eos.url, 'POST', '/v1/completions', { prompt: 'x', max_tokens: 30, ignore_eos: true })).text)
      expect(forced.usage.completion_tokens).toBe(30)
      const dflt = JSON.parse((await raw(eos.url, 'POST', '/v1/completions', { prompt: 'x', ignore_eos: true })).text)
      expect(dflt.usage.completion_tokens).toBe(256)
    } finally {
      await eos.close()
    }
  })

  it('is deterministic with a seed', async () => {
    const a = await startSimulator({ ...FAST, seed: 42 })
    const b = await startSimulator({ ...FAST, seed: 42 })
    const c = await startSimulator({ ...FAST, seed: 43 })
    try {
      const texts = await Promise.all([a, b, c].map(async (s) => textOf(jsonEvents((await raw(s.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 30 }))).text))))
      expect(texts[0]).toBe(texts[1])
      expect(texts[0]).not.toBe(texts[2])
      // A request `seed` gives the same text whatever the arrival order.
      const x = textOf(jsonEvents((await raw(a.url, 'POST', '/v1/chat/completions', chat({ seed: 9 }))).text))
      const y = textOf(jsonEvents((await raw(b.url, 'POST', '/v1/chat/completions', chat({ seed: 9 }))).text))
      expect(x).toBe(y)
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
    }
  })
})

describe('quirks', () => {
  const run = (quirks: string, extra: Record<string, unknown> = {}, path = '/v1/chat/completions'): Promise<Raw> =>
    raw(sim.url, 'POST', path, path.includes('chat') ? chat(extra) : { prompt: 'hi', max_tokens: 12, ignore_eos: true, stream: true, ...extra }, { 'x-sim-quirks': quirks })

  it('no-space writes data:{…}', async () => {
    const r = await run('no-space')
    expect(r.text.split('\n\n').slice(0, -1).every((e) => /^data:[{[]/.test(e))).toBe(true)
    expect(tokenEvents(jsonEvents(r.text))).toHaveLength(12)
  })

  it('crlf and cr line endings', async () => {
    const crlf = await run('crlf')
    expect(crlf.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    expect(crlf.text.endsWith('data: [DONE]\r\n\r\n')).toBe(true)
    const cr = await run('cr')
    expect(cr.text).not.toContain('\n')
    expect(cr.text.endsWith('data: [DONE]\r\r')).toBe(true)
    expect(tokenEvents(jsonEvents(crlf.text))).toHaveLength(12)
    expect(tokenEvents(jsonEvents(cr.text))).toHaveLength(12)
  })

  it('comments and event lines', async () => {
    const r = await run('comments,event-lines')
    expect(r.text.startsWith(': ping - 2025-01-01 00:00:00\n\nevent: message\ndata: {')).toBe(true)
    const events = sse(r.text)
    expect(events.every((e) => e.event === 'message')).toBe(true)
    expect(tokenEvents(jsonEvents(r.text))).toHaveLength(12)
  })

  it('multiline-data spreads one JSON over two data lines', async () => {
    const r = await run('multiline-data')
    const first = r.text.split('\n\n')[0].split('\n')
    expect(first).toHaveLength(2)
    expect(first.every((l) => l.startsWith('data: '))).toBe(true)
    expect(tokenEvents(jsonEvents(r.text))).toHaveLength(12)
  })

  it('split writes pieces cut inside JSON, UTF-8 characters and \\r\\n, same content', async () => {
    const r = await run('split,unicode,crlf', { max_tokens: 10 })
    const events = sse(r.text)
    expect(r.chunks.length).toBeGreaterThan(events.length * 3)
    const midUtf8 = r.chunks.some((c) => c.toString('utf8').includes('\uFFFD'))
    expect(midUtf8).toBe(true)
    expect(r.chunks.some((c) => c[c.length - 1] === 0x0d)).toBe(true)
    expect(tokenEvents(jsonEvents(r.text))).toHaveLength(10)
  })

  it('unicode tokens carry multi-byte characters', async () => {
    const r = await run('unicode', { max_tokens: 40 })
    expect(textOf(jsonEvents(r.text))).toMatch(/[^\x00-\x7f]/)
  })

  it('reasoning: the first reasoningTokens tokens go to reasoning_content', async () => {
    const r = await run('reasoning', { max_tokens: 12, stream_options: { include_usage: true } })
    const t = tokenEvents(jsonEvents(r.text))
    expect(t).toHaveLength(12)
    expect(t.slice(0, 8).every((c) => typeof c.choices[0].delta.reasoning_content === 'string' && c.choices[0].delta.content === undefined)).toBe(true)
    expect(t.slice(8).every((c) => typeof c.choices[0].delta.content === 'string')).toBe(true)
    expect(jsonEvents(r.text).at(-1)!.usage.completion_tokens_details).toEqual({ reasoning_tokens: 8 })
    const s2 = await startSimulator({ ...FAST, reasoningField: 'reasoning', reasoningTokens: 3, quirks: ['reasoning'] })
    try {
      const t2 = tokenEvents(jsonEvents((await raw(s2.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 5 }))).text))
      expect(t2.map((c) => Object.keys(c.choices[0].delta)[0])).toEqual(['reasoning', 'reasoning', 'reasoning', 'content', 'content'])
    } finally {
      await s2.close()
    }
  })

  it('multi-token: k tokens per event, revealed by continuous usage', async () => {
    const r = await raw(sim.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 10, sim_quirks: ['multi-token'], stream_options: { include_usage: true, continuous_usage_stats: true } }), { 'x-request-id': 'mt-1' })
    const usage = jsonEvents(r.text).map((c) => c.usage.completion_tokens)
    expect(usage).toEqual([0, 3, 6, 9, 10, 10])
    expect(sim.trace().get('mt-1')!.tokensPerWrite).toEqual([3, 3, 3, 1])
  })

  it('ollama: no role-only chunk, role and content in every chunk', async () => {
    const r = await run('ollama')
    const chunks = jsonEvents(r.text)
    expect(chunks.every((c) => c.choices[0].delta.role === 'assistant' && typeof c.choices[0].delta.content === 'string')).toBe(true)
    expect(chunks[0].choices[0].delta.content).not.toBe('')
    expect(tokenEvents(chunks)).toHaveLength(12)
    expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: { content: '' }, finish_reason: 'length' })
  })

  it('tool-calls: tokens stream as function arguments', async () => {
    const r = await run('tool-calls')
    const t = tokenEvents(jsonEvents(r.text))
    expect(t).toHaveLength(12)
    expect(t[0].choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } })
    expect(t[0].choices[0].delta.tool_calls[0].id).toMatch(/^chatcmpl-tool-/)
    expect(t.slice(1).every((c) => typeof c.choices[0].delta.tool_calls[0].function.arguments === 'string' && c.choices[0].delta.content === undefined)).toBe(true)
  })

  it('no-done closes without [DONE]; empty-first sends an empty completion first', async () => {
    const r = await run('no-done')
    expect(r.error).toBeNull()
    expect(r.text).not.toContain('[DONE]')
    expect(tokenEvents(jsonEvents(r.text))).toHaveLength(12)
    const c = await run('empty-first', {}, '/v1/completions')
    const chunks = jsonEvents(c.text)
    expect(chunks[0].choices[0].text).toBe('')
    expect(tokenEvents(chunks)).toHaveLength(12)
  })

  it('quirks keep the token timing (exact-timing mode, trace)', async () => {
    const s = await startSimulator({ fixedTtftMs: 30, fixedItlMs: 10, trace: true })
    try {
      const ids = ['plain', 'split,comments,crlf,unicode', 'no-space,event-lines,cr,reasoning,ollama']
      await Promise.all(ids.map((q) => raw(s.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 6 }), { 'x-request-id': q, ...(q === 'plain' ? {} : { 'x-sim-quirks': q }) })))
      for (const id of ids) {
        const tr = s.trace().get(id)!
        expect(tr.tokenWrites).toHaveLength(6)
        tr.tokenWrites.forEach((w, i) => expect(w - tr.receivedAt - (30 + 10 * i)).toBeGreaterThanOrEqual(0))
      }
    } finally {
      await s.close()
    }
  })
})

describe('faults', () => {
  const run = (fault: string, extra: Record<string, unknown> = {}, timeoutMs = 1500): Promise<Raw> =>
    raw(sim.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 10, ...extra }), { 'x-sim-quirks': fault }, timeoutMs)

  it.each([['http-500', 500], ['http-429', 429], ['http-503', 503]] as const)('%s answers %i with an OpenAI error body', async (fault, status) => {
    const r = await run(fault)
    expect(r.status).toBe(status)
    const e = JSON.parse(r.text).error
    expect(typeof e.message).toBe('string')
    expect(typeof e.type).toBe('string')
    expect(e.code).toBe(status)
    if (status === 429) expect(r.headers['retry-after']).toBe('1')
  })

  it('stream-error: tokens, then an error event, then the end', async () => {
    const r = await run('stream-error')
    expect(r.error).toBeNull()
    const events = sse(r.text)
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ error: { message: expect.any(String), type: 'InternalServerError', code: 500 } })
    expect(tokenEvents(events.slice(0, -1).map((e) => JSON.parse(e.data)))).toHaveLength(5)
    expect(r.text).not.toContain('[DONE]')
  })

  it('malformed: one event with broken JSON, the rest intact', async () => {
    const r = await run('malformed')
    const bad = sse(r.text).filter((e) => { try { JSON.parse(e.data); return false } catch { return e.data !== '[DONE]' } })
    expect(bad).toHaveLength(1)
    expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('cut: the connection drops mid-stream without [DONE]', async () => {
    const r = await run('cut')
    expect(r.error).not.toBeNull()
    expect(r.error).not.toBe('timeout')
    expect(tokenEvents(jsonEvents(r.text.slice(0, r.text.lastIndexOf('\n\n') + 2)))).toHaveLength(5)
    expect(r.text).not.toContain('[DONE]')
  })

  it('stall: headers and the first chunk, then nothing', async () => {
    const r = await run('stall', {}, 400) // bounded by the client's 400 ms timeout
    expect(r.error).toBe('timeout')
    expect(r.status).toBe(200)
    const chunks = jsonEvents(r.text)
    expect(chunks).toHaveLength(1)
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
  })

  it('draws faults with the configured probabilities, seeded', async () => {
    const opts: SimulatorOptions = { ...FAST, seed: 3, faults: { 'http-503': 0.5 } }
    const a = await startSimulator(opts)
    const b = await startSimulator(opts)
    try {
      const statuses = async (s: Simulator): Promise<number[]> => {
        const out: number[] = []
        for (let i = 0; i < 12; i++) out.push((await raw(s.url, 'POST', '/v1/completions', { prompt: 'x', max_tokens: 1 })).status)
        return out
      }
      const sa = await statuses(a)
      expect(sa).toContain(503)
      expect(sa).toContain(200)
      expect(await statuses(b)).toEqual(sa)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})

describe('timing', () => {
  let s: Simulator | null = null
  afterEach(async () => { await s?.close(); s = null })

  it('TTFT and TPOT grow with concurrency in the batching model', async () => {
    s = await startSimulator({ decodeBaseMs: 2, decodeMsPerSeq: 0.5, prefillBaseMs: 2, prefillMsPerToken: 0.05, maxNumSeqs: 48, trace: true })
    const srv = s
    const measure = async (n: number, tag: string): Promise<{ ttft: number; tpot: number }> => {
      await Promise.all(Array.from({ length: n }, (_, i) =>
        raw(srv.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 8 }), { 'x-request-id': `${tag}-${i}` })))
      let ttft = 0
      let tpot = 0
      for (let i = 0; i < n; i++) {
        const t = srv.trace().get(`${tag}-${i}`)!
        ttft += t.tokenWrites[0] - t.receivedAt
        tpot += (t.tokenWrites[7] - t.tokenWrites[0]) / 7
      }
      return { ttft: ttft / n, tpot: tpot / n }
    }
    const one = await measure(1, 'one')
    let sawWaiting = false
    const poll = setInterval(() => { if (srv.metrics().waiting > 0) sawWaiting = true }, 2)
    const many = await measure(64, 'many')
    clearInterval(poll)
    expect(one.tpot).toBeLessThan(10) // model: 2.5 ms
    expect(many.tpot).toBeGreaterThan(15) // model: 2 + 0.5 × 48 = 26 ms
    expect(many.tpot).toBeGreaterThan(3 * one.tpot)
    expect(many.ttft).toBeGreaterThan(3 * one.ttft)
    expect(sawWaiting).toBe(true) // 64 > maxNumSeqs
    const m = srv.metrics()
    expect(m).toMatchObject({ running: 0, waiting: 0, completed: 65 })
    expect(m.meanStepMs).toBeGreaterThan(0)
  })

  it('exact-timing mode writes token events at receive + ttft + i × itl, whatever the load', async () => {
    s = await startSimulator({ fixedTtftMs: 40, fixedItlMs: 12, trace: true })
    const srv = s
    // The machine's own timer lateness over the same time, in this process: what the simulator
    // adds is judged above it (a loaded CI machine makes every timer late).
    const machine = timerLateness(40 + 12 * 10 + 50)
    await Promise.all(Array.from({ length: 30 }, (_, i) =>
      raw(srv.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 10 }), { 'x-request-id': `x-${i}` })))
    const floor = await machine
    const errors: number[] = []
    for (let i = 0; i < 30; i++) {
      const t = srv.trace().get(`x-${i}`)!
      expect(t.tokenWrites).toHaveLength(10)
      expect(t.tokensPerWrite.every((k) => k === 1)).toBe(true)
      t.tokenWrites.forEach((w, j) => errors.push(w - (t.receivedAt + 40 + 12 * j)))
    }
    expect(Math.min(...errors)).toBeGreaterThanOrEqual(0) // never early
    // Timers on a shared CI machine: the mean lateness stays small even if one write is delayed.
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(5 + floor.mean)
    expect(Math.max(...errors)).toBeLessThan(50 + floor.max)
  })

  it('close() ends open streams and stalled requests at once', async () => {
    s = await startSimulator({ decodeBaseMs: 50 })
    const srv = s
    const pending = [
      raw(srv.url, 'POST', '/v1/chat/completions', chat({ max_tokens: 1000 })),
      raw(srv.url, 'POST', '/v1/chat/completions', chat(), { 'x-sim-quirks': 'stall' }),
    ]
    await new Promise((r) => setTimeout(r, 150))
    expect(srv.metrics().running).toBe(1)
    const t0 = Date.now()
    await srv.close()
    const results = await Promise.all(pending)
    expect(Date.now() - t0).toBeLessThan(500)
    for (const r of results) expect(r.error).not.toBeNull()
    expect(results.every((r) => r.error !== 'timeout')).toBe(true)
    s = null
  })
})

describe('batching engine', () => {
  /** A fake sequence that logs when it is admitted and when its first token comes out. */
  function seq(name: string, log: [string, number][], promptTokens = 12, outputTokens = 3): Sequence {
    return {
      promptTokens, outputTokens, tokensPerStep: 1, generated: 0, state: 'new',
      admit() { log.push([`${name} admit`, now()]) },
      emit() { if (this.generated === 1) log.push([`${name} first`, now()]); return true },
    }
  }
  async function drain(e: BatchEngine): Promise<void> {
    for (let i = 0; i < 200 && (e.running > 0 || e.waiting > 0); i++) await new Promise((r) => setTimeout(r, 5))
  }
  const order = (log: [string, number][]): string[] => [...log].sort((a, b) => a[1] - b[1]).map(([n]) => n)

  it('admits prompts within the step token budget, prefill time added to the step', async () => {
    const e = new BatchEngine(resolveOptions({ decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 0, prefillMsPerToken: 0.5, maxNumBatchedTokens: 30 }))
    const log: [string, number][] = []
    const t0 = now()
    for (const n of ['A', 'B', 'C', 'D']) e.submit(seq(n, log))
    expect(e.waiting).toBe(4)
    await drain(e)
    // Step 1 admits A and B (24 of 30 tokens) and lasts 1 + 0.5 × 24 = 13 ms; C and D follow.
    expect(order(log).slice(0, 4)).toEqual(['A admit', 'B admit', 'A first', 'B first'])
    const at = Object.fromEntries(log)
    expect(at['C admit']).toBeGreaterThanOrEqual(at['A first'])
    // Steps run from targets that start at or after t0 and never fire early, so these lower
    // bounds hold however late a loaded machine runs them (a stamp at admit may itself be late).
    expect(at['A first'] - t0).toBeGreaterThanOrEqual(13 - 0.01)
    expect(at['C first'] - t0).toBeGreaterThanOrEqual(26 - 0.01)
    // A, B: steps 1-3; C, D: steps 2-4.
    expect(e.stats()).toMatchObject({ steps: 4, meanModelStepMs: (13 + 13 + 1 + 1) / 4 })
  })

  it('runs at most maxNumSeqs at once; the rest wait', async () => {
    const e = new BatchEngine(resolveOptions({ decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 0, prefillMsPerToken: 0, maxNumSeqs: 2 }))
    const log: [string, number][] = []
    for (const n of ['A', 'B', 'C']) e.submit(seq(n, log, 5, 2))
    await new Promise((r) => setImmediate(r))
    expect([e.running, e.waiting]).toEqual([2, 1])
    let most = 0
    const poll = setInterval(() => { most = Math.max(most, e.running) }, 0)
    await drain(e)
    clearInterval(poll)
    expect(most).toBeLessThanOrEqual(2)
    // C starts in the loop turn where A and B emit their last tokens.
    expect(order(log)).toEqual(['A admit', 'B admit', 'A first', 'B first', 'C admit', 'C first'])
    expect([e.running, e.waiting]).toEqual([0, 0])
    expect(e.stats().steps).toBe(4)
  })
})

describe('options', () => {
  it('documents defaults and rejects bad values', () => {
    expect(SIMULATOR_DEFAULTS).toMatchObject({ maxNumSeqs: 256, maxModelLen: 32768, decodeBaseMs: 18, decodeMsPerSeq: 0.12, prefillBaseMs: 10, prefillMsPerToken: 0.08, defaultMaxTokens: 256, eosProbability: 0 })
    expect(QUIRKS).toContain('split')
    expect(FAULTS).toContain('cut')
    expect(() => resolveOptions({ maxNumSeqs: 0 })).toThrow(RangeError)
    expect(() => resolveOptions({ fixedTtftMs: 10 })).toThrow(RangeError)
    expect(() => resolveOptions({ quirks: ['nope' as never] })).toThrow(RangeError)
    expect(() => resolveOptions({ faults: { cut: 2 } })).toThrow(RangeError)
    expect(resolveOptions({ decodeBaseMs: 5 }).decodeBaseMs).toBe(5)
  })
})

/** Mean and max lateness of timers aimed at absolute times every 4 ms over `ms`: how late this process's timers run now. */
function timerLateness(ms: number): Promise<{ mean: number; max: number }> {
  const start = performance.now()
  const late: number[] = []
  return new Promise((resolve) => {
    const next = (k: number) => {
      const target = start + 4 * k
      if (4 * k > ms) return resolve({ mean: late.reduce((a, b) => a + b, 0) / Math.max(1, late.length), max: Math.max(0, ...late) })
      setTimeout(() => {
        late.push(Math.max(0, performance.now() - target))
        next(k + 1)
      }, Math.max(0, target - performance.now()))
    }
    next(1)
  })
}
