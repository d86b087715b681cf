/**
 * Progress while a level runs: a bar redrawn in place on a terminal, plain lines in CI logs.
 * The live TTFT median is a display aid only; the figures come from the metrics module.
 */
import { median } from '../metrics/stats.js'
import type { RequestRecord } from '../results/types.js'

const REDRAW_MS = 100
const LOG_EVERY_MS = 5000

export class Progress {
  private done = 0
  private failed = 0
  private total = 0
  /** A level bounded by time: the bar shows time instead of requests. */
  private durationSec: number | undefined
  private label = ''
  private startedAt = 0
  private lastDraw = 0
  private ttfts: number[] = []
  /** What `total` counts: requests, or sessions (each ended by a record with `sessionEnd`). */
  private unit: 'requests' | 'sessions' = 'requests'

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY) && !process.env.CI,
  ) {}

  start(label: string, total = 0, durationSec?: number, unit: 'requests' | 'sessions' = 'requests'): void {
    this.label = label
    this.total = total
    this.unit = unit
    this.durationSec = durationSec
    this.done = 0
    this.failed = 0
    this.ttfts = []
    this.startedAt = performance.now()
    this.lastDraw = this.tty ? 0 : this.startedAt
    if (!this.tty) this.out.write(`${label}: running ${durationSec !== undefined ? `for ${durationSec} s` : `${total} ${unit}`}\n`)
  }

  record(r: RequestRecord): void {
    if (r.outcome === 'aborted') return // cut by Ctrl-C: not a request of the figures
    if (this.unit === 'requests' || r.sessionEnd !== undefined) this.done++
    if (r.outcome !== 'ok') this.failed++
    else if (r.firstTokenAt !== undefined) this.ttfts.push(r.firstTokenAt - r.sentAt)
    const t = performance.now()
    if (this.tty ? t - this.lastDraw >= REDRAW_MS || this.done === this.total : t - this.lastDraw >= LOG_EVERY_MS) {
      this.lastDraw = t
      this.draw()
    }
  }

  end(): void {
    if (this.tty) this.out.write('\r\x1b[2K')
  }

  private draw(): void {
    const elapsed = ((performance.now() - this.startedAt) / 1000).toFixed(1)
    let ttft = ''
    if (this.ttfts.length) ttft = `  TTFT p50 ${median(this.ttfts).toFixed(1)} ms`
    const fail = this.failed ? `  ${this.failed} failed` : ''
    if (this.tty) {
      const width = 24
      const part = this.durationSec !== undefined ? Number(elapsed) / this.durationSec : this.done / Math.max(1, this.total)
      const filled = Math.min(width, Math.round(part * width))
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
      this.out.write(`\r\x1b[2K${this.label} ${bar} ${this.count()}  ${elapsed}s${ttft}${fail}`)
    } else {
      this.out.write(`${this.label}: ${this.count()} done, ${elapsed}s${ttft}${fail}\n`)
    }
  }

  private count(): string {
    return this.durationSec !== undefined ? String(this.done) : `${this.done}/${this.total}`
  }
}
