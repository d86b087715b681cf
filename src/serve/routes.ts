/**
 * The API of `llmbench serve`, one entry per route. The table is what the server dispatches on
 * and what the tests hold the OpenAPI document (openapi.ts) to: a route missing there fails them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResolvedConfig } from '../config/index.js'
import { buildReportData } from '../report/data.js'
import type { AnyResult } from '../results/read.js'
import { isRunId, newRunId, runOfResult, STORED_STATUSES, type ListQuery, type ResultStore, type StoredRun, type StoredStatus } from '../store/store.js'
import { VERSION } from '../version.js'
import type { AllowList } from './allow.js'
import type { Changes } from './changes.js'
import { describeResult } from '../report/digest.js'
import { verdictAgainstBaseline } from './baseline-verdict.js'
import { ApiError, readJson, sendJson } from './http.js'
import { openApiDocument } from './openapi.js'
import type { RunQueue } from './queue.js'
import { parseRunRequest } from './request.js'
import { openEventStream } from './sse.js'
import { checkUpload } from './upload.js'

export const API = '/api/v1'

export interface ServeContext {
  store: ResultStore
  queue: RunQueue
  changes: Changes
  config: ResolvedConfig
  allow: AllowList
  limits: { request: number; upload: number }
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** OpenAPI form: `{id}` is a path parameter. */
  path: string
  /** Open without the access token: the OpenAPI document and the health check say nothing about runs. */
  open?: boolean
  handle(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL): Promise<void>
}

const MAX_COMPARED = 8
const HISTORY_KEYS = ['q', 'model', 'server', 'status', 'from', 'to', 'limit', 'offset']

