/**
 * Waiting until a moment on the monotonic clock. Timers fire late by up to a millisecond or more,
 * so the last stretch is covered by setImmediate turns, which also let pending reads be stamped.
 */
import { now } from '../clock.js'

const TIMER_SLACK_MS = 1.5

export async function waitUntil(at: number): Promise<void> {
  let left = at - now()
  if (left > TIMER_SLACK_MS) {
    await new Promise((resolve) => setTimeout(resolve, left - TIMER_SLACK_MS))
    left = at - now()
  }
  while (left > 0) {
    await new Promise((resolve) => setImmediate(resolve))
    left = at - now()
  }
}

/** One turn of the event loop: reads already waiting are stamped before the caller goes on. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
