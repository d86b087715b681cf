/**
 * The over-saturation check (issue 15, item 6), as GuideLLM's `over_saturation`: the time to
 * first token, counted from when each request was due (so the client's own queue counts too),
 * keeps rising with time at a fixed load. The least-squares slope over batch means must be both
 * clear (t above the 1 − 10⁻⁴ quantile at every look, so a flat level looked at a few hundred
 * times almost never trips it) and large (the fitted latency grew by half or more across the window).
 */
import { e2e, isSuccess, ttft } from '../metrics/request.js'
import type { LoadSpec, RequestRecord } from '../results/types.js'
import { tQuantile } from './distributions.js'

export interface OverSaturationOptions {
  /** Least relative rise of the fitted latency across the window, default 0.5 (+50%). */
  minRise?: number
  /** Per-look false-alarm chance of the slope test, default 1e-4. */
  alphaPerLook?: number
}

/** Fewest batches before the slope is looked at. */
export const MIN_BATCHES = 10

/** The over-saturation check: a clear and large rise of latency over time, on batch means. */
export class SaturationDetector {
  private readonly xs: number[] = []
  private readonly ys: number[] = []
  private sx = 0
  private sy = 0
  private k = 0
  private readonly minRise: number
  private readonly alphaPerLook: number
  /** The last check's answer and the batch count it was for: it only changes when a batch closes. */
  private checkedAt = -1
  private checked: string | undefined

  constructor(opts: OverSaturationOptions, private readonly load: LoadSpec | undefined) {
    this.minRise = opts.minRise ?? 0.5
    this.alphaPerLook = opts.alphaPerLook ?? 1e-4
  }

  add(r: RequestRecord): void {
    if (!isSuccess(r)) return
    const first = r.stream ? ttft(r) : e2e(r)
    if (first === undefined) return
    // Counted from when the request was due: a client queue (maxConcurrency) shows saturation too.
    this.sx += r.scheduledAt
    this.sy += first + (r.sentAt - r.scheduledAt)
    this.k++
  }

  closeBatch(): void {
    if (this.k === 0) return
    this.xs.push(this.sx / this.k / 1000)
    this.ys.push(this.sy / this.k)
    this.sx = this.sy = this.k = 0
  }

  /** A line saying what rose, or undefined. Looks at the latest three quarters of the batches. */
  check(): string | undefined {
    // Asked after every record; the fit (and its t quantile, a few thousand operations) is redone per batch.
    if (this.checkedAt !== this.xs.length) {
      this.checked = this.fit()
      this.checkedAt = this.xs.length
    }
    return this.checked
  }

  private fit(): string | undefined {
    const n = this.xs.length
    if (n < MIN_BATCHES) return undefined
    const from = n - Math.max(MIN_BATCHES, Math.ceil(0.75 * n))
    const xs = this.xs.slice(from)
    const ys = this.ys.slice(from)
    const m = xs.length
    const mx = xs.reduce((s, v) => s + v, 0) / m
    const my = ys.reduce((s, v) => s + v, 0) / m
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < m; i++) {
      sxx += (xs[i] - mx) ** 2
      sxy += (xs[i] - mx) * (ys[i] - my)
    }
    if (!(sxx > 0)) return undefined
    const slope = sxy / sxx
    let rss = 0
    for (let i = 0; i < m; i++) rss += (ys[i] - my - slope * (xs[i] - mx)) ** 2
    const se = Math.sqrt(rss / (m - 2) / sxx)
    const t = se > 0 ? slope / se : slope > 0 ? Infinity : 0
    const start = my + slope * (xs[0] - mx)
    const end = my + slope * (xs[m - 1] - mx)
    const rise = start > 0 ? end / start - 1 : Infinity
    if (!(slope > 0 && t > tQuantile(1 - this.alphaPerLook, m - 2) && rise >= this.minRise)) return undefined
    const at = this.load ? ` at ${this.load.kind === 'rate' ? `rate ${this.load.value}/s` : `concurrency ${this.load.value}`}` : ''
    const ms = (v: number): string => `${Math.round(v).toLocaleString('en-US')} ms`
    return `time to first token (from when each request was due) rose from ${ms(start)} to ${ms(end)} over ${Math.round(xs[m - 1] - xs[0])} s${at} (+${ms(slope)}/s, t = ${t.toFixed(1)}): the server cannot keep up with this load`
  }
}
