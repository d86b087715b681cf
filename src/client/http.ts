/**
 * The client of one scenario: a keep-alive pool of HTTP/1.1 connections sized to the highest
 * concurrency, so only the first request on each connection pays for the TCP connect. Each read
 * is stamped before parsing (http1.ts), then fed to the SSE parser and the adapter.
 *
 * Two clocks end a request that does not finish: `timeoutMs` from send to end, and
 * `idleTimeoutMs` without a byte of the response once its head came. Neither costs anything per
 * read or a timer per request: each read already stamps the tracker (`readAt`), and one sweeper
 * per client, running only while requests are in flight, compares deadlines and stamps with the
 * clock every quarter of the shorter limit, at most every 250 ms and at least every 10 ms (a stall
 * or a timeout ends within its limit + 250 ms).
 */
import { now } from '../clock.js'
import type { FailureKind, RequestRecord } from '../results/types.js'
import type { Adapter, HttpRequest } from './adapter.js'
import { SseParser, type EventSink } from './sse.js'
import { NdjsonParser } from './ndjson.js'
import type { RequestTracker } from './tracker.js'
import { handOff } from '../load/turns.js'
import { ClosedError, Http1Connection, ProtocolError, type Origin, type ResponseSink } from './http1.js'
import { excerpt } from '../results/redact.js'
import { budgetMessage, responseBudget, type BufferBudget } from './budget.js'

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8000 or https://host/v1. */
  server: string
  connections: number
  /** Per-request limit from send to end. */
  timeoutMs: number
  /**
   * A request whose response sends nothing for this long ends as `timeout` (headers then
   * silence, or a stall mid-stream). Counted from the response head: the wait for the head
   * (a queued request, a non-streamed answer being computed) is the overall timeout's business.
   * Default: 60 s, or `timeoutMs` when smaller; 0 or Infinity turns it off.
   */
  idleTimeoutMs?: number
  /** Sent with every request (auth and the user's extra headers); never recorded. */
  headers: Record<string, string>
  /** What all responses may hold at once (budget.ts); default: the process's. */
  budget?: BufferBudget
}

/** Characters of an error body kept in its record. */
const BODY_EXCERPT_CHARS = 200
/** Bytes of an error body read to cut that excerpt from: a secret the cut would split is redacted whole first (redact.ts excerpt). */
const BODY_READ_BYTES = 4096
/** A non-streamed body larger than this fails the request (parse): a load tester must not hold unbounded responses. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024
/** The idle timeout when none is given (or `timeoutMs` when smaller). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000
/** The idle sweeper runs every idle/4, but at most every 250 ms and at least every 10 ms. */
const MAX_SWEEP_MS = 250
const MIN_SWEEP_MS = 10
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'LLMBENCH_CONNECTION_CLOSED'])
/** Failures of a reused connection before any answer: the server closed it while idle. */
const STALE_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'LLMBENCH_CONNECTION_CLOSED'])

export class TimeoutError extends Error {
  readonly code = 'LLMBENCH_TIMEOUT'
}
export class AbortedError extends Error {
  readonly code = 'LLMBENCH_ABORTED'
}

export class LlmClient {
  private readonly origin: Origin
  private readonly basePath: string
  private readonly headerText: string
  private readonly idle: Http1Connection[] = []
  private readonly all = new Set<Http1Connection>()
  private readonly waiting: Array<() => void> = []
  private readonly inFlight = new Set<ResponseHandler>()
  private closed = false
  /** 0 when off. */
  private readonly idleMs: number
  private sweeper: NodeJS.Timeout | undefined
  readonly budget: BufferBudget

