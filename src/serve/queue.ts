/**
 * API-started runs, one at a time: a run waits in the queue (at most MAX_QUEUED), then runs in a
 * worker thread of its own through runScenario (the same code as `llmbench run`, run-thread.ts),
 * writing a records file as its requests end; its progress is folded into a snapshot and fanned
 * out to subscribers (the SSE streams), and it ends in the store with its result. Stopping the
 * server aborts the running benchmark, which keeps what it measured, marked interrupted; a server
 * killed mid-run gets the result back from the records file when it starts again (recover.ts).
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../errors.js'
import { buildRunResult } from '../results/result.js'
import { recordedScenario } from '../runner/recorded.js'
import { knownSecrets, redactDeep, redactSecrets, requestSecrets } from '../results/redact.js'
import { newRunId, runOfResult, type ResultStore, type StoredRun } from '../store/store.js'
import { plannedLevels } from '../load/levels.js'
import type { ScenarioOutcome } from '../runner/scenario.js'
import { terminalLine } from '../text/sanitize.js'
import type { Changes } from './changes.js'
import { describeResult } from '../report/digest.js'
import { ApiError } from './http.js'
import { applyEvent, emptyProgress, type LiveEvent, type LiveProgress } from './progress.js'
import type { RunRequest } from './request.js'
import { runInThread, RunThreadError } from './run-thread.js'

export const API_COMMAND = 'llmbench serve: POST /api/v1/benchmark/run'
export const STOPPED_DURING = 'llmbench serve stopped during the run: the levels measured until then are kept'
export const STOPPED_BEFORE = 'llmbench serve stopped before the run started'
/** Runs waiting at most: past it a new one is refused (429), so the queue cannot grow without end. */
export const MAX_QUEUED = 32

type Listener = (event: LiveEvent | { type: 'end'; run: StoredRun } | { type: 'deleted'; id: string }) => void

interface Job {
  run: StoredRun
  request: RunRequest
  /** The result's `command`: how to start the same run again. */
  command: string
  controller: AbortController
  progress: LiveProgress
  listeners: Set<Listener>
  /** Deleted while queued or running: nothing is saved when it ends. */
  deleted?: boolean
  finished?: Promise<void>
}

export class RunQueue {
  private readonly waiting: Job[] = []
  private current?: Job
  private stopping = false

  /** `recordsDir`: where running runs write their records files (recordsFileOf), none without it; `changes`: who hears of every saved run. */
  constructor(
    private readonly store: ResultStore,
    private readonly log: (line: string) => void = () => {},
    private readonly recordsDir?: string,
    private readonly changes?: Changes,
  ) {}

  /** Queues a run; `body` is the request as sent (its secrets removed here), kept as the result's command. */
  async submit(request: RunRequest, body?: unknown): Promise<StoredRun> {
    if (this.stopping) throw new ApiError(503, 'stopping', 'llmbench serve is stopping: start the run again once it is back', { 'retry-after': '10' })
    if (this.waiting.length >= MAX_QUEUED) {
      throw new ApiError(429, 'queue-full', `${MAX_QUEUED} runs are already waiting: start this one when fewer are queued (GET /api/v1/health counts them)`, { 'retry-after': '60' })
    }
    const createdAt = new Date().toISOString()
    const o = request.options
    const secrets = secretsOf(request)
    // Redacted once here: every later state of the run is this one with fields changed, or its redacted result's.
    const run: StoredRun = redactDeep({
      id: newRunId(createdAt), status: 'queued', origin: 'api', kind: 'run', ...(request.name ? { name: request.name } : {}),
      createdAt, servers: [o.server], models: [o.model], scenarios: 1, levels: 0, hasResult: false,
      options: recordedScenario(o),
    } satisfies StoredRun, (t) => redactSecrets(t, secrets))
    await this.save(run)
    const planned = o.sweep ? null : plannedLevels(o).length
    const command = body === undefined ? API_COMMAND : commandOf(body, secrets)
    this.waiting.push({ run, request, command, controller: new AbortController(), progress: emptyProgress(planned), listeners: new Set() })
    this.log(`run ${run.id} queued (${this.waiting.length} waiting)`)
    this.pump()
    return run
  }

  /** A run still queued or running, with its live progress and place in the queue (0: running). */
  live(id: string): { run: StoredRun; progress: LiveProgress; position: number } | undefined {
    if (this.current?.run.id === id) return { run: this.current.run, progress: this.current.progress, position: 0 }
    const i = this.waiting.findIndex((j) => j.run.id === id)
    return i < 0 ? undefined : { run: this.waiting[i].run, progress: this.waiting[i].progress, position: i + 1 }
  }

  /** Calls `listener` with every event of a live run until it ends; returns the unsubscribe, or undefined when not live. */
  subscribe(id: string, listener: Listener): (() => void) | undefined {
    const job = this.current?.run.id === id ? this.current : this.waiting.find((j) => j.run.id === id)
    if (!job) return undefined
    job.listeners.add(listener)
    return () => job.listeners.delete(listener)
  }

  /** Takes a queued run out, or aborts the running one and waits for it to stop; false when not live. */
  async cancel(id: string): Promise<boolean> {
    const i = this.waiting.findIndex((j) => j.run.id === id)
    const job = i >= 0 ? this.waiting.splice(i, 1)[0] : this.current?.run.id === id ? this.current : undefined
    if (!job) return false
    job.deleted = true
    job.controller.abort()
    await job.finished
    for (const l of job.listeners) l({ type: 'deleted', id })
    this.log(`run ${id} cancelled`)
    return true
  }

