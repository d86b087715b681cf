/**
 * Open-loop load: requests go out on a schedule, whether or not earlier ones have finished, so a
 * slow server meets the traffic real users would send (no coordinated omission). With
 * `maxConcurrency`, a request that finds every slot busy waits for one and keeps its scheduled
 * time: the wait shows in its queue delay and E2E including queue.
 */
import { now } from '../clock.js'
import type { RequestRecord } from '../results/types.js'
import type { Phase, PhaseClock } from './phases.js'
import { waitUntil, yieldTurn } from './wait.js'

/**
 * One unit of the load: a request (its record), or a session that hands on its own records
 * (nothing). `readyAt`: when a slot freed for a unit that waited for one.
 */
export type PhasedSendFn = (index: number, scheduledAt: number, phase: Phase, readyAt?: number) => Promise<RequestRecord | void>

export interface OpenLoopOptions {
  /** Scheduled time of arrival `i` in ms after the level began; non-decreasing in `i`. */
  scheduleAt: (i: number) => number
  phases: PhaseClock
  send: PhasedSendFn
  maxConcurrency?: number
  onRecord?: (record: RequestRecord) => void
  stopped?: () => boolean
  /** Keep the records in the outcome (default); false: onRecord is their only way out, memory stays flat. */
  keep?: boolean
  /** Monotonic ms the schedule counts from (default: now): threads share one, so their arrivals interleave exactly. */
  startAt?: number
}

export interface LoopOutcome {
  records: RequestRecord[]
  /** Monotonic ms when the level began. */
  startedAt: number
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<LoopOutcome> {
  const t0 = opts.startAt ?? now()
  const records: RequestRecord[] = []
  const inFlight = new Set<Promise<void>>()
  const cap = opts.maxConcurrency ?? Infinity
  const freed: Array<() => void> = []

  for (let i = 0; !opts.stopped?.(); i++) {
    const offset = opts.scheduleAt(i)
    const phase = opts.phases.next(offset)
    if (phase === null) break
    const scheduledAt = t0 + offset
    await waitUntil(scheduledAt)
    let ready = scheduledAt
    if (inFlight.size >= cap) {
      await new Promise<void>((resolve) => freed.push(resolve))
      ready = Math.max(ready, now())
    }
    if (opts.stopped?.()) break
    const done: Promise<void> = opts.send(i, scheduledAt, phase, ready > scheduledAt ? ready : undefined).then((record) => {
      inFlight.delete(done)
      if (record) {
        if (ready > scheduledAt) record.readyAt = ready
        if (opts.keep !== false) records.push(record)
        opts.onRecord?.(record)
      }
      freed.shift()?.()
    })
    inFlight.add(done)
    // Reads already waiting are stamped before the next send, even when sends are overdue.
    await yieldTurn()
  }
  await Promise.all(inFlight)
  records.sort((a, b) => a.index - b.index)
  return { records, startedAt: t0 }
}
