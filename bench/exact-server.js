#!/usr/bin/env node
/**
 * exact-server: a minimal, fast OpenAI-compatible streaming server with exact delays, used as
 * the ground truth when measuring llmbench's own client overhead (bench/client-overhead.js).
 *
 * - Hand-written HTTP/1.1 on node:net (request line, headers, content-length body, keep-alive),
 *   responses in `Transfer-Encoding: chunked`, `Content-Type: text/event-stream`.
 * - POST /v1/chat/completions streams in vLLM's format: a role-only chunk at once, then
 *   `max_tokens` token events (POST /v1/completions: the same without the role chunk, each
 *   token event a `text` choice), the k-th (k = 0..N-1) due at receive + TTFT + k*ITL (absolute
 *   targets, so lateness never accumulates), then a usage chunk and `data: [DONE]`.
 * - ONE timer drives every stream: a binary min-heap of streams keyed by their next due time;
 *   the timer wakes at the earliest due time, writes every event that is due, and re-arms.
 * - Every token event is one socket.write (Nagle off); the clock is read right after write()
 *   returns and recorded per request id (x-request-id header). The clock is llmbench's own
 *   (dist/src/clock.js: CLOCK_MONOTONIC in ms), so server and client times compare directly;
 *   run `npm run build` first.
 * - GET /trace returns every record as JSON and clears them; GET /cpu returns the server's
 *   process.cpuUsage(); GET /v1/models lists the model.
 *
 * Usage: node bench/exact-server.js [--port 0] [--ttft 200] [--itl 10] [--model exact]
 *   (or env EXACT_PORT, EXACT_TTFT_MS, EXACT_ITL_MS, EXACT_MODEL). Prints `LISTENING <port>`.
 */
import net from 'node:net'
import { now } from '../dist/src/clock.js'

// ------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------

function arg(name, env, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1]
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`))
  if (eq) return eq.slice(name.length + 3)
  if (process.env[env] !== undefined) return process.env[env]
  return fallback
}

const PORT = Number(arg('port', 'EXACT_PORT', '0'))
const TTFT_MS = Number(arg('ttft', 'EXACT_TTFT_MS', '200'))
const ITL_MS = Number(arg('itl', 'EXACT_ITL_MS', '10'))
const MODEL = String(arg('model', 'EXACT_MODEL', 'exact'))
const HOST = String(arg('host', 'EXACT_HOST', '127.0.0.1'))
const DEFAULT_MAX_TOKENS = 16

// ------------------------------------------------------------------------------------------
// Clock: llmbench's own (CLOCK_MONOTONIC ms), so its records compare with the client's
// ------------------------------------------------------------------------------------------


// ------------------------------------------------------------------------------------------
// Wire bytes, built once
// ------------------------------------------------------------------------------------------

/** One HTTP chunk carrying one SSE event: `<hex len>\r\ndata: <json>\n\n\r\n`. */
function chunkOf(s) {
  const payload = Buffer.from(s, 'utf8')
  return Buffer.concat([Buffer.from(payload.length.toString(16) + '\r\n'), payload, Buffer.from('\r\n')])
}
const sse = (json) => `data: ${json}\n\n`

const STREAM_HEAD =
  'HTTP/1.1 200 OK\r\n' +
  'Content-Type: text/event-stream\r\n' +
  'Cache-Control: no-cache\r\n' +
  'Connection: keep-alive\r\n' +
  'Transfer-Encoding: chunked\r\n\r\n'
const ROLE_CHUNK = chunkOf(
  sse('{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}'),
)
const HEAD_AND_ROLE = Buffer.concat([Buffer.from(STREAM_HEAD), ROLE_CHUNK])
const TOKEN_CHUNK = chunkOf(
  sse('{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" tok"},"finish_reason":null}]}'),
)
const TEXT_TOKEN_CHUNK = chunkOf(
  sse('{"id":"x","object":"text_completion","choices":[{"index":0,"text":" tok","logprobs":null,"finish_reason":null}]}'),
)
const DONE_AND_END = Buffer.concat([chunkOf(sse('[DONE]')), Buffer.from('0\r\n\r\n')])

function usageTail(prompt, completion) {
  const usage = chunkOf(
    sse(
      `{"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}}`,
    ),
  )
  return Buffer.concat([usage, DONE_AND_END])
}

