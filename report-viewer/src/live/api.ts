/**
 * The dashboard's client of the llmbench serve API. Requests carry the access token when the user
 * gave one (kept for the tab's session only); event streams are read with fetch rather than
 * EventSource, which cannot send that header.
 */
import type { RunVerdict } from '../../../src/serve/baseline-verdict'
import type { ListPage, StoredRun } from '../../../src/store/store'
import type { ReportData } from '../../../src/report/types'
import type { LiveProgress } from '../../../src/serve/progress'

const TOKEN_KEY = 'llmbench-token'

export class ApiProblem extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

export interface RunState {
  run: StoredRun
  progress?: LiveProgress
  position?: number
}

export interface AllowedServer {
  name?: string
  url: string
  model?: string
  endpoint?: string
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
}

function headers(json = false): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY)
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) }
}

async function problem(res: Response): Promise<ApiProblem> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } }
    return new ApiProblem(res.status, body.error?.code ?? 'error', body.error?.message ?? res.statusText)
  } catch {
    return new ApiProblem(res.status, 'error', `${res.status} ${res.statusText}`)
  }
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { ...headers(init.body !== undefined), ...(init.headers as Record<string, string>) } })
  if (!res.ok) throw await problem(res)
  return (await res.json()) as T
}

export interface HistoryFilter {
  q?: string
  status?: string
  model?: string
  server?: string
  limit: number
  offset: number
}

/** Reads a server-sent event stream, calling `onEvent` for each event until it closes or `signal` aborts. */
async function readEvents(url: string, onEvent: (type: string, data: any) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: headers(), signal })
  if (!res.ok || !res.body) throw await problem(res)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value.replace(/\r\n?/g, '\n')
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let type = 'message'
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim()
        else if (line.startsWith('data:')) data += line.slice(line.startsWith('data: ') ? 6 : 5)
      }
      if (data) onEvent(type, JSON.parse(data))
    }
  }
}

export function createApi(base: string) {
  const runUrl = (id: string) => `${base}/benchmark/run/${encodeURIComponent(id)}`
  return {
    history(f: HistoryFilter): Promise<ListPage> {
      const p = new URLSearchParams({ limit: String(f.limit), offset: String(f.offset) })
      if (f.q?.trim()) p.set('q', f.q.trim())
      for (const key of ['status', 'model', 'server'] as const) if (f[key]) p.set(key, f[key]!)
      return call(`${base}/benchmark/history?${p}`)
    },
    servers: () => call<{ servers: AllowedServer[] }>(`${base}/benchmark/servers`),
    run: (id: string) => call<RunState>(runUrl(id)),
    /** Starts a run with the options of a bench scenario; the API checks them and says what is wrong. */
    start: (body: Record<string, unknown>) => call<{ id: string; run: StoredRun }>(`${base}/benchmark/run`, { method: 'POST', body: JSON.stringify(body) }),
    report: (id: string) => call<ReportData>(`${base}/benchmark/report/${encodeURIComponent(id)}`),
    compare: (ids: string[]) => call<{ ids: string[]; report: ReportData }>(`${base}/benchmark/compare`, { method: 'POST', body: JSON.stringify({ ids }) }),
    remove: (id: string) => call<{ deleted: string }>(runUrl(id), { method: 'DELETE' }),
    /** The run's verdict against its scenario's baseline (null: none marked before it). */
    verdict: (id: string) => call<{ verdict: RunVerdict | null }>(`${runUrl(id)}/verdict`),
    baseline: (id: string, on: boolean) => call<{ run: StoredRun }>(`${runUrl(id)}/baseline`, { method: on ? 'PUT' : 'DELETE' }),
    /** Every event of the run's stream until it closes or `signal` aborts. */
    follow: (id: string, onEvent: (type: string, data: any) => void, signal: AbortSignal) => readEvents(`${runUrl(id)}/events`, onEvent, signal),
    /** Changes to the list of runs (started, ended, uploaded, deleted, marked) until `signal` aborts. */
    followList: (onEvent: (type: string, data: any) => void, signal: AbortSignal) => readEvents(`${base}/benchmark/events`, onEvent, signal),
  }
}

export type Api = ReturnType<typeof createApi>
