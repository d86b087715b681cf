/**
 * An API run measures in a worker thread of its own (run-worker.ts), so the event loop that reads
 * its streams is never the one that parses uploads, answers the API or streams events: nothing
 * `llmbench serve` does can stall a request in flight (a 31 MB upload parsed on the measuring
 * loop once delayed a run's requests by 2.3 s). This side starts it, relays its events, asks it to
 * stop, and hands back its outcome.
 */
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { RuntimeError, UsageError } from '../errors.js'
import type { RecordsHeader } from '../records/records-file.js'
import type { ScenarioOptions, ScenarioOutcome } from '../runner/scenario.js'
import { PACKAGE_ROOT } from '../version.js'
import type { LiveEvent } from './progress.js'

export interface RunThreadInput {
  options: ScenarioOptions
  /** Everything to redact: the run's secrets and the ones this process knows. */
  secrets: string[]
  /** Levels planned, or null for a sweep (progress.ts). */
  planned: number | null
  /** The records file to write as requests end (records-file.ts), when the run keeps one. */
  records?: { path: string; header: RecordsHeader }
}

export type ToRunThread = { type: 'abort' }
export type FromRunThread =
  | { type: 'event'; event: LiveEvent }
  | { type: 'done'; outcome: ScenarioOutcome }
  | { type: 'failed'; message: string; usage: boolean; stack: string }

/** A failure of the run that is not the user's (UsageError is): its stack, for the server's log. */
export class RunThreadError extends RuntimeError {
  constructor(message: string, readonly detail: string) {
    super(message)
  }
}

const WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'serve', 'run-worker.js')

/**
 * Runs the scenario in its own thread; `onEvent` gets its progress events as they come. When
 * `signal` aborts, the thread stops sending and resolves with what it measured, as runScenario does.
 */
export function runInThread(input: RunThreadInput, onEvent: (e: LiveEvent) => void, signal: AbortSignal): Promise<ScenarioOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: input })
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', abort)
      fn()
    }
    const abort = () => worker.postMessage({ type: 'abort' } satisfies ToRunThread)
    signal.addEventListener('abort', abort)
    if (signal.aborted) abort()
    worker.on('message', (m: FromRunThread) => {
      if (m.type === 'event') onEvent(m.event)
      else if (m.type === 'done') settle(() => resolve(m.outcome))
      else settle(() => reject(m.usage ? new UsageError(m.message) : new RunThreadError(m.message, m.stack)))
    })
    worker.on('error', (err) => settle(() => reject(new RunThreadError(`the run's thread failed: ${err.message}`, String(err.stack ?? err)))))
    worker.on('exit', (code) => settle(() => reject(new RuntimeError(`the run's thread ended (exit code ${code}) before the run did`))))
  })
}