  constructor(private readonly options: ClientOptions) {
    this.budget = options.budget ?? responseBudget()
    const url = new URL(options.server)
    const tls = url.protocol === 'https:'
    this.origin = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (tls ? 443 : 80),
      tls,
      authority: url.host,
    }
    this.basePath = url.pathname.replace(/\/+$/, '')
    this.headerText = headerLines(options.headers, [])
    const idle = options.idleTimeoutMs ?? Math.min(DEFAULT_IDLE_TIMEOUT_MS, options.timeoutMs)
    this.idleMs = idle > 0 && idle < Infinity ? idle : 0
  }

  /** The path on the server, without doubling a `/v1` the user already put in the URL. */
  resolvePath(path: string): string {
    if (this.basePath.endsWith('/v1') && path.startsWith('/v1/')) return this.basePath + path.slice(3)
    return this.basePath + path
  }

  /** Sends one request and resolves with its record; never rejects. */
  send(adapter: Adapter, req: HttpRequest, tracker: RequestTracker, requestId: string): Promise<RequestRecord> {
    const text = this.requestText(req, requestId)
    return new Promise((resolve) => {
      const handler = new ResponseHandler(this, adapter, tracker, text, resolve, now() + this.options.timeoutMs)
      this.inFlight.add(handler)
      if (this.sweeper === undefined && !this.closed) this.startSweeper()
      if (this.closed) handler.onError(new AbortedError('the client is closed'), now())
      else this.start(handler, true)
    })
  }

  /** Puts a request on a connection; `retry`: it may be sent again if a reused connection turns out stale. */
  start(handler: ResponseHandler, retry: boolean): void {
    if (handler.finished) return // timed out or aborted while it waited for a connection
    const conn = this.acquire()
    if (!conn) {
      // Every connection is busy: wait for one (the load never asks for more than the pool).
      this.waiting.push(() => this.start(handler, retry))
      return
    }
    handler.connection = conn
    handler.retryable = retry && conn.uses > 0
    handler.t.sentAt = now()
    conn.send(handler.text, handler)
  }

  /** A request's record is out: it no longer counts as in flight. */
  settled(handler: ResponseHandler): void {
    this.inFlight.delete(handler)
    if (this.inFlight.size === 0) this.stopSweeper()
  }

  private requestText(req: HttpRequest, requestId: string): string {
    let head = `${req.method} ${this.resolvePath(req.path)} HTTP/1.1\r\nhost: ${this.origin.authority}\r\n`
    // The scenario's headers (auth, the user's) first; the adapter's replace any of the same name.
    const own = Object.keys(req.headers)
    head += own.some((k) => k in this.options.headers) ? headerLines(this.options.headers, own) : this.headerText
    for (const [k, v] of Object.entries(req.headers)) head += `${k}: ${v}\r\n`
    head += `x-request-id: ${requestId}\r\n`
    if (req.method === 'GET') return head + '\r\n'
    return `${head}content-length: ${Buffer.byteLength(req.body)}\r\n\r\n${req.body}`
  }

  private acquire(): Http1Connection | undefined {
    const t = now()
    while (this.idle.length) {
      const c = this.idle.pop()!
      if (!c.dead && c.expiresAt > t) return c
      c.destroy(new ClosedError('keep-alive expired'))
    }
    if (this.all.size >= Math.max(1, this.options.connections)) return undefined
    const c = new Http1Connection(
      this.origin,
      (free) => {
        this.idle.push(free)
        this.waiting.shift()?.()
      },
      (dead) => {
        this.all.delete(dead)
        const i = this.idle.indexOf(dead)
        if (i >= 0) this.idle.splice(i, 1)
        this.waiting.shift()?.()
      },
    )
    this.all.add(c)
    return c
  }

  /**
   * One timer for every request in flight, in place of a timer per request: ends those past
   * their deadline (`timeoutMs` from send) and those silent for longer than the idle timeout.
   */
  private startSweeper(): void {
    const idle = this.idleMs
    const limit = idle > 0 ? Math.min(idle, this.options.timeoutMs) : this.options.timeoutMs
    this.sweeper = setInterval(() => {
      const t = now()
      for (const h of this.inFlight) {
        if (h.deadline <= t) h.abort(new TimeoutError(`no complete response within ${this.options.timeoutMs} ms`))
        else if (idle > 0 && h.lastActivity() < t - idle) h.abort(new TimeoutError(`stream idle: no data for ${idle} ms`))
      }
    }, Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, limit / 4)))
    this.sweeper.unref?.()
  }

  private stopSweeper(): void {
    if (this.sweeper === undefined) return
    clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  /** Ends every request in flight as `aborted` (the run was interrupted). */
  abortAll(reason = 'run interrupted'): void {
    for (const h of this.inFlight) h.abort(new AbortedError(reason))
  }

  async close(): Promise<void> {
    this.closed = true
    this.stopSweeper()
    this.abortAll('the client was closed')
    // One error for all: they are idle (nothing reads it), and a stack trace each cost 0.1 ms a connection.
    const closed = new ClosedError('the client was closed')
    for (const c of [...this.all]) c.destroy(closed)
  }
}

export class ResponseHandler implements ResponseSink, EventSink {
  connection: Http1Connection | undefined
  /** Whether a failure before any answer may be sent again on a fresh connection (a stale keep-alive one). */
  retryable = false
  private status = 0
  private responseStarted = false
  private parser: SseParser | NdjsonParser | undefined
  private chunks: Buffer[] | undefined
  private bodyBytes = 0
  /** An error body had more bytes than were read. */
  private bodyCut = false
  /** Bytes of a 2xx body held, counted against the client's budget. */
  private bodyHeld = 0
  finished = false
  /**
   * When the idle clock started: the arrival of the response head; Infinity until then. The
   * last read's stamp, `t.readAt`, moves it on for free.
   */
  idleFrom = Infinity

  // One object per request holds everything a request needs (no closures or timer of its own):
  // thousands in flight are thousands of objects the young-generation GC copies.
  constructor(
    private readonly client: LlmClient,
    private readonly adapter: Adapter,
    readonly t: RequestTracker,
    readonly text: string,
    private readonly resolve: (record: RequestRecord) => void,
    /** Monotonic ms after which the request ends as a timeout. */
    readonly deadline: number,
  ) {}

  /** The later of the idle clock's start and the last read of this response. */
  lastActivity(): number {
    const read = this.t.readAt
    return read > this.idleFrom ? read : this.idleFrom
  }

