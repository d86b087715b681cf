/**
 * Live progress of a run, as `llmbench serve` streams it: events, and the one function that folds
 * them into a snapshot. The server keeps its snapshot with it and the dashboard rebuilds the same
 * one from the stream, so both always agree. Plain data, no Node.js: the viewer imports this file.
 */
import type { StoredRun } from '../store/store.js'
import type { LevelSummary, LoadSpec } from '../results/types.js'

/** One measured request that ended: [seconds since measuring began, TTFT ms or null, E2E ms, output tokens, 1 ok / 0 failed]. */
export type Sample = [number, number | null, number, number, 0 | 1]

export interface LiveLevel {
  index: number
  label: string
  load: LoadSpec
  phase: 'warmup' | 'measuring' | 'done'
  /** Measured requests, for levels bounded by a count; else their length in seconds. */
  total?: number
  durationSec?: number
  done: number
  failed: number
  /** Every `stride`-th request that ended, at most MAX_SAMPLES: enough to draw. */
  samples: Sample[]
  stride: number
  summary?: LevelSummary
}

export interface LiveProgress {
  /** Levels planned; null for a sweep, which picks its levels as it goes. */
  planned: number | null
  levels: LiveLevel[]
  /** Lines about the run itself (a telemetry source that is not there). */
  notices: string[]
}

export type LiveEvent =
  | { type: 'run'; run: StoredRun }
  | { type: 'level-start'; index: number; label: string; load: LoadSpec; total?: number; durationSec?: number }
  | { type: 'measuring'; index: number }
  | { type: 'progress'; index: number; done: number; failed: number; samples: Sample[] }
  | { type: 'level-end'; index: number; summary: LevelSummary }
  | { type: 'notice'; line: string }

export const MAX_SAMPLES = 1000
const MAX_NOTICES = 50

export function emptyProgress(planned: number | null): LiveProgress {
  return { planned, levels: [], notices: [] }
}

/** Folds one event into the snapshot. */
export function applyEvent(p: LiveProgress, e: LiveEvent): void {
  if (e.type === 'level-start') {
    p.levels[e.index] = { index: e.index, label: e.label, load: e.load, phase: 'warmup', total: e.total, durationSec: e.durationSec, done: 0, failed: 0, samples: [], stride: 1 }
    return
  }
  if (e.type === 'notice') {
    if (p.notices.length < MAX_NOTICES) p.notices.push(e.line)
    return
  }
  if (e.type === 'run') return
  const level = p.levels[e.index]
  if (!level) return
  if (e.type === 'measuring') level.phase = 'measuring'
  else if (e.type === 'level-end') {
    level.phase = 'done'
    level.summary = e.summary
  } else {
    level.done = e.done
    level.failed = e.failed
    level.samples.push(...e.samples)
    // Halved when full, and from then on every other one kept: the sample stays even over the level.
    while (level.samples.length > MAX_SAMPLES) {
      level.samples = level.samples.filter((_, i) => i % 2 === 0)
      level.stride *= 2
    }
  }
}
