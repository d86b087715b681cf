/**
 * `llmbench show-report [dir]`: serves a report folder on localhost (node:http, read-only, nothing
 * outside the folder) and opens the browser, until Ctrl-C.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { openInBrowser } from '../report/open.js'
import { DEFAULT_REPORT_DIR } from '../report/run-outputs.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
}

export function showReportCommand(y: Argv) {
  return y
    .positional('dir', { type: 'string', default: DEFAULT_REPORT_DIR, describe: 'Report folder (or its .html file)' })
    .option('port', { type: 'number', default: 0, describe: 'Port to listen on (0: a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('open', { type: 'boolean', default: true, describe: 'Open the browser (--no-open to only serve)' })
}

export async function showReportHandler(a: Record<string, unknown>): Promise<number> {
  const target = resolve(String(a.dir ?? DEFAULT_REPORT_DIR))
  const isFile = existsSync(target) && statSync(target).isFile()
  const root = isFile ? dirname(target) : target
  const page = isFile ? basename(target) : 'index.html'
  if (!existsSync(join(root, page))) {
    throw new UsageError(`no report at ${join(root, page)}: write one with llmbench report <result.json> or the html reporter, then pass its folder`)
  }
  const port = Number(a.port ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${a.port}`)
  const server = createServer((req, res) => {
    let path: string
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    } catch {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n')
    }
    const file = resolve(root, `.${path.endsWith('/') ? path + page : path}`)
    const inside = file === root || file.startsWith(root + sep)
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end()
    if (!inside || relative(root, file).split(sep).includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file).pipe(res)
  })
  await listen(server, port, String(a.host))
  const address = server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  const host = String(a.host).includes(':') ? `[${a.host}]` : String(a.host)
  const url = `http://${host}:${actual}/${page === 'index.html' ? '' : encodeURIComponent(page)}`
  process.stdout.write(`Serving ${root} at ${url} (Ctrl-C to stop)\n`)
  if (a.open !== false) openInBrowser(url)
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      server.close(() => done())
      server.closeAllConnections()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  return EXIT.OK
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EADDRINUSE' ? new UsageError(`port ${port} on ${host} is in use: pass another --port, or 0 for a free one`) : err)
    })
    server.listen(port, host, () => ok())
  })
}
