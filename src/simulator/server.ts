/**
 * The simulated LLM server: node:http routes and startSimulator().
 *
 *   POST /v1/chat/completions, /v1/completions   generation (SSE when "stream": true)
 *   GET  /v1/models, /health, /metrics            model list, liveness, Prometheus text
 *   GET  /debug/trace                             with the trace option: receive and write times
 *   POST /tokenize                                vLLM's {"prompt"|"messages"} → {"count",…}
 */
import { randomUUID } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { now } from '../clock.js'
import { BatchEngine, type Engine } from './engine.js'
import { FixedEngine } from './exact.js'
import { FAULTS, resolveOptions, type Fault, type Quirk, type ResolvedOptions, type SimulatorOptions } from './options.js'
import {
  chatPromptIds, chatPromptTokens, modelNotFound, openaiError, parseGenRequest, vllmError, type ErrorReply, type Kind,
} from './openai.js'
import { parseQuirkList } from './quirks.js'
import { newCounters, prometheusText, type Counters, type TraceEntry } from './stats.js'
import { SimRequest } from './stream.js'
import { drawOutputLength } from './text.js'
import { mixSeed, mulberry32, nextU32 } from '../data/random.js'
import { encodeText } from '../data/tokenizer.js'

export interface SimulatorMetrics extends Omit<Counters, 'ttft'> {
  running: number
  waiting: number
  /** KV-cache tokens in use / kvCacheTokens. */
  kvCacheUsage: number
  /** Batching engine: steps run, mean model step time, mean achieved step time, worst lateness (ms). */
  steps: number
  meanModelStepMs: number
  meanStepMs: number
  meanLagMs: number
  maxLagMs: number
}

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234` */
  url: string
  port: number
  readonly options: Readonly<ResolvedOptions>
  /** Ends all open streams and sockets at once and closes the server. */
  close(): Promise<void>
  metrics(): SimulatorMetrics
  /** When options.trace is true: per request id (the `x-request-id` header, else a generated
   * `sim-<n>`), the server's own now() at receive and at each write of a token-carrying event. */
  trace(): Map<string, TraceEntry>
}

const MAX_BODY = 64 * 1024 * 1024
const HTTP_FAULTS: Partial<Record<Fault, ErrorReply>> = {
  'http-500': openaiError(500, 'InternalServerError', 'Simulated internal server error.'),
  'http-429': { ...openaiError(429, 'RateLimitError', 'Simulated rate limit: too many requests.'), headers: { 'retry-after': '1' } },
  'http-503': openaiError(503, 'ServiceUnavailableError', 'Simulated overload: the server is not ready.'),
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers }).end(body)
}
const reply = (res: ServerResponse, r: ErrorReply): void => send(res, r.status, r.body, 'application/json', r.headers)

function readBody(req: IncomingMessage, done: (text: string | null) => void): void {
  const parts: Buffer[] = []
  let size = 0
  req.on('data', (b: Buffer) => {
    size += b.length
    if (size <= MAX_BODY) parts.push(b)
  })
  req.on('end', () => done(size > MAX_BODY ? null : Buffer.concat(parts).toString('utf8')))
  req.on('error', () => {})
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reply: ErrorReply } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, reply: vllmError(400, 'BadRequestError', `Invalid JSON in request body: ${(e as Error).message}`) }
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = resolveOptions(options)
  // Warm up the tokenizer and the id generator so that the first request is not ~15 ms slower.
  chatPromptTokens([{ role: 'user', content: 'Warm up the tokenizer, once.' }])
  randomUUID()
  const engine: Engine = o.fixedTtftMs !== null ? new FixedEngine(o) : new BatchEngine(o)
  const counters: Counters = newCounters()
  const traces = new Map<string, TraceEntry>()
  const textRng = mulberry32(mixSeed(o.seed, 0x7e47))
  const faultRng = mulberry32(mixSeed(o.seed, 0xfa017))
  const faultOdds = FAULTS.filter((f) => (o.faults[f] ?? 0) > 0).map((f) => [f, o.faults[f]!] as const)
  const sockets = new Set<Socket>()
  const cancel = engine.cancel.bind(engine)
  let requests = 0

  function generate(kind: Kind, text: string, req: IncomingMessage, res: ServerResponse, receivedAt: number): void {
    const parsed = parseJson(text)
    if (!parsed.ok) return reply(res, parsed.reply)
    const g = parseGenRequest(kind, parsed.value, o.model, o)
    if ('status' in g) return reply(res, g)
    requests++
    const hdrId = req.headers['x-request-id']
    const id = typeof hdrId === 'string' && hdrId ? hdrId : `sim-${requests}`
    const trace: TraceEntry | null = o.trace ? { receivedAt, tokenWrites: [], tokensPerWrite: [] } : null
    if (trace) traces.set(id, trace)

    const quirks = new Set<Quirk>(o.quirks)
    const forced: Fault[] = []
    if (o.allowRequestQuirks) {
      for (const src of [req.headers['x-sim-quirks'], g.simQuirks]) {
        const l = parseQuirkList(src)
        if (l.unknown.length) return reply(res, vllmError(400, 'BadRequestError', `Unknown simulator quirk or fault: ${l.unknown.join(', ')}`))
        for (const q of l.quirks) quirks.add(q)
        forced.push(...l.faults)
      }
    }
    let fault: Fault | null = forced[0] ?? null
    for (const [f, p] of faultOdds) if (faultRng() < p && fault === null) fault = f
    res.setHeader('x-request-id', id)
    const httpFault = fault && HTTP_FAULTS[fault]
    if (httpFault) {
      counters.failed++
      return reply(res, httpFault)
    }
    counters.promptTokens += g.promptTokens
    const textSeed = g.seed !== undefined ? mixSeed(o.seed, g.seed) : nextU32(textRng)
    const outputTokens = g.ignoreEos ? g.maxTokens : drawOutputLength(g.maxTokens, o.eosProbability, mulberry32(mixSeed(textSeed, 0x1e9)))
    const seq = new SimRequest({
      req: g, res, opts: o, counters, quirks, fault, outputTokens, stopped: outputTokens < g.maxTokens,
      textSeed, receivedAt, trace, cancel,
    })
    seq.start()
    if (fault === 'stall') {
      counters.stalled++
      seq.admit() // headers and the first chunk, then silence until someone closes
      return
    }
    engine.submit(seq, receivedAt)
  }

  function tokenize(text: string, res: ServerResponse): void {
    const parsed = parseJson(text)
    if (!parsed.ok) return reply(res, parsed.reply)
    const b = (parsed.value ?? {}) as Record<string, unknown>
    if (b.model !== undefined && b.model !== o.model) return reply(res, modelNotFound(String(b.model)))
    let tokens: number[]
    if (Array.isArray(b.messages)) tokens = chatPromptIds(b.messages as { role?: unknown; content?: unknown }[])
    else if (typeof b.prompt === 'string') tokens = encodeText(b.prompt)
    else return reply(res, vllmError(400, 'BadRequestError', 'Either `prompt` or `messages` is required.'))
    send(res, 200, JSON.stringify({ count: tokens.length, max_model_len: o.maxModelLen, tokens, token_strs: null }))
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = now()
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/health') return send(res, 200, '')
      if (path === '/v1/models') {
        const created = Math.floor(Date.now() / 1000)
        return send(res, 200, JSON.stringify({
          object: 'list',
          data: [{ id: o.model, object: 'model', created, owned_by: 'vllm', root: o.model, parent: null, max_model_len: o.maxModelLen, permission: [] }],
        }))
      }
      if (path === '/debug/trace' && o.trace) {
        // The write record that accuracy tests compare a client against (another process's clock
        // is the same monotonic clock, see clock.ts).
        return send(res, 200, JSON.stringify(Object.fromEntries(traces)))
      }
      if (path === '/metrics') {
        const gauges = { running: engine.running, waiting: engine.waiting, kvUsage: Math.min(1, engine.kvTokens / o.kvCacheTokens) }
        return send(res, 200, prometheusText(o.model, counters, gauges), 'text/plain; version=0.0.4; charset=utf-8')
      }
    } else if (req.method === 'POST') {
      const kind: Kind | 'tokenize' | null =
        path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completion' : path === '/tokenize' ? 'tokenize' : null
      if (kind !== null) {
        return readBody(req, (text) => {
          if (text === null) return reply(res, vllmError(413, 'BadRequestError', 'Request body too large.'))
          if (kind === 'tokenize') tokenize(text, res)
          else generate(kind, text, req, res, receivedAt)
        })
      }
    }
    send(res, 404, '{"detail":"Not Found"}')
  }

  const server = http.createServer({ noDelay: true }, (req, res) => {
    try {
      handle(req, res)
    } catch (e) {
      if (!res.headersSent) reply(res, openaiError(500, 'InternalServerError', String(e)))
      else res.destroy()
    }
  })
  server.keepAliveTimeout = 65_000 // clients reuse connections between requests
  server.headersTimeout = 66_000
  server.requestTimeout = 0 // never cut a long stream
  server.timeout = 0
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : o.port
  const host = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host
  let closing: Promise<void> | null = null

  return {
    url: `http://${host}:${port}`,
    port,
    options: o,
    close() {
      closing ??= new Promise<void>((resolve) => {
        engine.stop()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        server.closeAllConnections()
      })
      return closing
    },
    metrics() {
      const st = engine.stats()
      return {
        running: engine.running,
        waiting: engine.waiting,
        completed: counters.completed,
        aborted: counters.aborted,
        failed: counters.failed,
        stalled: counters.stalled,
        promptTokens: counters.promptTokens,
        generationTokens: counters.generationTokens,
        kvCacheUsage: Math.min(1, engine.kvTokens / o.kvCacheTokens),
        ...st,
      }
    },
    trace: () => traces,
  }
}
