// `llmbench serve`'s API against the built-in simulator: runs started, followed live and kept;
// uploads, comparison, deletion; every 4xx a client can cause; the token; secrets that must never
// show; and the command itself stopped by SIGTERM and killed mid-run. All traffic stays on 127.0.0.1.
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { UsageError } from '../src/errors.js'
import { FileStore } from '../src/store/file.js'
import { applyEvent, emptyProgress, type LiveEvent } from '../src/serve/progress.js'
import { ROUTES } from '../src/serve/routes.js'
import { AllowList } from '../src/serve/allow.js'
import { startServe } from '../src/serve/server.js'
import { validateConfig } from '../src/config/index.js'
import { openApiDocument } from '../src/serve/openapi.js'
import { buildReportData } from '../src/report/data.js'
import { renderReportPage } from '../src/report/page.js'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { runCli, startCli } from './helpers/cli.js'
import { raw, sse } from './helpers/raw-http.js'
import { schemaErrors } from './helpers/schema.js'
import { call, FAST_SIM, follow, openApiValidator, startTestServe, type TestServe, waitFor } from './helpers/serve.js'

const API = '/api/v1/benchmark'
const SMALL = { server: 'sim', concurrency: [1, 2], requests: 6, input: { tokens: 16 }, output: { tokens: 8 } }
/** Long enough to still be running when the test acts on it. */
const LONG = { server: 'sim', concurrency: [1], duration: '60s', input: { tokens: 16 }, output: { tokens: 64 } }

let sim: SpawnedSimulator
let serve: TestServe
let base: string
const check = openApiValidator()
/** Every answer a test got, for the check that no secret was ever in one. */
const seen: string[] = []

async function api(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const answer = await call(base, method, path, body, headers)
  seen.push(answer.text)
  return answer
}

/** The answer matches its schema in the OpenAPI document. */
function conforms(path: string, method: string, a: { status: number; body: unknown }) {
  expect(check(path, method, a.status, a.body), `${method} ${path} ${a.status}: ${JSON.stringify(check(path, method, a.status, a.body)).slice(0, 600)}`).toEqual([])
}


beforeAll(async () => {
  sim = await spawnSimulator(FAST_SIM)
  serve = await startTestServe(sim.url, { uploadLimit: 256 * 1024 })
  base = serve.url
})

afterAll(async () => {
  await serve?.close()
  await sim?.close()
  if (serve) rmSync(serve.dir, { recursive: true, force: true })
})

