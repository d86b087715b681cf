/**
 * Closed-loop load: keep exactly `concurrency` requests in flight until `total` are done.
 * A request's scheduled time is the moment its slot freed (METRICS.md, scheduledAt).
 */
import { now } from '../clock.js'
import type { RequestRecord } from '../results/types.js'

/** Sends request `index`, scheduled at `scheduledAt`; resolves with its record, never rejects. */
export type SendFn = (index: number, scheduledAt: number) => Promise<RequestRecord>

export interface ClosedLoopOptions {
  concurrency: number
  total: number
  send: SendFn
  /** Called after each request ends. */
  onRecord?: (record: RequestRecord) => void
  /** Stop scheduling new requests when this returns true (an interrupted run). */
  stopped?: () => boolean
}

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<RequestRecord[]> {
  const records: RequestRecord[] = []
  let next = 0
  const slot = async (): Promise<void> => {
    let scheduledAt = now()
    while (next < opts.total && !opts.stopped?.()) {
      const index = next++
      const record = await opts.send(index, scheduledAt)
      scheduledAt = now()
      records.push(record)
      opts.onRecord?.(record)
      // Reads already waiting are stamped before this slot sends again: when many streams end
      // at once, sending their successors first would delay the arrival times of the others.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const slots = Math.min(opts.concurrency, opts.total)
  await Promise.all(Array.from({ length: slots }, slot))
  records.sort((a, b) => a.index - b.index)
  return records
}