  abort(err: Error): void {
    if (this.finished) return
    if (this.connection) this.connection.destroy(err)
    else this.onError(err, now())
  }

  onStart(status: number, at: number): void {
    this.status = status
    this.responseStarted = true
    this.idleFrom = at
    const ok = status >= 200 && status < 300
    if (ok && this.t.stream) {
      const budget = this.client.budget
      this.parser = this.adapter.framing === 'ndjson' ? new NdjsonParser(this, undefined, undefined, budget) : new SseParser(this, undefined, undefined, budget)
    } else {
      this.chunks = []
    }
  }

  /** The parser's event: the adapter reads it. */
  onEvent(data: string, event: string): void {
    this.adapter.onEvent(data, event, this.t)
  }

  /** A line or event past the parser's bound (16 MiB) fails the request instead of growing. */
  onLimit(message: string): void {
    this.t.fail('parse', message) // also when the response already ended (the last line, in end())
    this.abort(new ProtocolError(message))
  }

  onData(buf: Buffer, start: number, end: number, at: number): void {
    this.t.readAt = at
    if (this.parser) {
      // An adapter must never throw; if one does (a bug), the request fails and the run goes on.
      try {
        this.parser.push(buf, start, end)
      } catch (err) {
        this.abort(new ProtocolError(`could not read the response: ${(err as Error)?.message ?? err}`))
      }
      return
    }
    const ok = this.status >= 200 && this.status < 300
    if (ok && this.bodyBytes + end - start > MAX_BODY_BYTES) {
      // No point reading on: the request has failed, and the rest may never end.
      this.chunks = []
      this.abort(new ProtocolError(`response body larger than ${MAX_BODY_BYTES} bytes`))
      return
    }
    if (this.bodyBytes < (ok ? MAX_BODY_BYTES : BODY_READ_BYTES)) {
      if (ok) {
        const budget = this.client.budget
        if (!budget.take(end - start)) {
          this.abort(new ProtocolError(budgetMessage(budget, this.bodyHeld, 'its body')))
          return
        }
        this.bodyHeld += end - start
      }
      this.chunks!.push(Buffer.from(buf.subarray(start, end))) // a copy: the read buffer is reused
      this.bodyBytes += end - start
    } else this.bodyCut = true
  }

  onEnd(at: number): void {
    const { t } = this
    if (this.status >= 200 && this.status < 300) {
      try {
        if (this.parser) this.parser.end()
        else this.adapter.onBody(Buffer.concat(this.chunks!).toString('utf8'), t)
      } catch (err) {
        t.fail('parse', `could not read the response: ${(err as Error)?.message ?? err}`)
      }
    } else {
      const read = Buffer.concat(this.chunks!)
      const text = read.subarray(0, BODY_READ_BYTES).toString('utf8')
      t.fail('http', excerpt(text, BODY_EXCERPT_CHARS, { truncated: this.bodyCut || read.length > BODY_READ_BYTES }), this.status)
    }
    this.finish(at)
  }

  onError(err: Error, at: number): void {
    if (this.finished) return
    const code = (err as { code?: string }).code ?? ''
    if (this.retryable && !this.responseStarted && STALE_ERRORS.has(code)) {
      this.retryable = false
      this.connection = undefined
      this.client.start(this, false)
      return
    }
    this.t.fail(this.classify(err), describeError(err))
    this.finish(at)
  }

  private classify(err: Error): FailureKind {
    const code = (err as { code?: string }).code ?? ''
    if (err instanceof AbortedError) return 'aborted'
    if (err instanceof TimeoutError) return 'timeout'
    if (!this.responseStarted && CONNECT_ERRORS.has(code)) return 'connect'
    if (code === 'LLMBENCH_HTTP_PROTOCOL') return 'parse'
    return 'disconnect'
  }

  private finish(endAt: number): void {
    if (this.finished) return
    this.finished = true
    this.parser?.dispose()
    this.client.budget.give(this.bodyHeld)
    this.bodyHeld = 0
    this.chunks = undefined
    handOff(() => {
      this.client.settled(this)
      this.resolve(this.t.toRecord(endAt))
    })
  }
}

/** One line about a network error: its code and message, and its cause when it has one. */
export function describeError(err: Error): string {
  const code = (err as { code?: string }).code
  const cause = (err as { cause?: Error }).cause
  // Node's dual-stack connect failures are AggregateErrors with an empty message.
  const message = err.message || (err as { errors?: Error[] }).errors?.[0]?.message || ''
  const base = code && !message.includes(code) && !code.startsWith('LLMBENCH_') ? (message ? `${code}: ${message}` : code) : message
  if (cause && cause.message && !base.includes(cause.message)) return `${base} (${describeError(cause)})`
  return base || String(err)
}

function headerLines(headers: Record<string, string>, except: string[]): string {
  return Object.entries(headers).filter(([k]) => !except.includes(k)).map(([k, v]) => `${k}: ${v}\r\n`).join('')
}
