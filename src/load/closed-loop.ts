/**
 * Closed-loop load: keep `concurrency` requests in flight, each slot sending its next request as
 * soon as its last one ends. A request's scheduled time is the moment its slot freed (METRICS.md,
 * scheduledAt). The concurrency may follow a ramp: a slot above the current target idles.
 */
import { now } from '../clock.js'
import type { RequestRecord } from '../results/types.js'
import { PhaseClock, type Phase } from './phases.js'
import type { Profile } from './profile.js'
import type { LoopOutcome } from './open-loop.js'
import { yieldTurn } from './wait.js'
import { nextSlice } from './turns.js'

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

/** `total` requests, `concurrency` at a time: the warm-up phase and the simplest levels. */
export async function runClosedLoop(opts: ClosedLoopOptions): Promise<RequestRecord[]> {
  const phases = new PhaseClock({ warmup: { count: 0 }, measured: { count: opts.total }, cooldown: { count: 0 } })
  const out = await runPhasedClosedLoop({
    slots: Math.min(opts.concurrency, opts.total),
    phases,
    send: (i, at) => opts.send(i, at),
    onRecord: opts.onRecord,
    stopped: opts.stopped,
  })
  return out.records
}

export interface PhasedClosedLoopOptions {
  /** Slots in all (the most the profile ever asks for). */
  slots: number
  /** The target concurrency over time; default: every slot, always. */
  profile?: Profile
  phases: PhaseClock
  /** One unit of the load: a request (its record), or a session that hands on its own records (nothing). */
  send: (index: number, scheduledAt: number, phase: Phase) => Promise<RequestRecord | void>
  onRecord?: (record: RequestRecord) => void
  stopped?: () => boolean
  /** Keep the records in the outcome (default); false: onRecord is their only way out. */
  keep?: boolean
}

/** A slot above a ramp's current target checks again this often. */
const RAMP_POLL_MS = 5

export async function runPhasedClosedLoop(opts: PhasedClosedLoopOptions): Promise<LoopOutcome> {
  const t0 = now()
  const records: RequestRecord[] = []
  let next = 0
  let over = false
  const active = (slot: number, t: number) => opts.profile === undefined || slot < Math.round(opts.profile.valueAt(t))
  const slot = async (k: number): Promise<void> => {
    // Slots start a few per turn: thousands sent in one stretch would hold up the reads of the first ones' answers.
    if (k > 0) await nextSlice()
    let scheduledAt = now()
    while (!over && !opts.stopped?.()) {
      if (!active(k, now() - t0)) {
        await new Promise((resolve) => setTimeout(resolve, RAMP_POLL_MS))
        scheduledAt = now()
        // A ramp that never reaches this slot must still end: the phases decide when.
        if (opts.phases.peek(scheduledAt - t0) === null) over = true
        continue
      }
      const phase = opts.phases.next(scheduledAt - t0)
      if (phase === null) {
        over = true
        break
      }
      const index = next++
      const record = await opts.send(index, scheduledAt, phase)
      scheduledAt = now()
      if (record) {
        if (opts.keep !== false) records.push(record)
        opts.onRecord?.(record)
      }
      // Reads already waiting are stamped before this slot sends again: when many streams end
      // at once, sending their successors first would delay the arrival times of the others.
      await yieldTurn()
    }
  }
  await Promise.all(Array.from({ length: opts.slots }, (_, k) => slot(k)))
  records.sort((a, b) => a.index - b.index)
  return { records, startedAt: t0 }
}
