// `llmbench serve` under the failure modes of issue 20, items 12-14 and 16-20: secrets in URLs,
// bodies and cut excerpts kept out of every answer, stream, log and stored file; a stalled server
// thread that must not reach a run's requests; symlinks out of the project; bodies nested too
// deep; a full queue; stores that cannot be written; and loopback addresses without a token.
// All traffic stays on 127.0.0.x.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateConfig } from '../src/config/index.js'
import { FileStore } from '../src/store/file.js'
import { MAX_QUEUED } from '../src/serve/queue.js'
import { startServe, type RunningServer } from '../src/serve/server.js'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { runCli } from './helpers/cli.js'
import { raw } from './helpers/raw-http.js'
import { call, follow, waitFor } from './helpers/serve.js'

const API = '/api/v1/benchmark'
const PASSWORD = 'pa55-URL-word-8d2e'
const BODY_TOKEN = 'tok-BODY-6a7b8c9d0e'
const CUT_SECRET = 'hdr-SECRET-cutvalue-3f4a5b'
const SMALL = { concurrency: [1], requests: 3, input: { tokens: 16 }, output: { tokens: 8 } }

let sim: SpawnedSimulator
let echo: Server
let serve: RunningServer
let base: string
const dir = mkdtempSync(join(tmpdir(), 'llmbench-serve-hard-'))
const logs: string[] = []
/** Every answer and stream a test read, for the search for secrets. */
const seen: string[] = []

async function api(method: string, path: string, body?: unknown) {
  const a = await call(base, method, path, body)
  seen.push(a.text)
  return a
}

async function followed(id: string) {
  const f = await follow(base, id)
  seen.push(f.text)
  return f.events.at(-1)!.json.run
}


beforeAll(async () => {
  // A fixed, short latency: any request much slower than it was slowed by the client.
  sim = await spawnSimulator({ prefillBaseMs: 20, prefillMsPerToken: 0, decodeBaseMs: 4, decodeMsPerSeq: 0 })
  // Fails every request with a body echoing the x-auth header where the excerpt's cut at 200 splits it.
  echo = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"sim-model"}]}')
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${'e'.repeat(185)} x-auth=${req.headers['x-auth']} and the rest of the error`)
    })
  })
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
  const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
  const config = validateConfig({
    servers: {
      sim: { url: sim.url, model: 'sim-model' },
      simpw: { url: sim.url.replace('http://', `http://bench-user:${PASSWORD}@`), model: 'sim-model' },
      echo: { url: echoUrl, model: 'sim-model', headers: { 'x-auth': CUT_SECRET } },
    },
  }, { cwd: dir })
  serve = await startServe({ config, store: new FileStore(join(dir, 'store')), port: 0, log: (l) => logs.push(l) })
  base = serve.url
})

afterAll(async () => {
  await serve?.close()
  await sim?.close()
  await new Promise((r) => echo?.close(r))
  rmSync(dir, { recursive: true, force: true })
})

describe('secrets in serve (items 12-14)', () => {
  it('a password in a config server\'s URL, secret-named body fields and a secret split by the excerpt\'s cut reach no answer, stream, log or file', async () => {
    const servers = (await api('GET', `${API}/servers`)).body.servers
    const shown = sim.url.replace('http://', 'http://bench-user:***@')
    expect(servers.find((s: any) => s.name === 'simpw').url).toBe(shown)

    const started = await api('POST', `${API}/run`, { ...SMALL, server: 'simpw', body: { temperature: 0, auth: { token: BODY_TOKEN } } })
    expect(started.status, started.text).toBe(202)
    expect(started.body.run.servers).toEqual([shown])
    expect(await followed(started.body.id)).toMatchObject({ status: 'measured' })
    const result = (await api('GET', `${API}/result/${started.body.id}`)).body
    expect(result.scenario.server).toBe(shown)
    expect(result.scenario.body).toEqual({ temperature: 0, auth: { token: '***' } })
    expect(result.levels[0].summary.requests.succeeded).toBe(3)

    const cut = await api('POST', `${API}/run`, { ...SMALL, server: 'echo' })
    expect(await followed(cut.body.id)).toMatchObject({ status: 'measured' })
    const failed = (await api('GET', `${API}/result/${cut.body.id}`)).body.levels[0].records.find((r: any) => r.outcome === 'http')
    expect(failed.error.message).toMatch(/^e+ x-auth=\*\*\* and/)

    for (const path of [`${API}/history`, `${API}/run/${started.body.id}`, `${API}/report/${started.body.id}`, `${API}/report/${cut.body.id}`]) await api('GET', path)
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [readFileSync(join(d, e.name), 'utf8')]))
    for (const text of [...seen, ...files(join(dir, 'store')), ...logs]) {
      for (const secret of [PASSWORD, BODY_TOKEN, 'hdr-SECRET', 'SECRET-cu']) expect(text).not.toContain(secret)
    }
  })
})

describe('a stalled server thread (item 16)', () => {
  it('does not reach the requests of a run: they measure in a thread of their own', async () => {
    const started = await api('POST', `${API}/run`, { server: 'sim', concurrency: [4], requests: 160, input: { tokens: 16 }, output: { tokens: 16 } })
    await waitFor('the run to measure', async () => ((await call(base, 'GET', `${API}/run/${started.body.id}`)).body.progress?.levels[0]?.done > 8 ? true : undefined))
    // What a 31 MB upload does to this thread, for 3 s: parse, validate, redact, write.
    const until = Date.now() + 3000
    while (Date.now() < until) { /* the server's thread is busy */ }
    expect(await followed(started.body.id)).toMatchObject({ status: 'measured' })
    const summary = (await api('GET', `${API}/result/${started.body.id}`)).body.levels[0].summary
    expect(summary.requests.succeeded).toBe(160)
    // Requests take about 100 ms; one in flight during the stall would have taken 3 s.
    expect(summary.stats.e2e.max).toBeLessThan(1500)
    expect(summary.stats.ttft.max).toBeLessThan(1500)
    expect(summary.client.eventLoopDelayMaxMs).toBeLessThan(1500)
  })
})

