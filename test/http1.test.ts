/**
 * llmbench's HTTP/1.1 reader against a raw TCP server that writes exactly the bytes a test
 * chooses: chunked bodies split anywhere, length- and close-delimited bodies, 1xx answers,
 * keep-alive reuse and a server that closes an idle connection.
 */
import { afterEach, describe, expect, it } from 'vitest'
import net from 'node:net'
import { LlmClient } from '../src/client/http.js'
import { chatAdapter } from '../src/client/openai-chat.js'
import { RequestTracker } from '../src/client/tracker.js'
import type { RequestSpec } from '../src/client/adapter.js'
import { closeRawServers, listen, rawServer } from './helpers/raw-server.js'

afterEach(closeRawServers)


const spec: RequestSpec = { model: 'm', prompt: 'hi', promptTokens: 1, maxTokens: 4, stream: true, ignoreEos: false, includeUsage: false, continuousUsage: false, body: {} }
const event = (text: string) => `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}}}]}\n\n`
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
const HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'
const sse = (...texts: string[]) => HEAD + texts.map((t) => chunk(event(t))).join('') + chunk('data: [DONE]\n\n') + '0\r\n\r\n'

function send(client: LlmClient, stream = true) {
  const t = new RequestTracker(0, false, stream, 0, 1)
  return client.send(chatAdapter, chatAdapter.buildRequest({ ...spec, stream }), t, 'test-1')
}

/** Writes `bytes` in pieces of the given sizes, each in its own TCP write. */
async function writeInPieces(socket: net.Socket, bytes: string, sizes: number[]) {
  const buf = Buffer.from(bytes)
  let pos = 0
  for (const n of sizes) {
    if (pos >= buf.length) break
    socket.write(buf.subarray(pos, pos + n))
    pos += n
    await new Promise((r) => setTimeout(r, 2))
  }
  if (pos < buf.length) socket.write(buf.subarray(pos))
}

describe('HTTP/1.1 responses', () => {
  it('reads a chunked event stream written in one piece', async () => {
    const { url } = await rawServer((s) => { s.write(sse('Hello', ' world', '!')) })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('ok')
    expect(r.outputTokens).toBe(3)
  })

  it('reads the same stream however the bytes are split (inside sizes, CRLFs, data and the head)', async () => {
    const body = sse('a', 'é日本', '👍', ' ', '\n')
    for (const sizes of [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [70], [HEAD.length + 1, 1, 2, 3], [HEAD.length + 3, 60, 1, 1]]) {
      const { url } = await rawServer((s) => writeInPieces(s, body, sizes))
      const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
      const r = await send(client)
      await client.close()
      expect(r.outcome, JSON.stringify(sizes)).toBe('ok')
      expect(r.outputTokens).toBe(5)
    }
  })

  it('reads a content-length body and a body that ends when the server closes', async () => {
    const json = JSON.stringify({ choices: [{ message: { content: 'hello there' } }], usage: { prompt_tokens: 2, completion_tokens: 7 } })
    for (const reply of [
      (s: net.Socket) => s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${json.length}\r\n\r\n${json}`),
      (s: net.Socket) => s.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${json}`),
    ]) {
      const { url } = await rawServer(reply)
      const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
      const r = await send(client, false)
      await client.close()
      expect(r).toMatchObject({ outcome: 'ok', outputTokens: 7, outputTokensSource: 'usage' })
    }
  })

  it('skips a 100 Continue before the real answer', async () => {
    const { url } = await rawServer((s) => { s.write('HTTP/1.1 100 Continue\r\n\r\n' + sse('x')) })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('ok')
  })

  it('keeps an error status and the start of its body', async () => {
    const body = '{"object":"error","message":"The model `m` does not exist.","type":"NotFoundError","code":404}'
    const { url } = await rawServer((s) => { s.write(`HTTP/1.1 404 Not Found\r\ncontent-length: ${body.length}\r\n\r\n${body}`) })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('http')
    expect(r.error).toEqual({ status: 404, message: body })
  })

  it('reuses one keep-alive connection for requests in turn', async () => {
    const { url, stats } = await rawServer((s) => { s.write(sse('a')) })
    const client = new LlmClient({ server: url, connections: 4, timeoutMs: 5000, headers: {} })
    for (let i = 0; i < 5; i++) expect((await send(client)).outcome).toBe('ok')
    await client.close()
    expect(stats.connections).toBe(1)
  })

  it('drops a connection the server closed while idle and opens a new one', async () => {
    // The server answers once per connection, then closes it after a moment (a keep-alive timeout).
    const { url, stats } = await rawServer((s) => {
      s.write(sse('a'))
      setTimeout(() => s.destroy(), 20)
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    expect((await send(client)).outcome).toBe('ok')
    await new Promise((r) => setTimeout(r, 100))
    expect((await send(client)).outcome).toBe('ok')
    await client.close()
    expect(stats.connections).toBe(2)
  })

  it('reports a stream cut in the middle as disconnect, with the tokens that came', async () => {
    const { url } = await rawServer((s) => {
      s.write(HEAD + chunk(event('a')) + chunk(event('b')))
      setTimeout(() => s.destroy(), 20)
    })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('disconnect')
    expect(r.tokenTimes).toHaveLength(2)
  })

  it('reports a refused connection as connect', async () => {
    const client = new LlmClient({ server: 'http://127.0.0.1:9', connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('connect')
    expect(r.error?.message).toMatch(/ECONNREFUSED/)
  })

  it('ends a stalled response as timeout', async () => {
    const { url } = await rawServer((s) => { s.write(HEAD + chunk(event('a'))) })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 300, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('timeout')
    expect(r.endAt - r.sentAt).toBeGreaterThanOrEqual(299)
  })

  it('reports garbage instead of HTTP as a parse failure', async () => {
    const { url } = await rawServer((s) => { s.write('SSH-2.0-OpenSSH\r\n\r\n') })
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: {} })
    const r = await send(client)
    await client.close()
    expect(r.outcome).toBe('parse')
  })

  it('sends the headers it was given and the request id', async () => {
    let seen = ''
    const server = net.createServer((s) => s.on('data', (d) => { seen += d; s.end(sse('a')) }))
    await listen(server)
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`
    const client = new LlmClient({ server: url, connections: 1, timeoutMs: 5000, headers: { authorization: 'Bearer k' } })
    await send(client)
    await client.close()
    expect(seen).toMatch(/^POST \/v1\/chat\/completions HTTP\/1\.1\r\n/)
    expect(seen).toContain('authorization: Bearer k\r\n')
    expect(seen).toContain('x-request-id: test-1\r\n')
  })
})
