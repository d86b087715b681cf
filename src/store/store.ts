/**
 * The store of runs behind `llmbench serve`: each run's state (queued, running, its verdict) and
 * its result document. Two implementations share this contract and one test suite: the history
 * folder (store-file.ts, the default) and PostgreSQL (store-postgres.ts, for a team server).
 */
import { randomBytes } from 'node:crypto'
import { UsageError } from '../errors.js'
import { suiteStatus, type RunStatus } from '../results/suite.js'
import type { AnyResult } from '../results/read.js'
import type { ScenarioOptionsPublic } from '../results/types.js'
import type { ScenarioDigest } from '../results/digest.js'
import { scenarioFields } from '../results/scenario-fields.js'

export type StoredStatus = 'queued' | 'running' | RunStatus
export const STORED_STATUSES: readonly StoredStatus[] = ['queued', 'running', 'measured', 'passed', 'failed', 'error', 'interrupted']
/** Started through the API, uploaded by CI, or written by `llmbench run` / `npx llmbench` into the history folder. */
export type RunOrigin = 'api' | 'upload' | 'cli'

export interface StoredRun {
  id: string
  status: StoredStatus
  origin: RunOrigin
  kind: 'run' | 'suite'
  /** A label given when the run was started or uploaded. */
  name?: string
  createdAt: string
  startedAt?: string
  finishedAt?: string
  servers: string[]
  models: string[]
  scenarios: number
  levels: number
  /** The llmbench version that measured it. */
  version?: string
  /** Why a run ended without a result, or stopped early. */
  error?: string
  hasResult: boolean
  /** API runs: the scenario's options, without secrets. */
  options?: ScenarioOptionsPublic
  /** Each scenario's settings, headline and key figures per level, for lists and trends. */
  digest?: ScenarioDigest[]
  /** Marked as the baseline of its scenarios: later runs are compared against it. */
  baseline?: boolean
}

export interface ListQuery {
  /** Case-insensitive text in the id, name, models, servers, scenario names or command. */
  q?: string
  model?: string
  server?: string
  status?: StoredStatus
  /** ISO times, inclusive, on when the run started (or was queued). */
  from?: string
  to?: string
  limit: number
  offset: number
}

export interface ListPage {
  /** Newest first. */
  runs: StoredRun[]
  total: number
  limit: number
  offset: number
}

/**
 * What a store keeps with a run beside its state, from its result (the digest lists show): given
 * by `llmbench serve`, which knows how to compute it (src/report/digest.ts), to the store it opens.
 */
export type Describe = (result: AnyResult) => Pick<StoredRun, 'digest'>

export interface ResultStore {
  /** Adds what `describe` says of a result to the runs saved with one, and to runs read from results alone. */
  describe?: Describe
  readonly kind: 'file' | 'postgres'
  /** Where it keeps runs, for messages (never with credentials). */
  readonly where: string
  /** Inserts or replaces a run; with a result, its document too (a save without one keeps the stored one). */
  save(run: StoredRun, result?: AnyResult): Promise<void>
  get(id: string): Promise<StoredRun | undefined>
  result(id: string): Promise<AnyResult | undefined>
  list(query: ListQuery): Promise<ListPage>
  /** Removes a run and its result; false when there was none. */
  delete(id: string): Promise<boolean>
  /** Runs still queued or running (the process that ran them is gone) become interrupted; returns their ids. */
  markInterrupted(reason: string): Promise<string[]>
  close(): Promise<void>
}

/**
 * Ids name files in the history folder and rows in PostgreSQL, and arrive in URLs: letters,
 * digits, `-`, `_` and `.`, never `..`, so no id can reach outside the store.
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/

export function isRunId(id: string): boolean {
  return RUN_ID.test(id) && !id.includes('..')
}

/** `<startedAt>-<6 hex>`: ids sort in time order, as the history folder's file names always have. */
export function newRunId(at: Date | string = new Date()): string {
  const time = typeof at === 'string' ? Date.parse(at) : at.getTime()
  const stamp = new Date(Number.isFinite(time) ? time : Date.now()).toISOString().replace(/[:.]/g, '-')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

/** The run a result describes: its verdict, servers, models and size. */
export function runOfResult(id: string, result: AnyResult, origin: RunOrigin, extra: Partial<StoredRun> = {}): StoredRun {
  const doc = result.doc
  const scenarios: Array<{ options?: ScenarioOptionsPublic; levels: number }> = result.kind === 'run' ? [{ options: result.doc.scenario, levels: result.doc.levels.length }]
    : result.doc.files.flatMap((f) => f.scenarios.map((s) => ({ options: s.options, levels: s.levels.length })))
  const options = scenarios.flatMap((s) => (s.options ? [scenarioFields(s.options)] : []))
  return {
    id,
    status: result.kind === 'suite' ? suiteStatus(result.doc) : result.doc.interrupted ? 'interrupted' : 'measured',
    origin,
    kind: result.kind,
    createdAt: doc.finishedAt,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    servers: [...new Set(options.map((o) => o.server))],
    models: [...new Set(options.map((o) => o.model))],
    scenarios: scenarios.length,
    levels: scenarios.reduce((n, s) => n + s.levels, 0),
    version: doc.llmbench.version,
    ...(result.kind === 'run' ? { options: result.doc.scenario } : {}),
    ...extra,
    hasResult: true,
  }
}

/** What the text search looks in, lowercased. */
export function searchText(run: StoredRun, result?: AnyResult): string {
  const parts = [run.id, run.name ?? '', run.status, run.origin, run.kind, ...run.models, ...run.servers]
  if (result?.kind === 'run') parts.push(result.doc.command)
  if (result?.kind === 'suite') for (const f of result.doc.files) parts.push(f.file, ...f.scenarios.map((s) => s.id))
  return parts.join('\n').toLowerCase()
}

/** When a run happened, for ordering and date filters: its start, or when it was queued. */
export function runTime(run: StoredRun): string {
  return run.startedAt ?? run.createdAt
}

/** The query's filters applied to one run (the file store filters in memory; PostgreSQL in SQL). */
export function matchesQuery(run: StoredRun, search: string, q: ListQuery): boolean {
  if (q.status && run.status !== q.status) return false
  if (q.model && !run.models.includes(q.model)) return false
  if (q.server && !run.servers.includes(q.server)) return false
  if (q.q && !search.includes(q.q.toLowerCase())) return false
  const at = Date.parse(runTime(run))
  if (q.from && at < Date.parse(q.from)) return false
  if (q.to && at > Date.parse(q.to)) return false
  return true
}

/** Newest first; ids break ties so pages never overlap. */
export function newestFirst(a: StoredRun, b: StoredRun): number {
  const d = Date.parse(runTime(b)) - Date.parse(runTime(a))
  return d !== 0 && Number.isFinite(d) ? d : a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

export const POSTGRES_URL = /^postgres(?:ql)?:\/\//i

/** The URL without its password, for messages. */
export function safeStoreName(spec: string): string {
  if (!POSTGRES_URL.test(spec)) return spec
  try {
    const url = new URL(spec)
    if (url.password) url.password = '***'
    url.search = ''
    return url.toString()
  } catch {
    return 'postgres://…'
  }
}

