/**
 * The client's limits against a raw TCP server: the idle-stream timeout (independent of the
 * overall timeout), and bounded memory per request (token events stored, stream lines, event
 * data, non-streamed bodies, chunk-size lines).
 */
import { afterEach, describe, expect, it } from 'vitest'
import v8 from 'node:v8'
import vm from 'node:vm'
import { LlmClient, MAX_BODY_BYTES } from '../src/client/http.js'
import { chatAdapter } from '../src/client/openai-chat.js'
import { ollamaChatAdapter } from '../src/client/ollama.js'
import { MAX_STORED_TOKEN_EVENTS, RequestTracker } from '../src/client/tracker.js'
import { MAX_LINE_BYTES, SseParser } from '../src/client/sse.js'
import { NdjsonParser } from '../src/client/ndjson.js'
import type { Adapter, RequestSpec } from '../src/client/adapter.js'
import type { RequestRecord } from '../src/results/types.js'

import { closeRawServers, rawServer } from './helpers/raw-server.js'

afterEach(closeRawServers)

const spec: RequestSpec = { model: 'm', prompt: 'hi', promptTokens: 1, maxTokens: 4, stream: true, ignoreEos: false, includeUsage: false, continuousUsage: false, body: {} }
const event = (text: string) => `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}}}]}\n\n`
const chunk = (s: string | Buffer) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
const HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'
const CLOSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n'
const DONE = chunk('data: [DONE]\n\n') + '0\r\n\r\n'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function send(client: LlmClient, opts: { stream?: boolean; adapter?: Adapter; tracker?: RequestTracker } = {}): Promise<RequestRecord> {
  const stream = opts.stream ?? true
  const adapter = opts.adapter ?? chatAdapter
  const t = opts.tracker ?? new RequestTracker(0, false, stream, 0, 1)
  return client.send(adapter, adapter.buildRequest({ ...spec, stream }), t, 'test-1')
}

const sweeperOf = (c: LlmClient) => (c as unknown as { sweeper: unknown }).sweeper

