/**
 * One load-generating thread (threads.ts): its own client and event loop, running its share of
 * each level the main thread asks for, starting the measured part when told, and sending back the
 * records. Times are on the process-wide monotonic clock (clock.ts), so threads' records merge.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { getAdapter } from '../client/registry.js'
import { LlmClient } from '../client/http.js'
import { authHeaders } from '../client/adapter.js'
import { rememberSecrets, headerValueSecrets } from '../results/redact.js'
import type { LoadSpec, RequestRecord } from '../results/types.js'
import { waitUntil } from '../load/wait.js'
import { createContext, promptSpecOf, runLevel } from './level.js'
import { planLevel } from './levels.js'
import { connectionsFor, preparePrompts, type ScenarioOptions } from './scenario.js'

export type ToThread =
  | { type: 'level'; index: number; load: LoadSpec }
  | { type: 'go'; at: number }
  | { type: 'stop' }
  | { type: 'close' }

export type FromThread =
  | { type: 'ready'; index: number }
  | { type: 'progress'; records: Array<Pick<RequestRecord, 'outcome' | 'sentAt' | 'firstTokenAt'>> }
  | { type: 'done'; index: number; records: RequestRecord[]; eventLoopDelayP99Ms: number; warnings: string[] }
  | { type: 'failed'; message: string }

const PROGRESS_EVERY_MS = 200

const port = parentPort!
const opts = workerData.opts as ScenarioOptions
const post = (m: FromThread) => port.postMessage(m)

const adapter = getAdapter(opts.endpoint)
const headers = { ...opts.headers, ...authHeaders(adapter, opts.apiKey) }
rememberSecrets([opts.apiKey, ...Object.values(headers).flatMap(headerValueSecrets)])
const client = new LlmClient({ server: opts.server, connections: connectionsFor(opts), timeoutMs: opts.timeoutMs, idleTimeoutMs: opts.idleTimeoutMs, headers })
let stopped = false
let go: ((at: number) => void) | undefined
let batch: FromThread & { type: 'progress' } = { type: 'progress', records: [] }
let lastPost = 0

const ctx = createContext({
  opts,
  client,
  adapter,
  headers,
  spec: promptSpecOf(opts),
  stopped: () => stopped,
  listener: {
    onRecord(r) {
      batch.records.push({ outcome: r.outcome, sentAt: r.sentAt, firstTokenAt: r.firstTokenAt })
      const t = performance.now()
      if (t - lastPost < PROGRESS_EVERY_MS) return
      lastPost = t
      post(batch)
      batch = { type: 'progress', records: [] }
    },
  },
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
    if (batch.records.length) post(batch)
    batch = { type: 'progress', records: [] }
    post({ type: 'done', index, records: level.records, eventLoopDelayP99Ms: level.summary.client.eventLoopDelayP99Ms, warnings: level.summary.warnings })
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message })
  }
}