function plainResponse(status, reason, contentType, body, close = false) {
  const b = Buffer.from(body, 'utf8')
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${b.length}\r\n` +
        `Connection: ${close ? 'close' : 'keep-alive'}\r\n\r\n`,
    ),
    b,
  ])
}
const jsonResponse = (status, reason, obj) => plainResponse(status, reason, 'application/json', JSON.stringify(obj))

// ------------------------------------------------------------------------------------------
// Trace: per request id, the truth about every token event
// ------------------------------------------------------------------------------------------

/** id -> record; cleared by GET /trace. */
let trace = new Map()
let anonymous = 0

// ------------------------------------------------------------------------------------------
// The one scheduler: a binary min-heap of streams by next due time, one timer
// ------------------------------------------------------------------------------------------

const heap = []
let timer = null
let armedFor = Infinity

function heapPush(s) {
  heap.push(s)
  let i = heap.length - 1
  while (i > 0) {
    const p = (i - 1) >> 1
    if (heap[p].due <= s.due) break
    heap[i] = heap[p]
    i = p
  }
  heap[i] = s
}

function heapPop() {
  const top = heap[0]
  const last = heap.pop()
  if (heap.length > 0) {
    let i = 0
    const n = heap.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && heap[r].due < heap[l].due ? r : l
      if (heap[c].due >= last.due) break
      heap[i] = heap[c]
      i = c
    }
    heap[i] = last
  }
  return top
}

function arm() {
  if (heap.length === 0) {
    if (timer) clearTimeout(timer)
    timer = null
    armedFor = Infinity
    return
  }
  const due = heap[0].due
  if (timer && armedFor <= due) return
  if (timer) clearTimeout(timer)
  armedFor = due
  // Timers have 1 ms granularity: wake at or after the due time, never write early.
  timer = setTimeout(tick, Math.max(1, Math.ceil(due - now())))
}

function tick() {
  timer = null
  armedFor = Infinity
  let t = now()
  while (heap.length > 0 && heap[0].due <= t) {
    const s = heapPop()
    if (s.closed) continue
    t = writeToken(s)
    if (s.sent < s.n) {
      s.due = s.start + ITL_MS * s.sent
      heapPush(s)
    }
  }
  arm()
}

/** Writes the next token event of `s`; returns the clock read right after the write. */
function writeToken(s) {
  const ok = s.conn.socket.write(s.text ? TEXT_TOKEN_CHUNK : TOKEN_CHUNK)
  const at = now()
  const k = s.sent++
  s.rec.writes[k] = at
  s.rec.targets[k] = s.due
  if (!ok) s.rec.backpressure++
  if (s.sent === s.n) {
    s.conn.socket.write(usageTail(s.promptTokens, s.n))
    s.rec.endAt = now()
    finishStream(s.conn)
  }
  return at
}

// ------------------------------------------------------------------------------------------
// HTTP/1.1 connections
// ------------------------------------------------------------------------------------------

const CRLFCRLF = Buffer.from('\r\n\r\n')
const MAX_HEAD = 64 * 1024

class Conn {
  constructor(socket) {
    this.socket = socket
    this.buf = null
    this.busy = false
    this.closed = false
    this.stream = null
    this.lastDataAt = 0
    /** When the previous response on this connection ended (a pipelined request starts then). */
    this.freeAt = 0
  }
}

const sockets = new Set()

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  sockets.add(socket)
  const conn = new Conn(socket)
  socket.on('data', (chunk) => {
    conn.lastDataAt = now()
    conn.buf = conn.buf === null || conn.buf.length === 0 ? chunk : Buffer.concat([conn.buf, chunk])
    if (!conn.busy) pump(conn)
  })
  const close = () => {
    conn.closed = true
    if (conn.stream) conn.stream.closed = true
    sockets.delete(socket)
  }
  socket.on('error', close)
  socket.on('close', close)
})

/** Parses and serves every complete request in the buffer, one at a time (HTTP/1.1 order). */
function pump(conn) {
  while (!conn.busy && !conn.closed && conn.buf !== null && conn.buf.length > 0) {
    const buf = conn.buf
    const headEnd = buf.indexOf(CRLFCRLF)
    if (headEnd < 0) {
      if (buf.length > MAX_HEAD) reject(conn, 431, 'Request Header Fields Too Large')
      return
    }
    const head = buf.toString('latin1', 0, headEnd)
    const lines = head.split('\r\n')
    const [method, target] = lines[0].split(' ')
    const headers = Object.create(null)
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(':')
      if (c > 0) headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim()
    }
    if (headers['transfer-encoding'] && headers['transfer-encoding'].toLowerCase() !== 'identity') {
      reject(conn, 501, 'Not Implemented', 'chunked request bodies are not supported; send content-length')
      return
    }
    const len = headers['content-length'] ? Number(headers['content-length']) : 0
    const bodyStart = headEnd + 4
    if (buf.length < bodyStart + len) return // wait for the rest of the body
    const body = buf.toString('utf8', bodyStart, bodyStart + len)
    conn.buf = buf.length === bodyStart + len ? null : buf.subarray(bodyStart + len)
    serve(conn, method, target, headers, body)
  }
}

function reject(conn, status, reason, message = reason) {
  conn.socket.end(plainResponse(status, reason, 'text/plain', message + '\n', true))
  conn.closed = true
}

function serve(conn, method, target, headers, body) {
  const recv = conn.lastDataAt >= conn.freeAt ? conn.lastDataAt : now()
  const path = target.split('?')[0]
  const text = path === '/v1/completions' || path === '/completions'
  if (method === 'POST' && (text || path === '/v1/chat/completions' || path === '/chat/completions')) {
    let req
    try {
      req = JSON.parse(body)
    } catch {
      conn.socket.write(jsonResponse(400, 'Bad Request', { error: { message: 'body is not JSON', type: 'BadRequestError', code: 400 } }))
      return
    }
    const n = Math.max(1, Math.floor(Number(req.max_tokens ?? req.max_completion_tokens ?? DEFAULT_MAX_TOKENS)) || DEFAULT_MAX_TOKENS)
    const promptTokens = promptTokensOf(req)
    const id = headers['x-request-id'] || `anonymous-${++anonymous}`
    if (req.stream === false) {
      serveNonStreamed(conn, recv, n, promptTokens)
      return
    }
    // lead: events before the first token (the role chunk of chat; none for text completions).
    const rec = { recv, ttft: TTFT_MS, itl: ITL_MS, n, lead: text ? 0 : 1, roleAt: 0, endAt: 0, backpressure: 0, writes: new Float64Array(n), targets: new Float64Array(n) }
    trace.set(id, rec)
    conn.socket.write(text ? STREAM_HEAD : HEAD_AND_ROLE)
    rec.roleAt = now()
    const s = { conn, rec, n, text, sent: 0, start: recv + TTFT_MS, due: recv + TTFT_MS, promptTokens, closed: false }
    conn.busy = true
    conn.stream = s
    heapPush(s)
    arm()
    return
  }
  if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
    conn.socket.write(jsonResponse(200, 'OK', { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'exact-server' }] }))
    return
  }
  if (method === 'GET' && path === '/trace') {
    const out = {}
    for (const [id, r] of trace) {
      out[id] = {
        recv: r.recv,
        ttft: r.ttft,
        itl: r.itl,
        n: r.n,
        lead: r.lead,
        roleAt: r.roleAt,
        endAt: r.endAt,
        backpressure: r.backpressure,
        writes: Array.from(r.writes),
        targets: Array.from(r.targets),
      }
    }
    trace = new Map()
    const cpu = process.cpuUsage()
    conn.socket.write(jsonResponse(200, 'OK', { clock: 'CLOCK_MONOTONIC ms', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, records: out }))
    return
  }
  if (method === 'GET' && path === '/cpu') {
    const cpu = process.cpuUsage()
    conn.socket.write(jsonResponse(200, 'OK', { at: now(), cpuUserUs: cpu.user, cpuSystemUs: cpu.system }))
    return
  }
  if (method === 'GET' && path === '/health') {
    conn.socket.write(plainResponse(200, 'OK', 'text/plain', 'ok\n'))
    return
  }
  conn.socket.write(jsonResponse(404, 'Not Found', { error: { message: `no route ${method} ${path}`, type: 'NotFoundError', code: 404 } }))
}

/** A non-streamed answer, sent whole when the last token would have been due. */
function serveNonStreamed(conn, recv, n, promptTokens) {
  conn.busy = true
  const delay = recv + TTFT_MS + ITL_MS * (n - 1) - now()
  setTimeout(() => {
    if (conn.closed) return
    const body = {
      id: 'x',
      object: 'chat.completion',
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: ' tok'.repeat(n) }, finish_reason: 'length' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: n, total_tokens: promptTokens + n },
    }
    conn.socket.write(jsonResponse(200, 'OK', body))
    conn.busy = false
    conn.freeAt = now()
    pump(conn)
  }, Math.max(0, delay))
}

/** The server's prompt-token count: one per whitespace-separated word (no tokenizer here). */
function promptTokensOf(req) {
  let words = 0
  const msgs = Array.isArray(req.messages) ? req.messages : typeof req.prompt === 'string' ? [{ content: req.prompt }] : []
  for (const m of msgs) {
    const c = typeof m?.content === 'string' ? m.content : ''
    let inWord = false
    for (let i = 0; i < c.length; i++) {
      const ws = c.charCodeAt(i) <= 32
      if (!ws && !inWord) words++
      inWord = !ws
    }
  }
  return words
}

function finishStream(conn) {
  conn.stream = null
  conn.busy = false
  conn.freeAt = now()
  if (conn.buf !== null && conn.buf.length > 0) pump(conn)
}

// ------------------------------------------------------------------------------------------
// Start and stop
// ------------------------------------------------------------------------------------------

server.listen(PORT, HOST, () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`)
})

function shutdown() {
  if (timer) clearTimeout(timer)
  server.close()
  for (const s of sockets) s.destroy()
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
// Exit with the parent when it closes our stdin (so no orphan is ever left behind).
if (process.env.EXACT_EXIT_ON_STDIN_END === '1') {
  process.stdin.on('end', shutdown)
  process.stdin.on('error', shutdown)
  process.stdin.resume()
}
