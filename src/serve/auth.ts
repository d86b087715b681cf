/**
 * Who may use `llmbench serve`. On a loopback address, anyone on this machine (browsers excepted:
 * a page from another site can neither pass the Host check, which stops DNS rebinding, nor the
 * Origin check on writes). On any other address only holders of the access token, sent as
 * `Authorization: Bearer <token>` and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { IncomingMessage } from 'node:http'
import { UsageError } from '../errors.js'
import { ApiError } from './http.js'

export const TOKEN_ENV = 'LLMBENCH_SERVE_TOKEN'
export const MIN_TOKEN_LENGTH = 16

/**
 * Loopback: `localhost`, `::1` and all of 127.0.0.0/8. Every address of that block is this
 * machine's own (RFC 1122: packets to it never leave the host), so `--host 127.0.0.2` is as
 * private as 127.0.0.1 and needs no token either.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))
}

/** The token to require, or undefined on loopback without one; throws the one-line reason it cannot start. */
export function checkListenSecurity(host: string, given: string | undefined): string | undefined {
  const token = given || undefined
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(`the access token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`)
  }
  if (!token && !isLoopback(host)) {
    throw new UsageError(
      `--host ${host} is not a loopback address: anyone who can reach it could start runs, so llmbench serve needs an access token there ` +
        `(set ${TOKEN_ENV} or pass --token, at least ${MIN_TOKEN_LENGTH} characters)`,
    )
  }
  return token || undefined
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

export class Access {
  private readonly expected?: Buffer

  constructor(token: string | undefined, private readonly loopbackOnly: boolean) {
    if (token) this.expected = digest(token)
  }

  get tokenRequired(): boolean {
    return this.expected !== undefined
  }

  /** Throws the 4xx a request gets when it may not use the API. */
  check(req: IncomingMessage, api: boolean): void {
    this.checkHost(req)
    if (req.method !== 'GET' && req.method !== 'HEAD') this.checkOrigin(req)
    if (!api || !this.expected) return
    const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''))
    const challenge = { 'www-authenticate': 'Bearer realm="llmbench"' }
    if (!m) throw new ApiError(401, 'unauthorized', 'this server needs its access token: send Authorization: Bearer <token>', challenge)
    // Digests of equal length, compared in constant time: neither the token nor its length leaks.
    if (!timingSafeEqual(digest(m[1]), this.expected)) throw new ApiError(401, 'unauthorized', 'the access token is wrong', challenge)
  }

  /** A loopback server answers only to loopback names: a rebound DNS name pointing here is refused. */
  private checkHost(req: IncomingMessage): void {
    if (!this.loopbackOnly) return
    const host = String(req.headers.host ?? '')
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
    if (!isLoopback(name)) throw new ApiError(403, 'bad-host', `this server listens on loopback and answers only to loopback names (localhost, 127.x.x.x, ::1), not ${JSON.stringify(host.slice(0, 60))}`)
  }

  /** Writes from a browser must come from the dashboard itself. */
  private checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin
    if (origin === undefined) return
    let same = false
    try {
      same = new URL(origin).host === req.headers.host
    } catch {
      same = false
    }
    if (!same) throw new ApiError(403, 'cross-origin', 'requests from other sites are refused: use the dashboard this server serves, or a client without an Origin header')
  }
}
