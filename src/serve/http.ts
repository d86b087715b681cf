/**
 * HTTP plumbing of `llmbench serve`: JSON bodies read under a size limit, JSON answers, and every
 * failure as `{ "error": { "code", "message" } }` with a 4xx status a client can act on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { redactSecrets } from '../results/redact.js'

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

/** Headers on every answer: nothing is cached, sniffed, framed or sent on as a referrer. */
export const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const

/** Bytes of a body discarded after a 413 before the connection is cut: enough for the client to read the answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024
/**
 * Deepest nesting of arrays and objects a body may have. A result document nests about 8 deep;
 * code that walks JSON recursively (validation, redaction) would overflow the stack on 200,000.
 */
export const MAX_JSON_DEPTH = 100

/** The request's JSON body: 415 unless it says JSON, 413 past `limit` bytes, 400 when it does not parse. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') {
    throw new ApiError(415, 'unsupported-media-type', `send the body as JSON with content-type: application/json${type ? `, not ${type}` : ''}`)
  }
  const tooLarge = () => new ApiError(413, 'body-too-large', `the body is larger than the limit of ${formatBytes(limit)}`)
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    drain(req)
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) {
      drain(req)
      throw tooLarge()
    }
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text.trim()) throw new ApiError(400, 'bad-json', 'the body is empty: send a JSON object')
  if (nestingOver(text, MAX_JSON_DEPTH)) throw new ApiError(400, 'too-deep', `the body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ApiError(400, 'bad-json', `the body is not valid JSON: ${(err as Error).message.split('\n')[0]}`)
  }
}

/** Whether JSON text nests `[` and `{` deeper than `max` (brackets inside strings do not count). One pass, no parse. */
export function nestingOver(text: string, max: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // A string: skip to its closing quote, past escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** Reads and drops the rest of a refused body, so the client sees the 413 rather than a reset; a flood is cut. */
function drain(req: IncomingMessage): void {
  let dropped = 0
  req.on('data', (c: Buffer) => {
    dropped += c.length
    if (dropped > DRAIN_LIMIT) req.socket.destroy()
  })
  req.resume()
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Any error as the JSON error body; messages pass the redaction of secrets on the way out. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const e = err instanceof ApiError ? err : new ApiError(500, 'internal', `internal error: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`)
  const headers = { ...e.headers, ...(e.status === 413 ? { connection: 'close' } : {}) }
  sendJson(res, e.status, { error: { code: e.code, message: redactSecrets(e.message) } }, headers)
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : `${+(n / 1024).toFixed(1)} KiB`
}
