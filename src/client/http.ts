/**
 * The HTTP layer: one undici pool per scenario, keep-alive, sized to the highest concurrency,
 * so only the first request on each connection pays for the TCP connect. Responses are read
 * through undici's dispatch handler, the lowest-overhead path: each read is stamped with the
 * clock before any parsing, then fed to the SSE parser and the adapter.
 */
import { Pool, type Dispatcher } from 'undici'
import { now } from '../clock.js'
import type { FailureKind, RequestRecord } from '../results/types.js'
import type { Adapter, HttpRequest } from './adapter.js'
import { SseParser } from './sse.js'
import type { RequestTracker } from './tracker.js'

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8000 or https://host/v1. */
  server: string
  connections: number
  /** Per-request limit from send to end, and the longest silence allowed inside a response. */
  timeoutMs: number
  /** Sent with every request (auth and the user's extra headers); never recorded. */
  headers: Record<string, string>
}

const BODY_EXCERPT_BYTES = 200
/** A non-streamed body larger than this is cut: a load tester must not hold unbounded responses. */
const MAX_BODY_BYTES = 64 * 1024 * 1024
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

export class TimeoutError extends Error {
  readonly code = 'LLMBENCH_TIMEOUT'
}
export class AbortedError extends Error {
  readonly code = 'LLMBENCH_ABORTED'
}

export class LlmClient {
  private readonly pool: Pool
  private readonly basePath: string
  private readonly inFlight = new Set<ResponseHandler>()

  constructor(private readonly options: ClientOptions) {
    const url = new URL(options.server)
    this.basePath = url.pathname.replace(/\/+$/, '')
    this.pool = new Pool(url.origin, {
      connections: Math.max(1, options.connections),
      pipelining: 1,
      keepAliveTimeout: 120_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
  }

  /** The path on the server, without doubling a `/v1` the user already put in the URL. */
  resolvePath(path: string): string {
    if (this.basePath.endsWith('/v1') && path.startsWith('/v1/')) return this.basePath + path.slice(3)
    return this.basePath + path
  }

  /** Sends one request and resolves with its record; never rejects. */
  send(adapter: Adapter, req: HttpRequest, tracker: RequestTracker, requestId: string): Promise<RequestRecord> {
    return new Promise((resolve) => {
      const handler = new ResponseHandler(adapter, tracker, (record) => {
        this.inFlight.delete(handler)
        resolve(record)
      })
      this.inFlight.add(handler)
      handler.startTimer(this.options.timeoutMs)
      tracker.sentAt = now()
      try {
        this.pool.dispatch(
          {
            method: req.method,
            path: this.resolvePath(req.path),
            headers: { ...this.options.headers, ...req.headers, 'x-request-id': requestId },
            body: req.method === 'GET' ? undefined : req.body,
          },
          handler,
        )
      } catch (err) {
        handler.onResponseError(undefined, err as Error)
      }
    })
  }

  /** Ends every request in flight as `aborted` (the run was interrupted). */
  abortAll(reason = 'run interrupted'): void {
    for (const h of this.inFlight) h.abort(new AbortedError(reason))
  }

  async close(): Promise<void> {
    await this.pool.destroy()
  }
}

class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private pendingAbort: Error | undefined
  private timer: NodeJS.Timeout | undefined
  private status = 0
  private responseStarted = false
  private parser: SseParser | undefined
  private chunks: Buffer[] | undefined
  private bodyBytes = 0
  private finished = false

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
    if (this.controller) this.controller.abort(err)
    else this.pendingAbort = err
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.pendingAbort) controller.abort(this.pendingAbort)
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode
    this.responseStarted = true
    const ok = statusCode >= 200 && statusCode < 300
    if (ok && this.t.stream) {
      const { adapter, t } = this
      this.parser = new SseParser((data, event) => adapter.onEvent(data, event, t))
    } else {
      this.chunks = []
    }
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.t.readAt = now()
    if (this.parser) {
      this.parser.push(chunk)
      return
    }
    const limit = this.status >= 200 && this.status < 300 ? MAX_BODY_BYTES : BODY_EXCERPT_BYTES
    if (this.bodyBytes < limit) {
      this.chunks!.push(chunk)
      this.bodyBytes += chunk.length
    }
  }

  onResponseEnd(): void {
    const endAt = now()
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
    this.finish(endAt)
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    const endAt = now()
    this.t.fail(this.classify(err), describeError(err))
    this.finish(endAt)
  }

  private classify(err: Error): FailureKind {
    const code = (err as { code?: string }).code ?? ''
    if (err instanceof AbortedError) return 'aborted'
    if (err instanceof TimeoutError || TIMEOUT_ERRORS.has(code)) return 'timeout'
    if (!this.responseStarted && CONNECT_ERRORS.has(code)) return 'connect'
    return 'disconnect'
  }

  private finish(endAt: number): void {
    if (this.finished) return
    this.finished = true
    clearTimeout(this.timer)
    this.done(this.t.toRecord(endAt))
  }
}

/** One line about a network error: its code and message, and the cause when undici wraps one. */
export function describeError(err: Error): string {
  const code = (err as { code?: string }).code
  const cause = (err as { cause?: Error }).cause
  // Node's dual-stack connect failures are AggregateErrors with an empty message.
  const message = err.message || (err as { errors?: Error[] }).errors?.[0]?.message || ''
  const base = code && !message.includes(code) ? (message ? `${code}: ${message}` : code) : message
  if (cause && cause.message && !base.includes(cause.message)) return `${base} (${describeError(cause)})`
  return base || String(err)
}
