/**
 * Times drawn per use, as a session's think time and a mocked tool's latency are written
 * (options/sessions.ts): a constant, uniform between two times, or exponential around a mean.
 */
import { parseDuration } from '../options/duration.js'

export type TimeDraw =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'exponential'; meanMs: number }

/** A written time (`'2s'`, `{ min, max }`, `{ mean }`, `'0'`) as a TimeDraw. */
export function toTimeDraw(value: unknown): TimeDraw {
  if (value !== null && typeof value === 'object') {
    const v = value as { min?: unknown; max?: unknown; mean?: unknown }
    if (v.mean !== undefined) return { kind: 'exponential', meanMs: parseDuration(v.mean) }
    return { kind: 'uniform', minMs: parseDuration(v.min), maxMs: parseDuration(v.max) }
  }
  if (typeof value === 'string' && /^\s*0+(?:\.0+)?(?:ms|s|m|h)?\s*$/.test(value)) return { kind: 'constant', ms: 0 }
  return { kind: 'constant', ms: parseDuration(value) }
}

/** One draw in ms; `rng` gives uniform numbers in [0, 1). */
export function drawMs(d: TimeDraw, rng: () => number): number {
  switch (d.kind) {
    case 'constant':
      return d.ms
    case 'uniform':
      return d.minMs + (d.maxMs - d.minMs) * rng()
    case 'exponential':
      return -d.meanMs * Math.log(1 - rng())
  }
}
