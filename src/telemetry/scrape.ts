/**
 * One HTTP GET of a metrics page, for sampling during a load test: its own single keep-alive
 * connection (never one of the load's), a short deadline, and a body cap, so a slow, huge or
 * hostile page costs at most one connection, `timeoutMs` and MAX_EXPOSITION_BYTES.
 */
import type { Agent } from 'undici'
import { now } from '../clock.js'
import { MAX_EXPOSITION_BYTES } from './prometheus.js'

export class ScrapeError extends Error {}

export interface Page {
  /** clock.ts now() when the response head arrived: the page was rendered just before. */
  at: number
  text: string
  truncated: boolean
}

export interface Scraper {
  /** The URL without credentials, for messages. */
  readonly shown: string
  get(): Promise<Page>
  close(): Promise<void>
}

export function shownUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    return u.toString().replace(/\/$/, '')
  } catch {
    return '(invalid URL)'
  }
}

export function scraper(url: string, opts: { headers?: Record<string, string>; timeoutMs: number; maxBytes?: number }): Scraper {
  const maxBytes = opts.maxBytes ?? MAX_EXPOSITION_BYTES
  // undici (110 files) loads with the first scrape, not with the command.
  let undici: Promise<{ request: typeof import('undici').request; dispatcher: Agent }> | undefined
  const client = () =>
    (undici ??= import('undici').then(({ Agent, request }) => ({
      request,
      dispatcher: new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: opts.timeoutMs } }),
    })))
  const headers = { accept: 'text/plain;version=0.0.4;q=1, */*;q=0.1', ...opts.headers }
  return {
    shown: shownUrl(url),
    async get() {
      let res
      try {
        const { request, dispatcher } = await client()
        res = await request(url, {
          dispatcher,
          headers,
          signal: AbortSignal.timeout(opts.timeoutMs),
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        })
      } catch (e) {
        throw new ScrapeError(failure(e, opts.timeoutMs))
      }
      const at = now()
      if (res.statusCode !== 200) {
        discard(res.body)
        throw new ScrapeError(`HTTP ${res.statusCode}`)
      }
      const type = String(res.headers['content-type'] ?? '')
      if (/html|json|event-stream/i.test(type)) {
        discard(res.body)
        throw new ScrapeError(`not Prometheus text: ${type.split(';')[0]}`)
      }
      const parts: Buffer[] = []
      let size = 0
      let truncated = false
      try {
        for await (const chunk of res.body) {
          const b = chunk as Buffer
          if (size + b.length > maxBytes) {
            parts.push(b.subarray(0, maxBytes - size))
            truncated = true
            discard(res.body)
            break
          }
          parts.push(b)
          size += b.length
        }
      } catch (e) {
        throw new ScrapeError(failure(e, opts.timeoutMs))
      }
      return { at, text: Buffer.concat(parts).toString('utf8'), truncated }
    },
    close: async () => {
      if (undici) await (await undici).dispatcher.close().catch(() => {})
    },
  }
}

/** Drops the rest of a body; destroying it emits an AbortError nobody else listens for. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {})
  body.destroy()
}

function failure(e: unknown, timeoutMs: number): string {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no answer within ${timeoutMs / 1000} s`
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found'
  return code ?? err.message?.split('\n')[0] ?? String(e)
}
