/**
 * The simulated LLM server: node:http routes and startSimulator(). Every generation route shares
 * the engine, the token text and schedule, the counters, the trace and the faults; only the wire
 * format differs (protocols/*.ts).
 *
 *   OpenAI (vLLM)   POST /v1/chat/completions, /v1/completions    SSE when "stream": true
 *                   POST /v1/responses                            Responses API, named SSE events
 *                   POST /v1/embeddings                           after the prefill cost of the input
 *                   GET  /v1/models, /health, /metrics            model list, liveness, Prometheus text
 *                   POST /tokenize                                vLLM's {"prompt"|"messages"} → {"count",…}
 *                   POST /reset_prefix_cache                      empties the prefix cache (vLLM's)
 *   Anthropic       POST /v1/messages                             (GET /v1/models with `anthropic-version`)
 *   Triton          POST /v2/models/{m}[/versions/{v}]/generate_stream (SSE), …/generate (JSON)
 *                   GET  /v2, /v2/health/ready, /v2/health/live, /v2/models/{m}[/ready]
 *   TGI             POST /generate_stream (SSE), /generate with {"inputs"}; GET /info
 *   SGLang          POST /generate with {"text"|"input_ids"}; GET /get_model_info
 *   Ollama          POST /api/chat, /api/generate (NDJSON unless "stream": false); GET /api/tags, /api/version
 *   Debug           GET  /debug/trace                             with the trace option: receive and write times
 */
import { randomUUID } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { now } from '../clock.js'
import { BatchEngine, type Engine } from './engine.js'
import { FixedEngine } from './exact.js'
import { FAULTS, resolveOptions, type Fault, type Quirk, type ResolvedOptions, type SimulatorOptions } from './options.js'
import { chatPromptIds, chatPromptTokens, IM_END } from './prompt.js'
import { PrefixCache } from './prefix-cache.js'
import { decideToolCall, toolArguments, toolCallsText } from './tools.js'
import { isReply, type GetRoute, type Protocol, type Reply } from './protocol.js'
import { anthropic, anthropicGet } from './protocols/anthropic.js'
import { answerEmbeddings, parseEmbeddings } from './protocols/embeddings.js'
import { ollama, ollamaGet } from './protocols/ollama.js'
import { modelNotFound, openaiChat, openaiGet, openaiCompletion, openaiError, vllmError, vllmStyleError } from './protocols/openai.js'
import { responses } from './protocols/responses.js'
import { isSglangBody, sglang, sglangGet } from './protocols/sglang.js'
import { tgi, tgiGet } from './protocols/tgi.js'
import { triton, tritonGet } from './protocols/triton.js'
import { parseQuirkList } from './quirks.js'
import { newCounters, prometheusText, type Counters, type TraceEntry } from './stats.js'
import { SimRequest } from './stream.js'
import { drawOutputLength } from './text.js'
import { mixSeed, mulberry32, nextU32 } from '../random.js'
import { encodeText } from '../data/tokenizer.js'
import { structuredSetup, traceKinds } from './kinds.js'
import { tokenPieces } from './structured.js'

export interface SimulatorMetrics extends Omit<Counters, 'ttft'> {
  /** Prefix cache: prompt tokens looked up and found (0 without the cache). */
  prefixCacheQueries: number
  prefixCacheHits: number
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
const HTTP_FAULTS: Partial<Record<Fault, { status: number; message: string; headers?: Record<string, string> }>> = {
  'http-500': { status: 500, message: 'Simulated internal server error.' },
  'http-429': { status: 429, message: 'Simulated rate limit: too many requests.', headers: { 'retry-after': '1' } },
  'http-503': { status: 503, message: 'Simulated overload: the server is not ready.' },
}

/** A POST route's protocol, or a choice by body (TGI and SGLang share `/generate`). */
type Route = Protocol | ((body: unknown) => Protocol)
const TGI_BODY = tgi(false)
const POSTS = new Map<string, Route>([
  ['/v1/chat/completions', openaiChat],
  ['/v1/completions', openaiCompletion],
  ['/v1/responses', responses],
  ['/v1/messages', anthropic],
  ['/generate_stream', tgi(true)],
  ['/generate', (b) => (isSglangBody(b) ? sglang : TGI_BODY)],
  ['/api/chat', ollama('chat')],
  ['/api/generate', ollama('generate')],
])
const TRITON_POST = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/(generate|generate_stream)$/
const TRITON = { generate: triton(false), generate_stream: triton(true) }
const GETS: GetRoute[] = [anthropicGet, openaiGet, tgiGet, sglangGet, ollamaGet, tritonGet]

function send(res: ServerResponse, status: number, body: string, type = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers }).end(body)
}
const reply = (res: ServerResponse, r: Reply): void => send(res, r.status, r.body, 'application/json', r.headers)

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