  get running(): string | undefined {
    return this.current?.run.id
  }

  get queued(): number {
    return this.waiting.length
  }

  /** Aborts the running benchmark (its result is kept, interrupted) and marks the waiting ones interrupted. */
  async stop(): Promise<void> {
    this.stopping = true
    for (const job of this.waiting.splice(0)) {
      const run: StoredRun = { ...job.run, status: 'interrupted', finishedAt: new Date().toISOString(), error: STOPPED_BEFORE }
      await this.save(run)
      for (const l of job.listeners) l({ type: 'end', run })
    }
    const job = this.current
    if (!job) return
    job.controller.abort()
    await job.finished
  }

  /** Saves a run and tells the list streams. */
  private async save(run: StoredRun, result?: Parameters<ResultStore['save']>[1]): Promise<void> {
    await this.store.save(run, result)
    this.changes?.emit({ type: 'run', run })
  }

  private pump(): void {
    if (this.current || this.stopping) return
    const job = this.waiting.shift()
    if (!job) return
    this.current = job
    job.finished = this.execute(job)
      .catch((err) => this.log(`run ${job.run.id}: could not save its end: ${(err as Error).message}`))
      .finally(() => {
        this.current = undefined
        this.pump()
      })
  }

  private emit(job: Job, event: LiveEvent | { type: 'end'; run: StoredRun }): void {
    if (event.type !== 'end') applyEvent(job.progress, event)
    for (const l of job.listeners) l(event)
  }

  private async execute(job: Job): Promise<void> {
    const secrets = secretsOf(job.request)
    const clean = (text: string) => redactSecrets(terminalLine(text), secrets)
    const startedAt = new Date()
    job.run = { ...job.run, status: 'running', startedAt: startedAt.toISOString() }
    await this.save(job.run)
    this.emit(job, { type: 'run', run: job.run })
    this.log(`run ${job.run.id} started: ${job.request.options.model} at ${job.request.options.server}`)
    const o = job.request.options
    const records = this.recordsDir ? { path: recordsFileOf(this.recordsDir, job.run.id), header: { scenario: recordedScenario(o), startedAt, command: job.command } } : undefined
    let outcome: ScenarioOutcome | undefined
    let error: string | undefined
    try {
      outcome = await runInThread({ options: o, secrets, planned: job.progress.planned, records }, (e) => this.emit(job, e), job.controller.signal)
    } catch (err) {
      error = clean((err as Error).message ?? String(err))
      if (!(err instanceof UsageError)) this.log(`run ${job.run.id} failed: ${redactSecrets(err instanceof RunThreadError ? err.detail : String((err as Error).stack ?? err), secrets)}`)
    }
    let final: StoredRun | undefined
    try {
      final = await this.saveEnd(job, startedAt, outcome, error, secrets)
    } finally {
      // Kept until the run's end is stored: a server killed before that rebuilds the result from it.
      if (records) await rm(records.path, { force: true })
    }
    if (!final) return
    this.log(`run ${final.id} ${final.status}${final.error && final.status === 'error' ? `: ${final.error}` : ''}`)
    this.emit(job, { type: 'end', run: final })
  }

  /** Stores how the run ended (with its result when it measured anything); undefined when it was deleted. */
  private async saveEnd(job: Job, startedAt: Date, outcome: ScenarioOutcome | undefined, error: string | undefined, secrets: string[]): Promise<StoredRun | undefined> {
    if (job.deleted) return undefined
    const interrupted = job.controller.signal.aborted
    const finishedAt = new Date()
    let final: StoredRun
    if (outcome && (outcome.levels.length > 0 || !interrupted)) {
      const result = buildRunResult({ scenario: recordedScenario(job.request.options), ...outcome, startedAt, finishedAt, interrupted, command: job.command })
      const doc = redactDeep(result, (t) => redactSecrets(t, secrets))
      const extra = { createdAt: job.run.createdAt, ...(job.run.name ? { name: job.run.name } : {}), ...(interrupted ? { error: STOPPED_DURING } : {}) }
      final = runOfResult(job.run.id, { kind: 'run', doc }, 'api', { ...extra, ...describeResult({ kind: 'run', doc }) })
      await this.save(final, { kind: 'run', doc })
    } else {
      final = { ...job.run, status: interrupted ? 'interrupted' : 'error', finishedAt: finishedAt.toISOString(), error: interrupted ? STOPPED_BEFORE : error }
      await this.save(final)
    }
    job.run = final
    return final
  }
}

/**
 * The run request as a command line a reader can send again: the body as posted, without the API
 * key, with header values and the run's secrets as `***`.
 */
function commandOf(body: unknown, secrets: string[]): string {
  const { apiKey: _key, ...rest } = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>
  if (rest.headers && typeof rest.headers === 'object') rest.headers = Object.fromEntries(Object.keys(rest.headers).map((k) => [k, '***']))
  return `${API_COMMAND} ${JSON.stringify(redactDeep(rest, (t) => redactSecrets(t, secrets)))}`
}

function secretsOf(request: RunRequest): string[] {
  return [...request.secrets, ...requestSecrets(request.options), ...knownSecrets()]
}

/** The records file of run `id` while it runs (ids are checked: the name stays inside `dir`). */
export function recordsFileOf(dir: string, id: string): string {
  return join(dir, `${id}.records.jsonl`)
}
