/**
 * The servers API-started runs may target: the config's named `servers`, plus the URLs of
 * `serve.allow`. Anything else is refused, so the API cannot be turned against arbitrary hosts
 * (cloud metadata addresses, internal services) on the server's behalf.
 */
import type { ServerConfig } from '../config/define.js'
import { redactUrlCredentials } from '../results/redact.js'

export interface AllowedServer {
  /** The config's name for it, when it has one. */
  name?: string
  url: string
  model?: string
  endpoint?: string
}

interface Parsed {
  protocol: string
  host: string
  path: string
}

function parse(text: string): (Parsed & { credentials: boolean }) | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  return { protocol: url.protocol, host: url.host.toLowerCase(), path: url.pathname.replace(/\/+$/, ''), credentials: !!(url.username || url.password) }
}

export class AllowList {
  private readonly entries: AllowedServer[]
  private readonly parsed: Parsed[]

  constructor(servers: Record<string, ServerConfig>, extra: string[] = []) {
    this.entries = [
      ...Object.entries(servers).map(([name, s]) => ({ name, url: s.url, ...(s.model ? { model: s.model } : {}), ...(s.endpoint ? { endpoint: s.endpoint } : {}) })),
      ...extra.map((url) => ({ url })),
    ]
    this.parsed = this.entries.flatMap((e) => parse(e.url) ?? [])
    this.named = new Set(Object.values(servers).map((s) => s.url))
  }

  private readonly named: Set<string>

  /** The entries as the API shows them: a password in a URL as `***`. */
  list(): AllowedServer[] {
    return this.entries.map((e) => ({ ...e, url: redactUrlCredentials(e.url) }))
  }

  get size(): number {
    return this.entries.length
  }

  /**
   * Same scheme, host and port as an entry, and a path at or under the entry's path. A URL with
   * credentials only as a named server of the config has it (they are redacted from everything
   * the run writes); a request cannot bring its own.
   */
  permits(url: string): boolean {
    const p = parse(url)
    if (!p) return false
    if (p.credentials) return this.named.has(url)
    return this.parsed.some((e) => e.protocol === p.protocol && e.host === p.host && (p.path === e.path || p.path.startsWith(`${e.path}/`)))
  }
}