export const ROUTES: Route[] = [
  { method: 'GET', path: `${API}/openapi.json`, open: true, handle: async (_c, _q, res) => sendJson(res, 200, openApiDocument()) },
  {
    method: 'GET', path: `${API}/health`, open: true,
    handle: async (c, _q, res) => sendJson(res, 200, { status: 'ok', version: VERSION, store: c.store.kind, running: c.queue.running ?? null, queued: c.queue.queued }),
  },
  { method: 'GET', path: `${API}/benchmark/servers`, handle: async (c, _q, res) => sendJson(res, 200, { servers: c.allow.list() }) },
  {
    method: 'POST', path: `${API}/benchmark/run`,
    async handle(c, req, res) {
      const body = await readJson(req, c.limits.request)
      const request = parseRunRequest(body, c.config, c.allow)
      const run = await c.queue.submit(request, body)
      sendJson(res, 202, { id: run.id, run }, { location: `${API}/benchmark/run/${run.id}` })
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/run/{id}`,
    async handle(c, _q, res, { id }) {
      const live = c.queue.live(id)
      if (live) return sendJson(res, 200, { run: live.run, progress: live.progress, position: live.position })
      sendJson(res, 200, { run: await found(c, id) })
    },
  },
  {
    method: 'DELETE', path: `${API}/benchmark/run/{id}`,
    async handle(c, _q, res, { id }) {
      const wasLive = await c.queue.cancel(id)
      const stored = await c.store.delete(id)
      if (!wasLive && !stored) throw notFound(id)
      c.changes.emit({ type: 'deleted', id })
      sendJson(res, 200, { deleted: id })
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/run/{id}/events`,
    async handle(c, req, res, { id }) {
      const live = c.queue.live(id)
      const run = live ? live.run : await found(c, id)
      const stream = openEventStream(req, res)
      if (!live) {
        stream.send('snapshot', { run })
        stream.send('end', { run })
        return stream.close()
      }
      stream.send('snapshot', { run: live.run, progress: live.progress, position: live.position })
      const unsubscribe = c.queue.subscribe(id, (e) => {
        if (e.type === 'end' || e.type === 'deleted') {
          stream.send(e.type, e.type === 'end' ? { run: e.run } : { id })
          stream.close()
        } else stream.send(e.type, e)
      })
      stream.onClose(() => unsubscribe?.())
    },
  },
  {
    method: 'PUT', path: `${API}/benchmark/run/{id}/baseline`,
    async handle(c, _q, res, { id }) {
      sendJson(res, 200, { run: await markBaseline(c, id, true) })
    },
  },
  {
    method: 'DELETE', path: `${API}/benchmark/run/{id}/baseline`,
    async handle(c, _q, res, { id }) {
      sendJson(res, 200, { run: await markBaseline(c, id, false) })
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/events`,
    async handle(c, req, res) {
      const stream = openEventStream(req, res)
      stream.send('hello', { version: VERSION })
      const unsubscribe = c.changes.subscribe((change) => stream.send(change.type, change.type === 'run' ? { run: change.run } : { id: change.id }))
      stream.onClose(unsubscribe)
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/result/{id}`,
    async handle(c, _q, res, { id }) {
      sendJson(res, 200, (await resultOf(c, id)).result.doc)
    },
  },
  {
    method: 'POST', path: `${API}/benchmark/result`,
    async handle(c, req, res, _p, url) {
      const name = url.searchParams.get('name') ?? undefined
      if (name !== undefined && (!name.trim() || name.length > 200 || /[\u0000-\u001f]/.test(name))) {
        throw new ApiError(400, 'invalid-query', 'name must be a line of text of at most 200 characters')
      }
      const result = await checkUpload(await readJson(req, c.limits.upload))
      const id = newRunId(result.doc.startedAt)
      const run = runOfResult(id, result, 'upload', { createdAt: new Date().toISOString(), ...(name ? { name: name.trim() } : {}), ...describeResult(result) })
      await c.store.save(run, result)
      c.changes.emit({ type: 'run', run })
      sendJson(res, 201, { id, run }, { location: `${API}/benchmark/run/${id}` })
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/report/{id}`,
    async handle(c, _q, res, { id }) {
      const { run, result } = await resultOf(c, id)
      sendJson(res, 200, buildReportData([{ result, label: labelOf(run) }]))
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/history`,
    async handle(c, _q, res, _p, url) {
      sendJson(res, 200, await c.store.list(historyQuery(url.searchParams)))
    },
  },
  {
    method: 'GET', path: `${API}/benchmark/run/{id}/verdict`,
    async handle(c, _q, res, p) {
      const run = await found(c, checkId(p.id))
      sendJson(res, 200, { verdict: c.queue.live(run.id) ? null : await verdictAgainstBaseline(c.store, run) })
    },
  },
  {
    method: 'POST', path: `${API}/benchmark/compare`,
    async handle(c, req, res) {
      const body = (await readJson(req, c.limits.request)) as { ids?: unknown }
      const ids = body && typeof body === 'object' && !Array.isArray(body) ? body.ids : undefined
      if (!Array.isArray(ids) || ids.length < 2 || ids.length > MAX_COMPARED || ids.some((i) => typeof i !== 'string')) {
        throw new ApiError(400, 'invalid-request', `send {"ids": [...]} with 2 to ${MAX_COMPARED} run ids; the first is the baseline`)
      }
      const inputs = []
      for (const id of ids as string[]) {
        const { run, result } = await resultOf(c, checkId(id))
        inputs.push({ result, label: labelOf(run) })
      }
      sendJson(res, 200, { ids, report: buildReportData(inputs) })
    },
  },
]

/**
 * Marks a finished run as the baseline of its scenarios (or unmarks it). A scenario has one
 * baseline: marking a run unmarks any other run that shares one of its scenarios.
 */
async function markBaseline(c: ServeContext, id: string, on: boolean): Promise<StoredRun> {
  if (c.queue.live(id)) throw new ApiError(409, 'not-finished', `run ${id} is still running: mark it as a baseline once it ends`)
  const run = await found(c, id)
  if (on && !run.hasResult) throw new ApiError(409, 'no-result', `run ${id} ended without a result: only a measured run can be a baseline`)
  if (on) {
    const keys = new Set((run.digest ?? []).map((s) => s.key))
    for (let offset = 0; ; offset += 200) {
      const page = await c.store.list({ limit: 200, offset })
      for (const other of page.runs) {
        if (other.id === id || !other.baseline || !(other.digest ?? []).some((s) => keys.has(s.key))) continue
        const unmarked = { ...other, baseline: false }
        await c.store.save(unmarked)
        c.changes.emit({ type: 'run', run: unmarked })
      }
      if (offset + page.runs.length >= page.total) break
    }
  }
  const marked = { ...run, baseline: on }
  await c.store.save(marked)
  c.changes.emit({ type: 'run', run: marked })
  return marked
}

export function checkId(id: string): string {
  if (!isRunId(id)) {
    throw new ApiError(400, 'invalid-id', `not a run id: ${JSON.stringify(id.slice(0, 60))} (ids are letters, digits, '-', '_' and '.', as the history lists them)`)
  }
  return id
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not-found', `no run ${id}: it was deleted, or never existed on this server (GET ${API}/benchmark/history lists them)`)
}

async function found(c: ServeContext, id: string): Promise<StoredRun> {
  const run = await c.store.get(id)
  if (!run) throw notFound(id)
  return run
}

async function resultOf(c: ServeContext, id: string): Promise<{ run: StoredRun; result: AnyResult }> {
  const live = c.queue.live(id)
  if (live) throw new ApiError(409, 'not-finished', `run ${id} is ${live.run.status}: its result is ready when it ends (follow ${API}/benchmark/run/${id}/events)`)
  const run = await found(c, id)
  const result = run.hasResult ? await c.store.result(id) : undefined
  if (!result) throw new ApiError(404, 'no-result', `run ${id} ended without a result (${run.status}${run.error ? `: ${run.error}` : ''})`)
  return { run, result }
}

/** A run's name in legends: its given name, else its model and when it started. */
function labelOf(run: StoredRun): string {
  if (run.name) return run.name
  const when = (run.startedAt ?? run.createdAt).slice(0, 19).replace('T', ' ')
  return `${run.models.join(', ') || run.kind} ${when}`
}

function historyQuery(params: URLSearchParams): ListQuery {
  for (const key of params.keys()) {
    if (!HISTORY_KEYS.includes(key)) throw new ApiError(400, 'invalid-query', `unknown query parameter ${JSON.stringify(key.slice(0, 40))}: expected ${HISTORY_KEYS.join(', ')}`)
  }
  const text = (key: string) => {
    const v = params.get(key)
    return v === null || v === '' ? undefined : v.slice(0, 200)
  }
  const int = (key: string, fallback: number, min: number, max: number) => {
    const v = text(key)
    if (v === undefined) return fallback
    const n = Number(v)
    if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, 'invalid-query', `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`)
    return n
  }
  const date = (key: string) => {
    const v = text(key)
    if (v !== undefined && !Number.isFinite(Date.parse(v))) throw new ApiError(400, 'invalid-query', `${key} must be a date such as 2026-05-01 or 2026-05-01T12:00:00Z, got ${JSON.stringify(v)}`)
    return v === undefined ? undefined : new Date(v).toISOString()
  }
  const status = text('status')
  if (status !== undefined && !STORED_STATUSES.includes(status as StoredStatus)) {
    throw new ApiError(400, 'invalid-query', `status must be one of ${STORED_STATUSES.join(', ')}, got ${JSON.stringify(status)}`)
  }
  const q: ListQuery = { limit: int('limit', 50, 1, 200), offset: int('offset', 0, 0, 1_000_000) }
  for (const key of ['q', 'model', 'server'] as const) {
    const v = text(key)
    if (v !== undefined) q[key] = v
  }
  if (status) q.status = status as StoredStatus
  const from = date('from')
  const to = date('to')
  if (from) q.from = from
  if (to) q.to = to
  return q
}