describe('llmbench serve: the API', () => {
  it('describes every route in its OpenAPI 3.1 document', async () => {
    const doc = (await api('GET', '/api/v1/openapi.json')).body
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())))
    expect(doc.openapi).toBe('3.1.0')
    for (const r of ROUTES) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined()
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).filter((k) => k !== 'parameters').map((m) => `${m.toUpperCase()} ${p}`))
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort())
    // Every reference inside it resolves (the embedded result schemas included).
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g)!.map((m) => m.slice(8, -1))
    for (const ref of new Set(refs)) {
      const target = ref.slice(2).split('/').reduce<any>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
      expect(target, ref).toBeDefined()
    }
    conforms('/api/v1/health', 'GET', await api('GET', '/api/v1/health'))
    const servers = await api('GET', `${API}/servers`)
    conforms(`${API}/servers`, 'GET', servers)
    expect(servers.body.servers).toEqual([{ name: 'sim', url: sim.url, model: 'sim-model' }])
  })

  it('serves the dashboard: the viewer in live mode, the only page allowed to connect (to its own origin)', async () => {
    const policy = (html: string) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]
    const page = await api('GET', '/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'")
    expect(page.text).toContain('<script id="llmbench-data" type="application/json">{"mode":"live","api":"/api/v1"}</script>')
    expect(policy(page.text)).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; .*; connect-src 'self'$/)
    const report = renderReportPage(buildReportData([{ result: { kind: 'run', doc: syntheticRunResult({ requests: 4, concurrency: [1] }) } }]))
    expect(policy(report)).not.toContain('connect-src')
    expect((await api('GET', '/other')).status).toBe(404)
  })

  let first: string
  it('runs a scenario: answers its id at once, streams its progress to the end, keeps a valid result', async () => {
    const started = await api('POST', `${API}/run`, { ...SMALL, name: 'small run', slo: { goodput: { ttft: 5000, min: 0.5 } } })
    expect(started.status).toBe(202)
    first = started.body.id
    const state = await api('GET', `${API}/run/${first}`)
    // Followed at once: the answers are checked against the OpenAPI schemas after (compiling them
    // takes long enough for this small run to end first, and a run that has ended streams no progress).
    const { events } = await follow(base, first)
    conforms(`${API}/run`, 'POST', started)
    expect(started.headers.get('location')).toBe(`${API}/run/${first}`)
    expect(started.body.run).toMatchObject({ status: 'queued', origin: 'api', name: 'small run', models: ['sim-model'], servers: [sim.url] })
    conforms(`${API}/run/{id}`, 'GET', state)

    const types = events.map((e) => e.event)
    expect(types[0]).toBe('snapshot')
    expect(types.at(-1)).toBe('end')
    expect(types.filter((t) => t === 'level-end')).toHaveLength(2 - (events[0].json.progress?.levels.filter((l: any) => l?.phase === 'done').length ?? 0))
    expect(check(`${API}/run/{id}`, 'GET', 200, events[0].json)).toEqual([])
    // Folding the events onto the snapshot gives every level, done, with every request counted.
    const progress = events[0].json.progress ?? emptyProgress(2)
    for (const e of events.slice(1, -1)) applyEvent(progress, e.json as LiveEvent)
    expect(progress.levels.map((l: any) => [l.phase, l.done, l.total])).toEqual([['done', 6, 6], ['done', 6, 6]])
    expect(progress.levels[1].samples).toHaveLength(6)
    const end = events.at(-1)!.json.run
    expect(end).toMatchObject({ id: first, status: 'measured', levels: 2, hasResult: true })

    const result = await api('GET', `${API}/result/${first}`)
    expect(schemaErrors(result.body)).toEqual([])
    conforms(`${API}/result/{id}`, 'GET', result)
    expect(result.body.levels.map((l: any) => l.summary.requests.succeeded)).toEqual([6, 6])
    expect(result.body.levels[0].summary.goodput.slo).toEqual({ ttft: 5000 })
    // The command is the request as sent: the same run can be started again from it.
    expect(result.body.command).toBe(`llmbench serve: POST /api/v1/benchmark/run ${JSON.stringify({ ...SMALL, name: 'small run', slo: { goodput: { ttft: 5000, min: 0.5 } } })}`)
    expect(result.body.scenario.slo.goodput.min).toBe(0.5)
    const report = await api('GET', `${API}/report/${first}`)
    conforms(`${API}/report/{id}`, 'GET', report)
    expect(report.body.runs[0].label).toBe('small run')

    const history = await api('GET', `${API}/history`)
    conforms(`${API}/history`, 'GET', history)
    expect(history.body.runs[0]).toMatchObject({ id: first, status: 'measured' })
    // It is a history file like any other: `llmbench report --history` sees it.
    expect(readdirSync(join(serve.dir, 'store'))).toContain(`${first}.json`)
  })

  it('takes results uploaded by CI, lists them with filters, and compares runs', async () => {
    const uploaded = await api('POST', `${API}/result?name=nightly`, syntheticRunResult({ requests: 8, concurrency: [1, 2], model: 'sim-model', server: sim.url, startedAt: '2026-01-02T03:04:05.000Z' }))
    expect(uploaded.status).toBe(201)
    conforms(`${API}/result`, 'POST', uploaded)
    expect(uploaded.body.run).toMatchObject({ origin: 'upload', name: 'nightly', status: 'measured', startedAt: '2026-01-02T03:04:05.000Z' })
    const suite = await api('POST', `${API}/result`, syntheticSuiteResult({ requests: 8, concurrency: [2], startedAt: '2026-01-03T00:00:00.000Z' }))
    expect(suite.status).toBe(201)
    expect(suite.body.run).toMatchObject({ kind: 'suite', status: 'passed' })

    const ids = async (query: string) => (await api('GET', `${API}/history?${query}`)).body.runs.map((r: any) => r.id)
    expect(await ids('q=NIGHTLY')).toEqual([uploaded.body.id])
    expect(await ids('status=passed')).toEqual([suite.body.id])
    expect(await ids('model=sim-model&to=2026-06-01')).toEqual([uploaded.body.id])
    expect(await ids('limit=1&offset=1')).toHaveLength(1)

    const compared = await api('POST', `${API}/compare`, { ids: [uploaded.body.id, first] })
    expect(compared.status).toBe(200)
    conforms(`${API}/compare`, 'POST', compared)
    const [against] = compared.body.report.comparison.against
    expect(against.levels.map((l: any) => [l.scenario, l.load.value])).toEqual([['run', 1], ['run', 2]])
    expect(against.headline).toMatch(/equivalent/)
    expect(compared.body.report.runs.map((r: any) => r.label)).toEqual(['nightly', 'small run'])
  })

  it('marks one baseline per scenario, and tells open list streams of every change', async () => {
    const stop = new AbortController()
    const res = await fetch(`${base}${API}/events`, { signal: stop.signal })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    let text = ''
    const reading = (async () => {
      const decoder = new TextDecoder()
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true })
    })().catch(() => {})
    const events = () => sse(text).map((e) => ({ event: e.event, json: JSON.parse(e.data) }))
    try {
      await waitFor('hello', async () => (events()[0]?.event === 'hello' ? true : undefined))
      const doc = (day: number) => syntheticRunResult({ requests: 8, concurrency: [1, 2], model: 'baseline-model', server: sim.url, startedAt: `2026-02-0${day}T00:00:00.000Z` })
      const a = (await api('POST', `${API}/result?name=a`, doc(1))).body.id
      const b = (await api('POST', `${API}/result?name=b`, doc(2))).body.id
      const marked = await api('PUT', `${API}/run/${a}/baseline`)
      expect(marked.status).toBe(200)
      conforms(`${API}/run/{id}/baseline`, 'PUT', marked)
      expect(marked.body.run).toMatchObject({ id: a, baseline: true })
      // A later run of the scenario is judged against it; the baseline itself is not.
      const verdict = await api('GET', `${API}/run/${b}/verdict`)
      conforms(`${API}/run/{id}/verdict`, 'GET', verdict)
      expect(verdict.body.verdict.baseline).toBe(a)
      expect(verdict.body.verdict.headline).toMatch(/\d+ (equivalent|inconclusive|regressed|improved)/)
      const counts = verdict.body.verdict.counts
      expect(counts.regressed + counts.improved + counts.equivalent + counts.inconclusive).toBeGreaterThan(0)
      expect((await api('GET', `${API}/run/${a}/verdict`)).body.verdict).toBeNull()
      // The same scenario has one baseline: marking b unmarks a.
      expect((await api('PUT', `${API}/run/${b}/baseline`)).body.run.baseline).toBe(true)
      expect((await api('GET', `${API}/run/${a}`)).body.run.baseline).toBe(false)
      expect((await api('GET', `${API}/history?model=baseline-model`)).body.runs.map((r: any) => [r.name, r.baseline])).toEqual([['b', true], ['a', false]])
      const unmarked = await api('DELETE', `${API}/run/${b}/baseline`)
      conforms(`${API}/run/{id}/baseline`, 'DELETE', unmarked)
      expect(unmarked.body.run.baseline).toBe(false)
      expect((await api('PUT', `${API}/run/no-such-run/baseline`)).status).toBe(404)
      await api('DELETE', `${API}/run/${a}`)
      const seenEvents = await waitFor('the deletion', async () => (events().some((e) => e.event === 'deleted') ? events() : undefined))
      expect(seenEvents.slice(1).map((e) => [e.event, e.json.run?.name ?? e.json.id, e.json.run?.baseline])).toEqual([
        ['run', 'a', undefined], ['run', 'b', undefined], ['run', 'a', true], ['run', 'a', false], ['run', 'b', true], ['run', 'b', false], ['deleted', a, undefined],
      ])
      // Each run carries its headline and key figures, for lists that never read a whole result.
      const digest = seenEvents[1].json.run.digest[0]
      expect(digest.key).toBe('run > baseline-model, 256 in / 128 out (chat)')
      expect(digest.headline[0].text).toMatch(/^Measured: goodput /)
      expect(digest.levels.map((l: any) => l.load)).toEqual([1, 2])
    } finally {
      stop.abort()
      await reading
    }
  })

  it('refuses bad requests with a 4xx and one clear line', async () => {
    const expectError = async (a: Awaited<ReturnType<typeof api>>, status: number, code: string, message?: RegExp) => {
      expect(a.status, a.text).toBe(status)
      expect(a.body.error.code).toBe(code)
      expect(a.body.error.message).not.toContain('\n')
      if (message) expect(a.body.error.message).toMatch(message)
    }
    await expectError(await api('POST', `${API}/run`, '{"server": "sim",'), 400, 'bad-json', /not valid JSON/)
    await expectError(await api('POST', `${API}/run`, 'server=sim', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type')
    await expectError(await api('POST', `${API}/run`, { ...SMALL, concurency: [4] }), 400, 'invalid-option', /^request body: unknown key "concurency", did you mean "concurrency"\?$/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, requests: 0 }), 400, 'invalid-option', /requests must be a whole number of at least 1/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, slo: { 'ttft.p95': '< 800' } }), 400, 'invalid-option', /objectives such as "ttft.p95" are checked by bench files/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, server: 'http://169.254.169.254' }), 403, 'server-not-allowed', /not on this server's allow-list \(sim\)/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, server: sim.url.replace('127.0.0.1', 'user:pw@127.0.0.1') }), 403, 'server-not-allowed')
    await expectError(await api('POST', `${API}/run`, { ...SMALL, server: 'nope' }), 400, 'invalid-option', /name of a server in the config/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, telemetry: { dcgmUrl: 'http://10.0.0.1:9400' } }), 403, 'server-not-allowed', /dcgmUrl/)
    await expectError(await api('POST', `${API}/run`, { ...SMALL, dataset: '/etc/passwd' }), 403, 'path-not-allowed')
    await expectError(await api('POST', `${API}/run`, [SMALL]), 400, 'invalid-request')
    for (const id of ['..%2F..%2Fetc', '..%2F..%2Fstore%2F.runs', '%2e%2e%2Fstore', 'a%2Fb', '..%5C..%5Cwin', '%E0%A4%A']) {
      await expectError(await api('GET', `${API}/run/${id}`), 400, 'invalid-id')
      await expectError(await api('GET', `${API}/result/${id}`), 400, 'invalid-id')
      await expectError(await api('DELETE', `${API}/run/${id}`), 400, 'invalid-id')
      await expectError(await api('GET', `${API}/run/${id}/events`), 400, 'invalid-id')
    }
    // Dot segments sent as they are: URL parsing folds them away, and what is left is no route.
    for (const path of [`${API}/result/..`, `${API}/result/%2e%2e`, `${API}/result/.%2E/..%2F..%2Fetc%2Fpasswd`, `${API}/report/../../../etc/passwd`]) {
      const a = await raw(base, 'GET', path)
      expect([400, 404], path).toContain(a.status)
      expect(JSON.parse(a.text).error.code).toMatch(/^(not-found|invalid-id)$/)
    }
    await expectError(await api('GET', `${API}/run/2020-01-01T00-00-00-000Z-abcdef`), 404, 'not-found')
    await expectError(await api('GET', `${API}/nothing`), 404, 'not-found')
    await expectError(await api('PUT', `${API}/run`), 405, 'method-not-allowed')
    await expectError(await api('GET', `${API}/history?colour=red`), 400, 'invalid-query', /unknown query parameter "colour"/)
    await expectError(await api('GET', `${API}/history?limit=0`), 400, 'invalid-query')
    await expectError(await api('GET', `${API}/history?status=done`), 400, 'invalid-query', /status must be one of/)
    await expectError(await api('POST', `${API}/compare`, { ids: [first] }), 400, 'invalid-request')
    await expectError(await api('POST', `${API}/compare`, { ids: [first, '2020-01-01T00-00-00-000Z-abcdef'] }), 404, 'not-found')
    await expectError(await api('POST', `${API}/result`, { hello: 'world' }), 400, 'not-a-result')
    const broken = syntheticRunResult({ requests: 4, concurrency: [1] }) as any
    delete broken.levels[0].summary.throughput
    await expectError(await api('POST', `${API}/result`, broken), 422, 'invalid-result', /\/levels\/0\/summary must have required property 'throughput'/)
    // Over the limit: refused from its declared length, and from its bytes when it declares none.
    const big = JSON.stringify({ pad: 'x'.repeat(300 * 1024) })
    await expectError(await api('POST', `${API}/result`, big), 413, 'body-too-large', /larger than the limit of 256 KiB/)
    const chunked = await fetch(`${base}${API}/result`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close() } }),
    } as RequestInit)
    expect(chunked.status).toBe(413)
    await expectError(await api('POST', `${API}/run`, JSON.stringify({ ...SMALL, body: { pad: 'x'.repeat(1024 * 1024) } })), 413, 'body-too-large')
    // A page from another site, or reached under a rebound DNS name, is refused.
    await expectError(await api('POST', `${API}/run`, SMALL, { origin: 'http://evil.example' }), 403, 'cross-origin')
    const rebound = await raw(base, 'GET', `${API}/history`, undefined, { host: 'evil.example:8085' })
    expect([rebound.status, JSON.parse(rebound.text).error.code]).toEqual([403, 'bad-host'])
    expect((await raw(base, 'GET', `${API}/history`, undefined, { host: 'localhost' })).status).toBe(200)
  })

  it('ends a run that cannot start as an error that says why, without a result', async () => {
    const started = await api('POST', `${API}/run`, { ...SMALL, model: 'no-such-model' })
    expect(started.status).toBe(202)
    const { events } = await follow(base, started.body.id)
    const run = events.at(-1)!.json.run
    expect(run).toMatchObject({ status: 'error', hasResult: false })
    expect(run.error).toMatch(/no-such-model/)
    const result = await api('GET', `${API}/result/${started.body.id}`)
    expect([result.status, result.body.error.code]).toEqual([404, 'no-result'])
    expect(result.body.error.message).toContain('ended without a result (error: ')
    expect(await api('DELETE', `${API}/run/${started.body.id}`)).toMatchObject({ status: 200 })
  })

  it('deletes runs: a finished one with its result, a queued one, and a running one (aborted first)', async () => {
    const running = (await api('POST', `${API}/run`, { ...LONG, name: 'long' })).body.id
    const queued = (await api('POST', `${API}/run`, { ...SMALL, name: 'waits' })).body.id
    await waitFor('the long run to measure', async () => {
      const s = await api('GET', `${API}/run/${running}`)
      return s.body.progress?.levels[0]?.done > 0 ? true : undefined
    })
    const waiting = await api('GET', `${API}/run/${queued}`)
    expect(waiting.body).toMatchObject({ run: { status: 'queued' }, position: 1 })
    expect((await api('GET', `${API}/result/${running}`)).status).toBe(409)

    const stream = follow(base, running)
    expect((await api('DELETE', `${API}/run/${queued}`)).body).toEqual({ deleted: queued })
    const deleted = await api('DELETE', `${API}/run/${running}`)
    conforms(`${API}/run/{id}`, 'DELETE', deleted)
    expect((await stream).events.at(-1)!.event).toBe('deleted')
    for (const id of [running, queued]) expect((await api('GET', `${API}/run/${id}`)).status).toBe(404)
    expect((await api('DELETE', `${API}/run/${first}`)).status).toBe(200)
    expect((await api('GET', `${API}/result/${first}`)).status).toBe(404)
    expect((await api('DELETE', `${API}/run/${first}`)).status).toBe(404)
    expect(readdirSync(join(serve.dir, 'store')).filter((n) => n.includes(first) || n.includes(running))).toEqual([])
    expect((await api('GET', '/api/v1/health')).body).toMatchObject({ running: null, queued: 0 })
  })

  it('never shows or stores the secrets of a run: its API key and header values', async () => {
    const key = 'sk-live-abcdefghijklmnop1234'
    const header = 'team-secret-value-98765'
    const started = await api('POST', `${API}/run`, { ...SMALL, concurrency: [1], apiKey: key, headers: { 'x-team-token': header } })
    const { text } = await follow(base, started.body.id)
    seen.push(text)
    for (const path of [`${API}/run/${started.body.id}`, `${API}/result/${started.body.id}`, `${API}/report/${started.body.id}`, `${API}/history`]) await api('GET', path)
    const result = JSON.parse(seen.at(-3)!)
    expect(result.scenario.headers).toEqual({ 'x-team-token': '***' })
    expect(result.command).toContain('"headers":{"x-team-token":"***"}')
    expect(result.command).not.toContain('apiKey')
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'utf8')]))
    for (const text of [...seen, ...files(serve.dir), ...serve.logs]) {
      expect(text).not.toContain(key)
      expect(text).not.toContain(header)
    }
  })
})

