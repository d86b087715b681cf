/**
 * A run's progress as events: the runner's callbacks turned into `level-start`, `measuring`,
 * `progress` (ended requests batched every PROGRESS_MS, sampled by the level's stride), `level-end`
 * and `notice`. It runs in the run's thread (run-worker.ts), beside the load it describes.
 */
import { now } from '../clock.js'
import type { RequestRecord } from '../results/types.js'
import { redactDeep } from '../results/redact.js'
import type { ScenarioListener } from '../runner/scenario.js'
import type { LiveEvent, LiveProgress, Sample } from './progress.js'

/** How often progress reaches subscribers: often enough to look live, rarely enough to cost the measurement nothing. */
const PROGRESS_MS = 250

/** Turns the runner's callbacks into progress events, batching ended requests every PROGRESS_MS. */
export class ProgressFeed {
  private timer?: NodeJS.Timeout
  private level = -1
  private t0 = 0
  private seen = 0
  private done = 0
  private failed = 0
  private lastDone = 0
  private stride = 1
  private pending: Sample[] = []

  constructor(private readonly emit: (e: LiveEvent) => void, private readonly progress: () => LiveProgress) {}

  listener(clean: (text: string) => string): ScenarioListener {
    return {
      onLevelStart: (l) => {
        this.flush()
        Object.assign(this, { level: l.index, seen: 0, done: 0, failed: 0, lastDone: 0, stride: 1, pending: [] })
        this.emit({ type: 'level-start', index: l.index, label: l.plan.label, load: l.plan.load, ...(l.total !== undefined ? { total: l.total } : {}), ...(l.durationSec !== undefined ? { durationSec: l.durationSec } : {}) })
      },
      onWarmupEnd: (l) => {
        this.t0 = now()
        this.emit({ type: 'measuring', index: l.index })
        this.timer ??= setInterval(() => this.flush(), PROGRESS_MS).unref()
      },
      onRecord: (r) => this.record(r),
      onLevelEnd: (level, start) => {
        this.flush()
        this.emit({ type: 'level-end', index: start.index, summary: redactDeep(level.summary, clean) })
      },
      onNotice: (line) => this.emit({ type: 'notice', line: clean(line) }),
    }
  }

  private record(r: RequestRecord): void {
    this.done++
    if (r.outcome !== 'ok') this.failed++
    if (this.seen++ % this.stride !== 0) return
    const ttft = r.firstTokenAt !== undefined ? round(r.firstTokenAt - r.sentAt) : null
    this.pending.push([round((r.endAt - this.t0) / 1000), ttft, round(r.endAt - r.sentAt), r.outputTokens, r.outcome === 'ok' ? 1 : 0])
  }

  private flush(): void {
    if (this.level < 0 || (!this.pending.length && this.done === this.lastDone)) return
    this.lastDone = this.done
    const samples = this.pending
    this.pending = []
    this.emit({ type: 'progress', index: this.level, done: this.done, failed: this.failed, samples })
    // The fold halves a full sample and doubles the level's stride: from then on fewer are sent.
    this.stride = this.progress().levels[this.level]?.stride ?? 1
  }

  stop(): void {
    this.flush()
    if (this.timer) clearInterval(this.timer)
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000
}
