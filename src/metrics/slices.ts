/**
 * A level's figures over time, in equal slices, for ramps and timed levels: the report draws how
 * latency and throughput moved as the load changed. A request belongs to the slice it ended in.
 * Slice percentiles come from relative-error sketches (metrics/sketch.ts), so a level of any
 * length keeps a few numbers per slice, not its records.
 */
import type { RequestRecord, TimeSlice } from '../results/types.js'
import { isSuccess, itlSamples, ttft } from './request.js'
import { QuantileSketch } from './sketch.js'

/** About this many slices per level, none shorter than a second. */
const TARGET_SLICES = 30
const MIN_SLICE_MS = 1000

/** The slice width for a level of `lengthMs`. */
export function sliceWidth(lengthMs: number): number {
  return Math.max(MIN_SLICE_MS, Math.ceil(lengthMs / TARGET_SLICES / 100) * 100)
}

interface Slice {
  ended: number
  failed: number
  tokens: number
  ttft: QuantileSketch
  itl: QuantileSketch
}

export class SliceCollector {
  private readonly slices: Slice[] = []
  private last = 0
  private readonly gaps: number[] = []

  /** `origin`: monotonic ms the slices count from; `loadAt`: the target load `ms` after `levelStart`. */
  constructor(
    private readonly origin: number,
    private readonly width: number,
    private readonly levelStart: number,
    private readonly loadAt: (ms: number) => number,
  ) {}

  add(r: RequestRecord): void {
    const k = Math.max(0, Math.floor((r.endAt - this.origin) / this.width))
    while (this.slices.length <= k) this.slices.push({ ended: 0, failed: 0, tokens: 0, ttft: new QuantileSketch(), itl: new QuantileSketch() })
    const s = this.slices[k]
    s.ended++
    this.last = Math.max(this.last, r.endAt - this.origin)
    if (!isSuccess(r)) {
      s.failed++
      return
    }
    s.tokens += r.outputTokens
    const t = ttft(r)
    if (t !== undefined) s.ttft.add(t)
    this.gaps.length = 0
    itlSamples(r, this.gaps)
    s.itl.addAll(this.gaps)
  }

  result(): TimeSlice[] {
    return this.slices.map((s, k) => {
      const startMs = k * this.width
      const endMs = Math.min(Math.max(this.last, startMs), startMs + this.width)
      const seconds = Math.max(endMs - startMs, 1) / 1000
      const slice: TimeSlice = {
        startSec: startMs / 1000,
        endSec: endMs / 1000,
        load: this.loadAt(this.origin - this.levelStart + (startMs + endMs) / 2),
        ended: s.ended,
        failed: s.failed,
        outputTokensPerSec: s.tokens / seconds,
      }
      if (s.ttft.count) Object.assign(slice, { ttftP50: s.ttft.percentile(50), ttftP99: s.ttft.percentile(99) })
      if (s.itl.count) Object.assign(slice, { itlP50: s.itl.percentile(50), itlP99: s.itl.percentile(99) })
      return slice
    })
  }
}

