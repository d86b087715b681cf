/**
 * The thread an API run measures in (run-thread.ts starts it): runScenario with its records file
 * open, its progress folded here as the server folds it (so the sample stride agrees), every
 * event and the outcome posted to the server's thread. Nothing else runs on this event loop.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { UsageError } from '../errors.js'
import { RecordsWriter } from '../records/records-file.js'
import { redactSecrets, rememberSecrets } from '../results/redact.js'
import { runScenario, type ScenarioOutcome } from '../runner/scenario.js'
import { terminalLine } from '../text/sanitize.js'
import { ProgressFeed } from './feed.js'
import { applyEvent, emptyProgress } from './progress.js'
import type { FromRunThread, RunThreadInput, ToRunThread } from './run-thread.js'

const port = parentPort!
const input = workerData as RunThreadInput
const post = (m: FromRunThread) => port.postMessage(m)
// This thread's redaction knows the run's secrets too: failure messages are redacted where they are made.
rememberSecrets(input.secrets)
const clean = (text: string) => redactSecrets(terminalLine(text), input.secrets)

const controller = new AbortController()
port.on('message', (m: ToRunThread) => {
  if (m.type === 'abort') controller.abort()
})

async function main(): Promise<void> {
  const progress = emptyProgress(input.planned)
  const feed = new ProgressFeed((event) => {
    applyEvent(progress, event)
    post({ type: 'event', event })
  }, () => progress)
  let records: RecordsWriter | undefined
  let outcome: ScenarioOutcome | undefined
  try {
    if (input.records) records = RecordsWriter.open(input.records.path, input.records.header, { secrets: input.secrets })
    outcome = await runScenario(input.options, feed.listener(clean), controller.signal, records)
  } catch (err) {
    const e = err as Error
    post({ type: 'failed', message: String(e?.message ?? e), usage: err instanceof UsageError, stack: String(e?.stack ?? e) })
    return
  } finally {
    feed.stop()
    if (records && !outcome) records.close()
  }
  records?.end({ finishedAt: new Date(), interrupted: controller.signal.aborted, telemetry: outcome.telemetry, sweep: outcome.sweep })
  post({ type: 'done', outcome })
}

void main().finally(() => port.close())