describe('llmbench serve: access', () => {
  it('allows a server by its config name, or a URL with an entry\'s scheme, host, port and path', () => {
    const allow = new AllowList({ vllm: { url: 'http://gpu-1:8000', model: 'm', apiKey: 'sk-not-listed-anywhere' } }, ['https://api.example.com/team-a'])
    expect(allow.list()).toEqual([{ name: 'vllm', url: 'http://gpu-1:8000', model: 'm' }, { url: 'https://api.example.com/team-a' }])
    for (const ok of ['http://gpu-1:8000', 'http://GPU-1:8000/v1', 'https://api.example.com/team-a/v1', 'https://api.example.com/team-a']) expect(allow.permits(ok), ok).toBe(true)
    for (const no of ['http://gpu-1:8001', 'https://gpu-1:8000', 'http://gpu-1', 'http://gpu-10:8000', 'https://api.example.com/team-ab', 'https://api.example.com/',
      'http://u:p@gpu-1:8000', 'file:///etc/passwd', 'gpu-1:8000', 'http://gpu-1:8000@evil.example']) expect(allow.permits(no), no).toBe(false)
  })

  it('refuses to listen off loopback without a token, or with a short one', async () => {
    const config = validateConfig({}, { cwd: tmpdir() })
    const store = new FileStore(mkdtempSync(join(tmpdir(), 'llmbench-serve-')))
    await expect(startServe({ config, store, host: '0.0.0.0', port: 0 })).rejects.toThrow(UsageError)
    await expect(startServe({ config, store, port: 0, token: 'short' })).rejects.toThrow(/at least 16 characters/)
    const cli = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--store', store.dir], { LLMBENCH_SERVE_TOKEN: '' }, 20_000)
    expect(cli.code).toBe(2)
    expect(cli.stderr).toMatch(/^llmbench: --host 0\.0\.0\.0 is not a loopback address: .* needs an access token there \(set LLMBENCH_SERVE_TOKEN or pass --token/)
    expect(cli.stdout).toBe('')
    rmSync(store.dir, { recursive: true, force: true })
  })

  it('with a token, answers the API only to requests that carry it', async () => {
    const token = 'test-token-0123456789abcdef'
    const guarded = await startTestServe(sim.url, { token })
    try {
      const at = (path: string, headers?: Record<string, string>) => call(guarded.url, 'GET', path, undefined, headers)
      const none = await at(`${API}/history`)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect((await at(`${API}/history`, { authorization: 'Bearer wrong-token-0123456789ab' })).body.error.message).toBe('the access token is wrong')
      expect((await at(`${API}/history`, { authorization: `Basic ${token}` })).status).toBe(401)
      expect((await at(`${API}/history`, { authorization: `Bearer ${token}` })).status).toBe(200)
      expect((await call(guarded.url, 'POST', `${API}/run`, SMALL)).status).toBe(401)
      // Open without it: the dashboard page (its data comes from the API), the document and the health check.
      for (const path of ['/', '/api/v1/openapi.json', '/api/v1/health']) expect((await at(path)).status).toBe(200)
    } finally {
      await guarded.close()
      rmSync(guarded.dir, { recursive: true, force: true })
    }
  })
})

describe('llmbench serve: the command', () => {
  it('stops on SIGTERM keeping the running benchmark as interrupted, and after a kill -9 rebuilds its result from its records file on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-serve-cli-'))
    const config = join(dir, 'llmbench.config.json')
    writeFileSync(config, JSON.stringify({ servers: { sim: { url: sim.url, model: 'sim-model' } }, serve: { store: 'runs' } }))
    const children: Array<ReturnType<typeof startCli>['child']> = []
    const start = async () => {
      const cli = startCli(['serve', '--port', '0', '--config', config], {}, 30_000)
      children.push(cli.child)
      let out = ''
      cli.child.stdout!.on('data', (d) => (out += d))
      await cli.printed(/dashboard and API at http:\S+\//)
      return { ...cli, url: /dashboard and API at (http:\S+)\//.exec(out)![1] }
    }
    const measuring = async (url: string) => {
      const id = (await call(url, 'POST', `${API}/run`, LONG)).body.id as string
      await waitFor('the run to measure', async () => ((await call(url, 'GET', `${API}/run/${id}`)).body.progress?.levels[0]?.done > 0 ? true : undefined))
      return id
    }
    try {
      let cli = await start()
      const stopped = await measuring(cli.url)
      cli.child.kill('SIGTERM')
      const exit = await cli.done
      expect(exit.code).toBe(0)
      expect(exit.stdout).toContain(`Stopping: run ${stopped} is aborted and kept as interrupted.`)

      cli = await start()
      const kept = (await call(cli.url, 'GET', `${API}/run/${stopped}`)).body.run
      expect(kept).toMatchObject({ status: 'interrupted', hasResult: true, levels: 1, error: expect.stringContaining('stopped during the run') })
      const result = (await call(cli.url, 'GET', `${API}/result/${stopped}`)).body
      expect(schemaErrors(result)).toEqual([])
      expect(result.interrupted).toBe(true)
      expect(result.levels[0].summary.requests.total).toBeGreaterThan(0)

      // Issue 20, item 19: every request the run reported measured before a kill -9 is in the result after the restart.
      const killed = await measuring(cli.url)
      const measured = await waitFor('20 measured requests', async () => {
        const done = (await call(cli.url, 'GET', `${API}/run/${killed}`)).body.progress?.levels[0]?.done
        return done >= 20 ? (done as number) : undefined
      })
      expect(readdirSync(join(dir, 'runs', '.runs'))).toContain(`${killed}.records.jsonl`)
      // Records reach the disk at most 200 ms after their request ends.
      await new Promise((r) => setTimeout(r, 600))
      cli.child.kill('SIGKILL')
      await cli.done
      cli = await start()
      expect((await call(cli.url, 'GET', `${API}/run/${killed}`)).body.run).toMatchObject({
        status: 'interrupted', hasResult: true, levels: 1, error: 'llmbench serve stopped before the run finished: its result was rebuilt from the records written until then',
      })
      const rebuilt = (await call(cli.url, 'GET', `${API}/result/${killed}`)).body
      expect(schemaErrors(rebuilt)).toEqual([])
      // Rebuilt from the records file, whose header kept the request that started the run.
      expect(rebuilt).toMatchObject({ interrupted: true, command: expect.stringMatching(/^llmbench serve: POST \/api\/v1\/benchmark\/run \{"server":"sim",/) })
      expect(rebuilt.recordsFile).toBeUndefined()
      expect(rebuilt.levels[0].summary.requests.total).toBeGreaterThanOrEqual(measured)
      expect((await call(cli.url, 'GET', `${API}/history?status=interrupted`)).body.total).toBe(2)
      expect(readdirSync(join(dir, 'runs'))).toContain(`${stopped}.json`)
      expect(readdirSync(join(dir, 'runs', '.runs')).filter((n) => n.endsWith('.records.jsonl'))).toEqual([])
      cli.child.kill('SIGTERM')
      const last = await cli.done
      expect(last.code).toBe(0)
      expect(last.stderr).toContain(`1 run(s) left in flight by the previous server marked interrupted: ${killed}`)
      expect(last.stderr).toContain(`1 of them rebuilt from their records files: ${killed}`)
    } finally {
      // A failed expectation must not leave a server running.
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
