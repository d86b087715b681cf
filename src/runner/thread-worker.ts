/**
 * One load-generating thread (threads.ts): its own client and event loop, running its share of
 * each level the main thread asks for, starting the measured part when told, and sending each
 * record to the main thread as it ends (in batches). Times are on the process-wide monotonic clock (clock.ts), so threads' records merge.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { getAdapter } from '../client/registry.js'
import { LlmClient } from '../client/http.js'
import { authHeaders } from '../client/adapter.js'
import { rememberSecrets, requestSecrets } from '../results/redact.js'
import type { LoadSpec, RequestRecord } from '../results/types.js'
import type { RecordsSink } from '../records/records-file.js'
import { waitUntil } from '../load/wait.js'
import { PromptsStopped } from '../data/turns.js'
import { adoptBudget, type BudgetShare } from '../client/budget.js'
import { createContext, promptSpecOf, runLevel } from './level.js'
import { planLevel } from '../load/levels.js'
import { connectionsFor, preparePrompts } from './prepare.js'
import type { FromThread, ScenarioOptions, ToThread } from './types.js'

/** Records go to the main thread when this many are waiting, or this long after the last batch. */
const BATCH_RECORDS = 1000
const BATCH_EVERY_MS = 200

const port = parentPort!
const opts = workerData.opts as ScenarioOptions
adoptBudget(workerData.budget as BudgetShare | undefined)
const post = (m: FromThread) => port.postMessage(m)

const adapter = getAdapter(opts.endpoint)
const headers = { ...opts.headers, ...authHeaders(adapter, opts.apiKey) }
rememberSecrets(requestSecrets({ ...opts, headers }))
const client = new LlmClient({ server: opts.server, connections: connectionsFor(opts), timeoutMs: opts.timeoutMs, idleTimeoutMs: opts.idleTimeoutMs, headers })
let stopped = false
let go: ((at: number) => void) | undefined

/** Every record of this thread's share, to the main thread in batches, as a records file would take them. */
class ToMainThread implements RecordsSink {
  private batch: RequestRecord[] = []
  private index = 0
  private last = performance.now()
  level(start: { index: number }): void {
    this.index = start.index
  }
  record(_level: number, r: RequestRecord): void {
    this.batch.push(r)
    if (this.batch.length >= BATCH_RECORDS || performance.now() - this.last >= BATCH_EVERY_MS) this.flush()
  }
  levelEnd(): void {
    this.flush()
  }
  private flush(): void {
    this.last = performance.now()
    if (this.batch.length === 0) return
    post({ type: 'records', index: this.index, records: this.batch })
    this.batch = []
  }
}

const ctx = createContext({
  opts,
  client,
  adapter,
  headers,
  spec: promptSpecOf(opts),
  stopped: () => stopped,
  listener: {},
  recordsFile: new ToMainThread(),
  loadThread: true,
})
ctx.beforeMeasure = async (index) => {
  const at = await new Promise<number>((resolve) => {
    go = resolve
    post({ type: 'ready', index })
  })
  await waitUntil(at)
  return at
}
const prepared = preparePrompts(ctx)

port.on('message', (m: ToThread) => {
  if (m.type === 'go') go?.(m.at)
  else if (m.type === 'stop') {
    stopped = true
    client.abortAll()
  } else if (m.type === 'close') void client.close().then(() => port.close())
  else void runShare(m.index, m.load)
})

async function runShare(index: number, load: LoadSpec): Promise<void> {
  try {
    await prepared
    const level = await runLevel(ctx, planLevel(opts, load), index)
    const { eventLoopDelayP99Ms, eventLoopDelayMaxMs = 0 } = level.summary.client
    post({ type: 'done', index, eventLoopDelayP99Ms, eventLoopDelayMaxMs, warnings: level.summary.warnings })
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message, ...(err instanceof PromptsStopped ? { stopped: true } : {}) })
  }
}
