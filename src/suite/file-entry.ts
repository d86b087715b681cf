/**
 * The entry of a bench file's worker thread (file-thread.ts starts it): runs the task, posts its
 * result, and tells the main thread when the file itself ends the thread with process.exit(),
 * with where it was called, so the file is reported as crashed and the suite goes on.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { adoptBudget } from '../client/budget.js'
import { toErrorInfo } from '../dsl/error-info.js'
import { parseFrames } from '../dsl/stack.js'
import type { FileThreadData, FromFileThread } from './file-thread.js'
import runTask from './worker.js'

const data = workerData as FileThreadData
const post = (m: FromFileThread) => parentPort!.postMessage(m)
adoptBudget(data.budget)

// In a worker thread process.exit() ends the thread only; the main thread sees an exit without a
// result. Say why first (messages posted before the exit arrive before its 'exit' event).
const exit = process.exit.bind(process)
// Node itself calls it too, from its internals, after an uncaught error: that one is a crash.
process.exit = ((code?: number | string | null) => {
  const called = new Error(`the bench file called process.exit(${code ?? process.exitCode ?? 0}): a bench file must not end the process; throw an error or use expect() to fail it`)
  if (parseFrames(called.stack).some((f) => !f.path.endsWith('/suite/file-entry.js'))) post({ type: 'exit-called', error: toErrorInfo(called, data.task.relative) })
  return exit(code as number)
}) as typeof process.exit

void runTask(data.task).then((result) => post({ type: 'result', result }))
