/**
 * `llmbench serve` in-process: the store opened (its migrations run), runs left in flight by a
 * previous process marked interrupted, the run queue, and a node:http server with the dashboard
 * at `/` and the API under /api/v1. `close()` stops it cleanly: the running benchmark is aborted
 * and kept as interrupted, open streams end, the store is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { ResolvedConfig } from '../config/index.js'
import { UsageError } from '../errors.js'
import { renderLivePage } from '../report/page.js'
import { redactSecrets, rememberSecrets } from '../results/redact.js'
import type { ResultStore } from '../store/store.js'
import { FileStore } from '../store/file.js'
import { unwritableDir } from '../dirs.js'
import { recoverRuns } from './recover.js'
import { AllowList } from './allow.js'
import { Access, checkListenSecurity, isLoopback } from './auth.js'
import { Changes } from './changes.js'
import { describeResult } from '../report/digest.js'
import { ApiError, BASE_HEADERS, sendError } from './http.js'
import { RunQueue } from './queue.js'
import { API, checkId, ROUTES, type Route, type ServeContext } from './routes.js'

export const DEFAULT_PORT = 8085
export const REQUEST_LIMIT = 1024 * 1024
export const UPLOAD_LIMIT = 32 * 1024 * 1024
export const INTERRUPTED_BY_RESTART = 'llmbench serve stopped before the run finished'

export interface ServeOptions {
  config: ResolvedConfig
  store: ResultStore
  host?: string
  port?: number
  token?: string
  uploadLimit?: number
  /** Where running runs write their records files; default: the store folder's `.runs`, or `.llmbench/serve-records` beside the config for PostgreSQL. */
  recordsDir?: string
  log?: (line: string) => void
}

export interface RunningServer {
  url: string
  server: Server
  queue: RunQueue
  store: ResultStore
  close(): Promise<void>
}

export async function startServe(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1'
  const token = checkListenSecurity(host, o.token)
  if (token) rememberSecrets([token])
  // Every line passes the redaction on its way out, whoever prints it.
  const log = (line: string) => o.log?.(redactSecrets(line))
  // Runs settled or rebuilt below, and those the command line wrote into the history folder, are listed with their digest too.
  o.store.describe ??= describeResult
  const recordsDir = o.recordsDir ?? recordsDirOf(o.store, o.config)
  const why = unwritableDir(recordsDir)
  if (why) throw new UsageError(`the folder for the records of running runs, ${recordsDir}, cannot be used: ${why}`)
  const interrupted = await o.store.markInterrupted(INTERRUPTED_BY_RESTART)
  if (interrupted.length) log(`${interrupted.length} run(s) left in flight by the previous server marked interrupted: ${interrupted.join(', ')}`)
  const rebuilt = await recoverRuns(o.store, recordsDir, interrupted, log)
  if (rebuilt.length) log(`${rebuilt.length} of them rebuilt from their records files: ${rebuilt.join(', ')}`)
  const changes = new Changes()
  const queue = new RunQueue(o.store, log, recordsDir, changes)
  const ctx: ServeContext = {
    store: o.store,
    queue,
    changes,
    config: o.config,
    allow: new AllowList(o.config.servers, o.config.serve?.allow),
    limits: { request: REQUEST_LIMIT, upload: o.uploadLimit ?? UPLOAD_LIMIT },
  }
  const access = new Access(token, isLoopback(host))
  const page = renderLivePage({ mode: 'live', api: API })
  const server = createServer((req, res) => {
    handle(ctx, access, page, req, res).catch((err) => sendError(res, err))
  })
  await listen(server, o.port ?? DEFAULT_PORT, host)
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  let closing: Promise<void> | undefined
  return {
    url, server, queue, store: o.store,
    close: () => (closing ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()))
      await queue.stop()
      server.closeAllConnections()
      await closed
      await o.store.close()
    })()),
  }
}

async function handle(ctx: ServeContext, access: Access, page: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://localhost')
  } catch {
    throw new ApiError(400, 'bad-path', 'the request path is not a valid URL path')
  }
  const api = url.pathname.startsWith(`${API}/`)
  if (!api) {
    access.check(req, false)
    if (url.pathname !== '/' && url.pathname !== '/index.html') throw new ApiError(404, 'not-found', `nothing at ${url.pathname.slice(0, 80)}: the dashboard is at /, the API under ${API}`)
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'method-not-allowed', 'the dashboard answers GET only', { allow: 'GET, HEAD' })
    // The page's own meta policy governs scripts; this one adds what a meta tag cannot (framing).
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "frame-ancestors 'none'" })
    return void res.end(req.method === 'HEAD' ? undefined : page)
  }
  const match = route(url.pathname, req.method ?? 'GET')
  access.check(req, !match.route.open)
  await match.route.handle(ctx, req, res, match.params, url)
}

const compiled = ROUTES.map((r) => ({
  route: r,
  names: [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
  pattern: new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '([^/]+)')}$`),
}))

function route(path: string, method: string): { route: Route; params: Record<string, string> } {
  const matches = compiled.flatMap((c) => {
    const m = c.pattern.exec(path)
    return m ? [{ c, m }] : []
  })
  if (!matches.length) throw new ApiError(404, 'not-found', `no API route ${path.slice(0, 80)} (GET ${API}/openapi.json describes them)`)
  const hit = matches.find(({ c }) => c.route.method === method || (method === 'HEAD' && c.route.method === 'GET'))
  if (!hit) {
    const allow = matches.map(({ c }) => c.route.method).join(', ')
    throw new ApiError(405, 'method-not-allowed', `${method} is not allowed on ${path.slice(0, 80)}: use ${allow}`, { allow })
  }
  const params: Record<string, string> = {}
  hit.c.names.forEach((name, i) => {
    let value: string
    try {
      value = decodeURIComponent(hit.m[i + 1])
    } catch {
      throw new ApiError(400, 'invalid-id', 'the id in the path is not valid percent-encoding')
    }
    params[name] = name === 'id' ? checkId(value) : value
  })
  return { route: hit.c.route, params }
}

/** The records of running runs stay on this machine: in the history folder, or beside the config when the store is a database. */
function recordsDirOf(store: ResultStore, config: ResolvedConfig): string {
  return store instanceof FileStore ? join(store.dir, '.runs') : join(config.root, '.llmbench', 'serve-records')
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EADDRINUSE' ? new UsageError(`port ${port} on ${host} is in use: pass another --port, or 0 for a free one`)
        : err.code === 'EADDRNOTAVAIL' ? new UsageError(`--host ${host} is not an address of this machine`) : err)
    })
    server.listen(port, host, () => ok())
  })
}
