/**
 * The one clock of llmbench. Values are milliseconds on CLOCK_MONOTONIC (the clock behind
 * `process.hrtime`), so they compare across worker threads and across processes on one machine:
 * a test server in another process can record its write times on the same scale.
 *
 * `performance.now()` is the cheapest monotonic read in Node, but its origin is per thread; the
 * offset below maps it onto hrtime once per thread, so the hot path pays only `performance.now()`.
 */
import { performance } from 'node:perf_hooks'

function measureOffset(): number {
  let best = Infinity
  let offset = 0
  // The pair of reads that straddles the shortest interval gives the tightest offset.
  for (let i = 0; i < 25; i++) {
    const a = performance.now()
    const h = Number(process.hrtime.bigint()) / 1e6
    const b = performance.now()
    if (b - a < best) {
      best = b - a
      offset = h - (a + b) / 2
    }
  }
  return offset
}

const offset = measureOffset()

/** Milliseconds on the monotonic clock, microsecond resolution or better. */
export function now(): number {
  return performance.now() + offset
}

/** The wall-clock time (ISO 8601) that corresponds to a monotonic reading. */
export function toWallClock(monotonicMs: number): string {
  return new Date(Date.now() - (now() - monotonicMs)).toISOString()
}
