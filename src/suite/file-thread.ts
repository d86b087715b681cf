/**
 * One bench file in a fresh worker thread, and how it ended. A worker is isolated: however the
 * file ends its thread (process.exit() at the top or in a callback, an uncaught error, running out
 * of memory, a timeout), the file gets an error result and the suite goes on with the others.
 * Own threads rather than a pool's: a pool (tinypool) never settles a task whose thread exited.
 */
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { responseBudget, type BudgetShare } from '../client/budget.js'
import type { ErrorInfo, FileResult } from '../results/suite.js'
import { toErrorInfo } from '../dsl/error-info.js'
import { PACKAGE_ROOT } from '../version.js'
import type { ListedScenario, WorkerTask } from './worker.js'

const ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'suite', 'file-entry.js')

export interface FileThreadData {
  task: WorkerTask
  budget?: BudgetShare
}

export type FromFileThread =
  | { type: 'result'; result: FileResult | ListedScenario[] }
  | { type: 'exit-called'; error: ErrorInfo }

export interface FileThreadOptions {
  /** Stop the thread after this long (the config's fileTimeout). */
  timeoutMs?: number
}

export interface FileThreadOutcome {
  /** What the task returned, or for a thread that died, the file's error result. */
  value: FileResult | ListedScenario[]
  /** The thread died before the task returned: nobody has reported the file's error yet. */
  died: boolean
}

/** Runs `task` in its own thread; never rejects: a thread that dies gives the file an error result. */
export function runInThread(task: WorkerTask, opts: FileThreadOptions = {}): Promise<FileThreadOutcome> {
  const started = performance.now()
  const budget = responseBudget().forThread()
  const data: FileThreadData = { task, budget }
  return new Promise((resolve) => {
    let result: FileResult | ListedScenario[] | undefined
    let exitCalled: ErrorInfo | undefined
    let crash: Error | undefined
    let timedOut = false
    const worker = new Worker(ENTRY, { workerData: data, transferList: [task.port] })
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true
      void worker.terminate()
    }, opts.timeoutMs)
    worker.on('message', (m: FromFileThread) => {
      if (m.type === 'exit-called') exitCalled = m.error
      else if (m.type === 'result') {
        result = m.result
        // Whatever the file left running (a server, a timer, a child process) ends with its thread.
        void worker.terminate()
      }
    })
    worker.on('error', (err) => (crash = err))
    worker.once('exit', (code) => {
      clearTimeout(timer)
      responseBudget().release(budget)
      if (result !== undefined && !timedOut) return resolve({ value: result, died: false })
      const error: ErrorInfo = timedOut
        ? { message: `the file ran longer than fileTimeout (${opts.timeoutMs! / 1000} s) and was stopped` }
        : exitCalled ?? (crash
          ? toErrorInfo(crash, task.relative, undefined, 'the worker running this file crashed: ')
          : { message: `the worker running this file ended (exit code ${code}) before the file finished` })
      resolve({ value: { file: task.relative, scenarios: [], error, durationMs: performance.now() - started }, died: true })
    })
  })
}