describe('idle-stream timeout', () => {
  it('ends a response that sends its head and then nothing, after idleTimeoutMs, long before timeoutMs', async () => {
    const { url } = await rawServer((s) => { s.write(HEAD) })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, idleTimeoutMs: 300, headers: {} })
    const r = await send(client)
    expect(sweeperOf(client)).toBeUndefined() // nothing in flight: the sweeper stopped
    await client.close()
    expect(r.outcome).toBe('timeout')
    expect(r.error?.message).toMatch(/idle: no data for 300 ms/)
    const took = r.endAt - r.sentAt
    expect(took).toBeGreaterThanOrEqual(299)
    expect(took).toBeLessThan(1_500) // idle + one sweep (75 ms) + a loaded machine's slack
  })

  it('ends a stream that stalls in the middle, keeping the tokens that came', async () => {
    const { url } = await rawServer(async (s) => {
      s.write(HEAD)
      for (const t of ['a', 'b', 'c']) {
        await sleep(50)
        s.write(chunk(event(t)))
      }
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, idleTimeoutMs: 300, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('timeout')
    expect(r.error?.message).toMatch(/idle/)
    expect(r.tokenTimes).toHaveLength(3)
    // The idle clock runs from the last read, not from the send.
    expect(r.endAt - r.lastTokenAt!).toBeGreaterThanOrEqual(299)
    expect(r.endAt - r.sentAt).toBeLessThan(2_000)
  })

  it('lets a slow but steady stream with gaps shorter than the idle timeout finish', async () => {
    const { url } = await rawServer(async (s) => {
      await sleep(150) // the head comes late too
      s.write(HEAD)
      for (let i = 0; i < 10; i++) {
        await sleep(150)
        s.write(chunk(event(`t${i}`)))
      }
      s.write(DONE)
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, idleTimeoutMs: 400, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('ok')
    expect(r.outputTokens).toBe(10)
    expect(r.endAt - r.sentAt).toBeGreaterThan(1_500) // far longer than the idle timeout in all
  })

  it('does not count the wait for the head (queueing, a non-streamed answer computed) as idle, only silence after it', async () => {
    const json = JSON.stringify({ choices: [{ message: { content: 'hello' } }], usage: { prompt_tokens: 2, completion_tokens: 1 } })
    const { url } = await rawServer(async (s, n) => {
      await sleep(600) // no byte for longer than the idle timeout
      if (n === 1) s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${json.length}\r\n\r\n${json}`)
      else if (n === 2) s.write(HEAD + chunk(event('late')) + DONE)
      else s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${json.length}\r\n\r\n`) // head, then silence
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, idleTimeoutMs: 250, headers: {} })
    const body = await send(client, { stream: false })
    const streamed = await send(client)
    const silent = await send(client, { stream: false })
    await client.close()
    expect(body.outcome).toBe('ok')
    expect(streamed.outcome).toBe('ok')
    expect(silent.outcome).toBe('timeout')
    expect(silent.endAt - silent.sentAt).toBeGreaterThanOrEqual(600 + 249)
  })

  it('defaults to 60 s, or timeoutMs when smaller; 0 turns it off', () => {
    const idleOf = (c: LlmClient) => (c as unknown as { idleMs: number }).idleMs
    expect(idleOf(new LlmClient({ server: 'http://127.0.0.1:9', connections: 1, timeoutMs: 300_000, headers: {} }))).toBe(60_000)
    expect(idleOf(new LlmClient({ server: 'http://127.0.0.1:9', connections: 1, timeoutMs: 400, headers: {} }))).toBe(400)
    expect(idleOf(new LlmClient({ server: 'http://127.0.0.1:9', connections: 1, timeoutMs: 400, idleTimeoutMs: 0, headers: {} }))).toBe(0)
  })

  it('leaves the overall timeout to end a stream that is never idle', async () => {
    const { url } = await rawServer(async (s) => {
      s.write(HEAD)
      for (let i = 0; i < 40; i++) {
        await sleep(50)
        if (s.destroyed) return
        s.write(chunk(event('x')))
      }
    })
    // Never idle for 100 ms, but longer than 600 ms in all.
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 600, idleTimeoutMs: 300, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('timeout')
    expect(r.error?.message).toMatch(/no complete response within 600 ms/)
  })
})

describe('bounded memory per request', () => {
  it('stores at most MAX_STORED_TOKEN_EVENTS token times but keeps counting', () => {
    const t = new RequestTracker(0, false, true, 0, 1)
    const n = MAX_STORED_TOKEN_EVENTS + 200_000
    for (let i = 0; i < n; i++) {
      t.readAt = i * 0.01
      t.token(true, i + 1)
    }
    const r = t.toRecord(n * 0.01)
    expect(r.outcome).toBe('ok')
    expect(r.tokenTimes).toHaveLength(MAX_STORED_TOKEN_EVENTS)
    expect(r.tokenCounts).toHaveLength(MAX_STORED_TOKEN_EVENTS)
    expect(r).toMatchObject({ outputTokens: n, outputTokensSource: 'usage-continuous' })
    expect(r.lastTokenAt).toBeCloseTo((n - 1) * 0.01)

    const plain = new RequestTracker(0, false, true, 0, 1)
    plain.maxStoredTokenEvents = 5
    for (let i = 0; i < 12; i++) plain.token(true)
    expect(plain.toRecord(1)).toMatchObject({ outcome: 'ok', outputTokens: 12, outputTokensSource: 'events', tokenTimes: [0, 0, 0, 0, 0] })
  })

  it('an endless fast stream keeps heap use bounded: the request stops storing and ends at its timeout', async () => {
    // Heap measured after a full GC; --expose-gc set at run time for this.
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const batch = Buffer.from(chunk(event('x').repeat(1000)))
    const sent = { events: 0 }
    const { url } = await rawServer((s) => {
      s.write(HEAD)
      const pump = () => {
        while (!s.destroyed) {
          sent.events += 1000
          if (!s.write(batch)) return void s.once('drain', pump)
        }
      }
      pump()
    })
    const CAP = 10_000
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 2_500, headers: {} })
    const tracker = new RequestTracker(0, false, true, 0, 1)
    tracker.maxStoredTokenEvents = CAP
    gc()
    const before = process.memoryUsage().heapUsed
    let peak = before
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed) }, 20)
    const r = await send(client, { tracker })
    clearInterval(sampler)
    await client.close()
    gc()
    const retained = process.memoryUsage().heapUsed - before
    expect(r.outcome).toBe('timeout')
    expect(r.outputTokens).toBeGreaterThan(10 * CAP) // many more events than were stored...
    expect(r.tokenTimes).toHaveLength(CAP) // ...and only CAP stored
    // Bounds: the record holds CAP times (80 kB), so after GC less than 4 MB is retained (storing
    // every event would retain ~16 bytes per event, over 1.6 MB for the >100k events here and
    // typically several MB); the peak, garbage included, stays under 64 MB.
    expect(retained).toBeLessThan(4 * 1024 * 1024)
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
    console.log(`endless stream: ${r.outputTokens} events read in ${(r.endAt - r.sentAt).toFixed(0)} ms, ${CAP} stored; heap peak +${((peak - before) / 1048576).toFixed(1)} MB, retained +${(retained / 1048576).toFixed(2)} MB`)
  })

  it('fails a 20 MiB SSE line without a line end as parse, without waiting for the timeout', async () => {
    const piece = Buffer.alloc(1024 * 1024, 'x')
    const { url } = await rawServer(async (s) => {
      s.write(CLOSE_HEAD + 'data: {"choices":[{"delta":{"content":"')
      for (let i = 0; i < 20 && !s.destroyed; i++) {
        if (!s.write(piece)) await new Promise((r) => s.once('drain', r))
      }
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('parse')
    expect(r.error?.message).toBe(`stream line longer than ${MAX_LINE_BYTES} bytes without a line end`)
    expect(r.endAt - r.sentAt).toBeLessThan(15_000)
  })

  it('fails a 20 MiB NDJSON line without a newline as parse', async () => {
    const piece = Buffer.alloc(1024 * 1024, 'y')
    const { url } = await rawServer(async (s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n')
      s.write(chunk('{"message":{"content":"'))
      for (let i = 0; i < 20 && !s.destroyed; i++) {
        if (!s.write(chunk(piece))) await new Promise((r) => s.once('drain', r))
      }
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, headers: {} })
    const r = await send(client, { adapter: ollamaChatAdapter })
    await client.close()
    expect(r.outcome).toBe('parse')
    expect(r.error?.message).toMatch(/stream line longer than 16777216 bytes/)
  })

  it('parsers: a line or an event past the bound is reported once, and nothing is delivered after', () => {
    const events: string[] = []
    const limits: string[] = []
    const sse = new SseParser((d) => events.push(d), (m) => limits.push(m), 100)
    sse.push(Buffer.from('data: ok\n\ndata: ' + 'a'.repeat(50)))
    sse.push(Buffer.from('b'.repeat(60)))
    sse.push(Buffer.from('\n\ndata: later\n\n'))
    sse.end()
    expect(events).toEqual(['ok'])
    expect(limits).toEqual(['stream line longer than 100 bytes without a line end'])

    // Many data lines of one event, never a blank line: the joined data is bounded too.
    const joined: string[] = []
    const sse2 = new SseParser((d) => joined.push(d), (m) => limits.push(m), 100)
    for (let i = 0; i < 20; i++) sse2.push(Buffer.from('data: 0123456789\n'))
    sse2.push(Buffer.from('\n'))
    sse2.end()
    expect(joined).toEqual([])
    expect(limits[1]).toBe('stream event data longer than 100 bytes without an event end')

    // Without a limit handler the parser throws instead.
    expect(() => new SseParser(() => {}, undefined, 10).push(Buffer.from('data: 0123456789'))).toThrow(/longer than 10 bytes/)

    const lines: string[] = []
    const nd = new NdjsonParser((d) => lines.push(d), (m) => limits.push(m), 100)
    nd.push(Buffer.from('{"a":1}\n{"b":'))
    for (let i = 0; i < 10; i++) nd.push(Buffer.from('0123456789'))
    nd.push(Buffer.from('\n{"c":3}\n'))
    nd.end()
    expect(lines).toEqual(['{"a":1}'])
    expect(limits[2]).toBe('stream line longer than 100 bytes without a line end')
    // A long line within the bound, in many pieces, is joined whole.
    const whole: string[] = []
    const nd2 = new NdjsonParser((d) => whole.push(d))
    for (let i = 0; i < 1000; i++) nd2.push(Buffer.from('z'))
    nd2.push(Buffer.from('\n'))
    expect(whole).toEqual(['z'.repeat(1000)])
  })

  it(`fails a non-streamed body larger than ${MAX_BODY_BYTES / 1048576} MiB as parse as soon as it passes the cap`, async () => {
    const piece = Buffer.alloc(1024 * 1024, ' ')
    const total = MAX_BODY_BYTES + 16 * 1024 * 1024
    const state = { written: 0 }
    const { url } = await rawServer(async (s) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`)
      // Writes all but the last 8 MiB, then stalls: only the cap can end the request early.
      while (state.written < total - 8 * 1024 * 1024 && !s.destroyed) {
        state.written += piece.length
        if (!s.write(piece)) await new Promise((r) => s.once('drain', r))
      }
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, headers: {} })
    const r = await send(client, { stream: false })
    await client.close()
    expect(r.outcome).toBe('parse')
    expect(r.error?.message).toBe(`response body larger than ${MAX_BODY_BYTES} bytes`)
    expect(r.endAt - r.sentAt).toBeLessThan(15_000)
  })

  it('fails an endless chunk-size line as parse', async () => {
    const junk = '1'.repeat(8 * 1024)
    const { url } = await rawServer(async (s) => {
      s.write(HEAD)
      for (let i = 0; i < 20 && !s.destroyed; i++) {
        s.write(junk)
        await sleep(1)
      }
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 20_000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('parse')
  })

  it('drops a connection that sent bytes after the end of a response; the next request goes on a fresh one', async () => {
    const json = JSON.stringify({ choices: [{ message: { content: 'hello' } }], usage: { prompt_tokens: 2, completion_tokens: 1 } })
    const { url, stats } = await rawServer((s, n) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${json.length}\r\n\r\n${json}${n === 1 ? 'GARBAGE' : ''}`)
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5_000, headers: {} })
    const a = await send(client, { stream: false })
    const b = await send(client, { stream: false })
    await client.close()
    expect(a.outcome).toBe('ok')
    expect(b.outcome).toBe('ok')
    expect(stats.connections).toBe(2)
  })
})
