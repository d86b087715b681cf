/**
 * Where a level's records go one at a time, whether they come from this thread's loop
 * (runner/level.ts), from load threads (runner/threads.ts) or from the records files of shards
 * (merge-records.ts): the records file, the streaming summary (twelve numbers a request), the
 * bounded sample kept in the result, and for open loops and timed levels the schedule and the
 * time slices. Nothing here holds every record.
 */
import { LevelAccumulator } from '../metrics/accumulator.js'
import { ScheduleCollector } from '../metrics/schedule.js'
import { SliceCollector } from '../metrics/slices.js'
import { isMeasured } from '../metrics/request.js'
import { levelResultOf, levelSampleSeed, RecordSampler } from './trim.js'
import type { RecordsSink } from './records-file.js'
import type { LevelResult, LevelSummary, LoadSpec, RequestRecord, SloSet } from '../results/types.js'

export interface CollectedLevel {
  index: number
  /** The whole level's load. */
  load: LoadSpec
  slo?: SloSet
  /** Records kept in the result (default 100,000). */
  recordsLimit?: number
  /** The scenario's seed: the kept sample is drawn from it. */
  seed: number
  /** LoRA adapters (docs/request-kinds.md): every figure per adapter too, the base model's requests under `base`. */
  adapters?: { base: string }
}

/** Where time slices start and how wide they are (SliceCollector). */
export interface SliceWindow {
  origin: number
  width: number
  levelStart: number
  loadAt: (ms: number) => number
}

export class LevelCollector {
  private readonly acc = new LevelAccumulator()
  private readonly sample: RecordSampler
  private readonly schedule: ScheduleCollector | undefined
  private slices: SliceCollector | undefined
  /** One accumulator per adapter, when the level spreads requests over LoRA adapters. */
  private readonly byAdapter: Map<string, LevelAccumulator> | undefined

  constructor(
    private readonly level: CollectedLevel,
    private readonly file?: RecordsSink,
  ) {
    this.sample = new RecordSampler({ limit: level.recordsLimit, seed: levelSampleSeed(level.seed, level.index) })
    this.schedule = level.load.kind === 'rate' ? new ScheduleCollector() : undefined
    this.byAdapter = level.adapters ? new Map() : undefined
    file?.level({ index: level.index, load: level.load })
  }

  /** The measured part's window (first send, last end) on the records' clock. */
  window(): { start: number; end: number } | undefined {
    return this.acc.window()
  }

  /** Keep figures over time (ramps and timed levels). */
  startSlices(w: SliceWindow): void {
    this.slices = new SliceCollector(w.origin, w.width, w.levelStart, w.loadAt)
  }

  add(r: RequestRecord): void {
    this.file?.record(this.level.index, r)
    this.acc.add(r)
    if (this.byAdapter) {
      const key = r.adapter ?? this.level.adapters!.base
      let a = this.byAdapter.get(key)
      if (!a) this.byAdapter.set(key, (a = new LevelAccumulator()))
      a.add(r)
    }
    this.sample.add(r)
    if (!isMeasured(r)) return
    // A session's later requests follow its own replies: only its first is an arrival of the schedule.
    if (r.sessionId === undefined || (r.turn === 1 && (r.step ?? 1) === 1)) this.schedule?.add(r)
    this.slices?.add(r)
  }

  /** The level's summary: `meanTarget` is a rate level's mean target over its measured part. */
  summary(client: LevelSummary['client'], meanTarget: number): LevelSummary {
    const { load, slo } = this.level
    const summary = this.acc.finish({ load, slo, client })
    if (this.schedule) {
      const s = this.schedule.summarize(meanTarget, load.maxConcurrency)
      summary.schedule = s.schedule
      summary.warnings.push(...s.warnings)
    }
    if (this.slices) summary.timeSlices = this.slices.result()
    if (this.byAdapter) {
      // Every figure per adapter, in name order; the level's own warnings are not repeated there.
      const names = [...this.byAdapter.keys()].sort()
      summary.byAdapter = Object.fromEntries(names.map((n) => [n, { ...this.byAdapter!.get(n)!.finish({ load, slo, client }), warnings: [] }]))
    }
    return summary
  }

  /** Ends the level in the records file and gives its result: the summary and the kept sample. */
  result(summary: LevelSummary): LevelResult {
    this.file?.levelEnd(this.level.index, summary)
    return levelResultOf(summary, this.sample)
  }
}
