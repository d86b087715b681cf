/**
 * The client of one scenario: a keep-alive pool of HTTP/1.1 connections sized to the highest
 * concurrency, so only the first request on each connection pays for the TCP connect. Each read
 * is stamped before parsing (http1.ts), then fed to the SSE parser and the adapter.
 */
import { now } from '../clock.js'
import type { FailureKind, RequestRecord } from '../results/types.js'
import type { Adapter, HttpRequest } from './adapter.js'
import { SseParser } from './sse.js'
import { NdjsonParser } from './ndjson.js'
import type { RequestTracker } from './tracker.js'
import { ClosedError, Http1Connection, type Origin, type ResponseSink } from './http1.js'

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8000 or https://host/v1. */
  server: string
  connections: number
  /** Per-request limit from send to end. */
  timeoutMs: number
  /** Sent with every request (auth and the user's extra headers); never recorded. */
  headers: Record<string, string>
}

const BODY_EXCERPT_BYTES = 200
/** A non-streamed body larger than this is cut: a load tester must not hold unbounded responses. */
const MAX_BODY_BYTES = 64 * 1024 * 1024
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

  constructor(private readonly options: ClientOptions) {
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
      const handler = new ResponseHandler(adapter, tracker, (record) => {
        this.inFlight.delete(handler)
        resolve(record)
      })
      this.inFlight.add(handler)
      handler.startTimer(this.options.timeoutMs)
      const start = (retry: boolean) => {
        if (handler.finished) return // timed out or aborted while it waited for a connection
        const conn = this.acquire()
        if (!conn) {
          // Every connection is busy: wait for one (the load never asks for more than the pool).
          this.waiting.push(() => start(retry))
          return
        }
        handler.connection = conn
        handler.retry = retry && conn.uses > 0 ? () => start(false) : undefined
        tracker.sentAt = now()
        conn.send(text, handler)
      }
      if (this.closed) handler.onError(new AbortedError('the client is closed'), now())
      else start(true)
    })
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

  /** Ends every request in flight as `aborted` (the run was interrupted). */
  abortAll(reason = 'run interrupted'): void {
    for (const h of this.inFlight) h.abort(new AbortedError(reason))
  }

  async close(): Promise<void> {
    this.closed = true
    this.abortAll('the client was closed')
    for (const c of [...this.all]) c.destroy(new ClosedError('the client was closed'))
  }
}

class ResponseHandler implements ResponseSink {
  connection: Http1Connection | undefined
  /** Sends again on a fresh connection: set while a failure may be a stale keep-alive connection. */
  retry: (() => void) | undefined
  private timer: NodeJS.Timeout | undefined
  private status = 0
  private responseStarted = false
  private parser: SseParser | NdjsonParser | undefined
  private chunks: Buffer[] | undefined
  private bodyBytes = 0
  finished = false

  constructor(
    private readonly adapter: Adapter,
    private readonly t: RequestTracker,
    private readonly done: (record: RequestRecord) => void,
  ) {}

  startTimer(ms: number): void {
    this.timer = setTimeout(() => this.abort(new TimeoutError(`no complete response within ${ms} ms`)), ms)
    this.timer.unref?.()
  }

  abort(err: Error): void {
    if (this.finished) return
    if (this.connection) this.connection.destroy(err)
    else this.onError(err, now())
  }

  onStart(status: number): void {
    this.status = status
    this.responseStarted = true
    const ok = status >= 200 && status < 300
    if (ok && this.t.stream) {
      const { adapter, t } = this
      const onEvent = (data: string, event: string) => adapter.onEvent(data, event, t)
      this.parser = adapter.framing === 'ndjson' ? new NdjsonParser(onEvent) : new SseParser(onEvent)
    } else {
      this.chunks = []
    }
  }

  onData(chunk: Buffer, at: number): void {
    this.t.readAt = at
    if (this.parser) {
      this.parser.push(chunk)
      return
    }
    const limit = this.status >= 200 && this.status < 300 ? MAX_BODY_BYTES : BODY_EXCERPT_BYTES
    if (this.bodyBytes < limit) {
      this.chunks!.push(Buffer.from(chunk)) // a copy: the read buffer is reused
      this.bodyBytes += chunk.length
    }
  }

  onEnd(at: number): void {
    const { t } = this
    if (this.parser) {
      this.parser.end()
    } else if (this.status >= 200 && this.status < 300) {
      if (this.bodyBytes >= MAX_BODY_BYTES) t.fail('parse', `response body larger than ${MAX_BODY_BYTES} bytes`)
      else this.adapter.onBody(Buffer.concat(this.chunks!).toString('utf8'), t)
    } else {
      const excerpt = Buffer.concat(this.chunks!).subarray(0, BODY_EXCERPT_BYTES).toString('utf8')
      t.fail('http', excerpt, this.status)
    }
    this.finish(at)
  }

  onError(err: Error, at: number): void {
    if (this.finished) return
    const code = (err as { code?: string }).code ?? ''
    if (this.retry && !this.responseStarted && STALE_ERRORS.has(code)) {
      const retry = this.retry
      this.retry = undefined
      this.connection = undefined
      retry()
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
    clearTimeout(this.timer)
    this.done(this.t.toRecord(endAt))
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