describe('dataset paths (item 17)', () => {
  it('are checked after symbolic links are resolved', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'llmbench-outside-'))
    try {
      writeFileSync(join(outside, 'prompts.txt'), 'a prompt from outside the project\n')
      symlinkSync(join(outside, 'prompts.txt'), join(dir, 'linked.txt'))
      symlinkSync(outside, join(dir, 'linked-dir'))
      symlinkSync('/etc/passwd', join(dir, 'passwd.txt'))
      for (const dataset of ['linked.txt', 'linked-dir/prompts.txt', 'passwd.txt', 'linked-dir/missing.txt', { path: 'passwd.txt', format: 'text' }]) {
        const a = await api('POST', `${API}/run`, { ...SMALL, server: 'sim', dataset })
        expect([a.status, a.body.error?.code], JSON.stringify(dataset)).toEqual([403, 'path-not-allowed'])
      }
      expect((await api('POST', `${API}/run`, { ...SMALL, server: 'sim', tokenizer: 'linked-dir/tokenizer.json' })).status).toBe(403)
      // A real file of the project, reached through a link that stays inside, is fine.
      mkdirSync(join(dir, 'data'))
      writeFileSync(join(dir, 'data', 'prompts.txt'), 'one prompt\nanother prompt\n')
      symlinkSync(join(dir, 'data'), join(dir, 'data-link'))
      const ok = await api('POST', `${API}/run`, { ...SMALL, server: 'sim', dataset: 'data-link/prompts.txt' })
      expect(ok.status, ok.text).toBe(202)
      expect(await followed(ok.body.id)).toMatchObject({ status: 'measured' })
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})

describe('bad input and limits (item 18)', () => {
  it('answers 400 to a body nested 200,000 deep, on every route that reads JSON', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    // 100,000 objects deep: 600 KB, under the 1 MiB limit of a run request.
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)
    for (const [path, body] of [[`${API}/run`, deep], [`${API}/result`, deep], [`${API}/compare`, deepObject], [`${API}/run`, `{"server":"sim","body":${deepObject}}`]]) {
      const a = await raw(base, 'POST', path, body)
      expect([a.status, JSON.parse(a.text).error.code], path).toEqual([400, 'too-deep'])
    }
    // Brackets inside strings are text, not nesting.
    const a = await api('POST', `${API}/run`, { ...SMALL, server: 'sim', name: '['.repeat(150) })
    expect(a.status, a.text).toBe(202)
    await followed(a.body.id)
  })

  it(`keeps at most ${MAX_QUEUED} runs waiting: 429 past that`, async () => {
    const running = (await api('POST', `${API}/run`, { server: 'sim', concurrency: [1], duration: '60s', input: { tokens: 16 }, output: { tokens: 16 } })).body.id
    const queued: string[] = []
    try {
      for (let i = 0; i < MAX_QUEUED; i++) {
        const a = await api('POST', `${API}/run`, { ...SMALL, server: 'sim' })
        expect(a.status, `run ${i}`).toBe(202)
        queued.push(a.body.id)
      }
      const full = await api('POST', `${API}/run`, { ...SMALL, server: 'sim' })
      expect([full.status, full.body.error.code]).toEqual([429, 'queue-full'])
      expect(full.headers.get('retry-after')).toBe('60')
      expect((await api('GET', '/api/v1/health')).body.queued).toBe(MAX_QUEUED)
    } finally {
      for (const id of [...queued, running]) await api('DELETE', `${API}/run/${id}`)
    }
    expect((await api('GET', '/api/v1/health')).body).toMatchObject({ running: null, queued: 0 })
  })

  it('refuses at start, in one line, a store that is a file or cannot be written (none spins in mkdir)', async () => {
    const file = join(dir, 'a-file.json')
    writeFileSync(file, '{}')
    for (const [store, why] of [[file, /it is a file, not a folder/], ['/proc/llmbench-no-such/store', /cannot be created or written \(ENOENT\)/], ['/proc', /cannot be created or written/]] as const) {
      const r = await runCli(['serve', '--port', '0', '--store', store], {}, 20_000)
      expect(r.code, r.stdout + r.stderr).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^llmbench: the store \S+ cannot be used: /)
      expect(r.stderr).toMatch(why)
    }
  })
})

describe('loopback without a token (item 20)', () => {
  it('is any 127.0.0.0/8 address, ::1 or localhost, in the code and in docs/serve.md', async () => {
    const config = validateConfig({ servers: { sim: { url: sim.url, model: 'sim-model' } } }, { cwd: dir })
    const other = await startServe({ config, store: new FileStore(join(dir, 'store-2')), host: '127.0.0.2', port: 0 })
    try {
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
      expect((await call(other.url, 'GET', `${API}/history`)).status).toBe(200)
      const rebound = await raw(other.url, 'GET', `${API}/history`, undefined, { host: 'evil.example' })
      expect(JSON.parse(rebound.text).error.message).toMatch(/answers only to loopback names \(localhost, 127\.x\.x\.x, ::1\)/)
    } finally {
      await other.close()
    }
    const doc = readFileSync(new URL('../docs/serve.md', import.meta.url), 'utf8')
    expect(doc).toMatch(/On any loopback address \(`127\.0\.0\.0\/8`, `::1`, `localhost`\)/)
  })
})