/** Runs a handler; an exception becomes a 500 (or a cut, once the headers are out). */
function guard(res: ServerResponse, fn: () => void): void {
  try {
    fn()
  } catch (e) {
    if (!res.headersSent) reply(res, openaiError(500, 'InternalServerError', String(e)))
    else res.destroy()
  }
}

const safeDecode = (s: string): string => { try { return decodeURIComponent(s) } catch { return s } }
const errorOf = (route: Route | undefined): Protocol['error'] =>
  route === undefined ? vllmStyleError : (typeof route === 'function' ? route(undefined) : route).error

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, message: `Invalid JSON in request body: ${(e as Error).message}` }
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
  const cache = o.prefixCache ? new PrefixCache(o.prefixCacheTokens ?? o.kvCacheTokens, o.blockSize) : null
  let requests = 0

  /** A valid request's id, trace entry, quirks and fault (x-sim-quirks, sim_quirks, the seeded
   * draw); null when it has been answered already (unknown quirk, HTTP fault). */
  function admitRequest(
    error: Protocol['error'], simQuirks: unknown, req: IncomingMessage, res: ServerResponse, receivedAt: number,
  ): { trace: TraceEntry | null; quirks: Set<Quirk>; fault: Fault | null } | null {
    requests++
    const hdrId = req.headers['x-request-id']
    const id = typeof hdrId === 'string' && hdrId ? hdrId : `sim-${requests}`
    const trace: TraceEntry | null = o.trace ? { receivedAt, tokenWrites: [], tokensPerWrite: [] } : null
    if (trace) traces.set(id, trace)
    const quirks = new Set<Quirk>(o.quirks)
    const forced: Fault[] = []
    if (o.allowRequestQuirks) {
      for (const src of [req.headers['x-sim-quirks'], simQuirks]) {
        const l = parseQuirkList(src)
        if (l.unknown.length) {
          reply(res, error(400, `Unknown simulator quirk or fault: ${l.unknown.join(', ')}`))
          return null
        }
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
      const r = error(httpFault.status, httpFault.message)
      reply(res, { ...r, headers: { ...r.headers, ...httpFault.headers } })
      return null
    }
    return { trace, quirks, fault }
  }

  function generate(route: Route, text: string, req: IncomingMessage, res: ServerResponse, receivedAt: number, urlModel?: string): void {
    counters.received++
    const parsed = parseJson(text)
    const proto = typeof route === 'function' ? route(parsed.ok ? parsed.value : undefined) : route
    if (!parsed.ok) return reply(res, proto.error(400, parsed.message))
    const p = proto.parse(parsed.value, { opts: o, urlModel })
    if (isReply(p)) return reply(res, p)
    const g = p.gen
    const a = admitRequest(proto.error, g.simQuirks, req, res, receivedAt)
    if (!a) return
    counters.promptTokens += g.promptTokens
    const textSeed = g.seed !== undefined ? mixSeed(o.seed, g.seed) : nextU32(textRng)
    const min = Math.min(g.minTokens, g.maxTokens)
    const outputTokens = min >= g.maxTokens ? g.maxTokens : Math.max(min, drawOutputLength(g.maxTokens, o.eosProbability, mulberry32(mixSeed(textSeed, 0x1e9))))
    const decided = decideToolCall(g.tools, o, mulberry32(mixSeed(textSeed, 0x7001))())
    // Request kinds (simulator/kinds.ts): a structured answer: JSON text, or the decided call of a
    // tool with parameters, its arguments fitting them (invalid at invalidRate).
    const hdrId = req.headers['x-request-id']
    const answer = structuredSetup(g.kinds, decided, a.quirks, o, typeof hdrId === 'string' ? hdrId : undefined, textSeed)
    // A structured call streams its own arguments (the tool-calls quirk's path); any other call, the generated text as `{"input":…}`.
    const toolCall = answer.toolName !== undefined ? null : decided
    const ids = cache ? g.promptIds : undefined
    const cachedTokens = ids ? cache!.admit(ids) : 0
    const wire = p.wire({ opts: o, quirks: a.quirks, promptTokens: g.promptTokens, stopped: outputTokens < g.maxTokens, receivedAt, toolCall, ...(answer.toolName ? { toolName: answer.toolName } : {}) })
    const content = answer.text !== undefined ? tokenPieces(answer.text, outputTokens - Math.min(wire.reasoningTokens, outputTokens)) : undefined
    const trace = a.trace
    if (trace) {
      trace.body = parsed.value
      trace.cachedTokens = cachedTokens
      const sid = req.headers['x-session-id']
      if (typeof sid === 'string') trace.sessionId = sid
      if (g.kinds) traceKinds(trace, g.kinds)
    }
    const onComplete = ids || trace ? (text: string) => {
      // The answer as the next request of the conversation carries it back.
      const reply = answer.toolName !== undefined ? toolCallsText([{ name: answer.toolName, arguments: text }])
        : toolCall ? toolCallsText([{ name: toolCall.name, arguments: toolArguments(text) }]) : text
      if (trace) trace.reply = reply
      if (ids) cache!.insert(g.templated ? [...ids, ...encodeText(reply), IM_END] : [...ids, ...encodeText(reply)])
    } : undefined
    const seq = new SimRequest({
      gen: g, wire, res, opts: o, counters, quirks: a.quirks, fault: a.fault, outputTokens, textSeed, receivedAt, trace, cancel,
      errorReply: proto.error, cachedTokens, onComplete, ...(content ? { content } : {}),
    })
    seq.start()
    if (a.fault === 'stall') {
      counters.stalled++
      seq.admit() // headers and the first events, then silence until someone closes
      return
    }
    engine.submit(seq, receivedAt)
  }

  /** Embeddings: answered after prefillBaseMs + prefillMsPerToken × input tokens, off the engine. */
  function embed(text: string, req: IncomingMessage, res: ServerResponse, receivedAt: number): void {
    const parsed = parseJson(text)
    if (!parsed.ok) return reply(res, vllmStyleError(400, parsed.message))
    const r = parseEmbeddings(parsed.value, o.model, o.maxModelLen)
    if (isReply(r)) return reply(res, r)
    const a = admitRequest(vllmStyleError, r.simQuirks, req, res, receivedAt)
    if (a) answerEmbeddings(r, { ...a, res, receivedAt, opts: o, counters })
  }

  function tokenize(text: string, res: ServerResponse): void {
    const parsed = parseJson(text)
    if (!parsed.ok) return reply(res, vllmError(400, 'BadRequestError', parsed.message))
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
      for (const get of GETS) {
        const r = get(path, o, req.headers)
        if (r) return reply(res, r)
      }
      if (path === '/debug/trace' && o.trace) {
        // The write record that accuracy tests compare a client against (another process's clock
        // is the same monotonic clock, see clock.ts).
        return send(res, 200, JSON.stringify(Object.fromEntries(traces)))
      }
      if (path === '/metrics') {
        const gauges = { running: engine.running, waiting: engine.waiting, kvUsage: Math.min(1, engine.kvTokens / o.kvCacheTokens) }
        return send(res, 200, prometheusText(o.model, counters, gauges, cache ?? undefined), 'text/plain; version=0.0.4; charset=utf-8')
      }
    } else if (req.method === 'POST') {
      if (path === '/reset_prefix_cache' && cache) {
        cache.reset()
        return send(res, 200, '', 'text/plain')
      }
      const t = TRITON_POST.exec(path)
      const route = t ? TRITON[t[2] as 'generate'] : POSTS.get(path)
      if (route || path === '/tokenize' || path === '/v1/embeddings') {
        const urlModel = t ? safeDecode(t[1]) : undefined
        return readBody(req, (text) => guard(res, () => {
          if (text === null) return reply(res, errorOf(route)(413, 'Request body too large.'))
          if (route) generate(route, text, req, res, receivedAt, urlModel)
          else if (path === '/tokenize') tokenize(text, res)
          else embed(text, req, res, receivedAt)
        }))
      }
    }
    send(res, 404, '{"detail":"Not Found"}')
  }

  const server = http.createServer({ noDelay: true }, (req, res) => guard(res, () => handle(req, res)))
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
        received: counters.received,
        completed: counters.completed,
        aborted: counters.aborted,
        failed: counters.failed,
        stalled: counters.stalled,
        promptTokens: counters.promptTokens,
        generationTokens: counters.generationTokens,
        prefixCacheQueries: cache?.queries ?? 0,
        prefixCacheHits: cache?.hits ?? 0,
        kvCacheUsage: Math.min(1, engine.kvTokens / o.kvCacheTokens),
        ...st,
      }
    },
    trace: () => traces,
  }
}
