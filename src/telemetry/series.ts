/**
 * Time series of one telemetry source, bounded: at most `maxSeries` label sets (a page can
 * invent label values) and `maxPoints` per series. A full series keeps every other point and
 * from then on records every other reading, so it stays evenly spaced over the whole run.
 */
import type { TelemetrySeries } from '../results/types.js'
import { labelKey } from './prometheus.js'
import type { KnownMetric } from './server-metrics.js'

export interface Reading {
  metric: KnownMetric
  labels: Record<string, string>
  value: number
}

const MAX_LABEL_CHARS = 200

interface Entry {
  series: TelemetrySeries
  stride: number
  seen: number
  /** Counters: the raw value and time of the previous reading. */
  last?: [number, number]
}

export class SeriesStore {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly source: TelemetrySeries['source'],
    private readonly maxPoints = 100_000,
    private readonly maxSeries = 512,
  ) {}

  add(at: number, readings: Reading[]): void {
    const present = new Set(readings.map((r) => r.metric.name))
    // A page may repeat a series (it must not): the first value counts.
    const done = new Set<string>()
    for (const r of readings) {
      if (r.metric.supersededBy && present.has(r.metric.supersededBy)) continue
      if (!Number.isFinite(r.value)) continue
      const key = `${r.metric.name}{${labelKey(r.labels)}}`
      if (done.has(key)) continue
      done.add(key)
      let e = this.entries.get(key)
      if (!e) {
        if (this.entries.size >= this.maxSeries) continue
        e = { series: this.newSeries(r), stride: 1, seen: 0 }
        this.entries.set(key, e)
      }
      let value = r.value * (r.metric.scale ?? 1)
      if (r.metric.kind === 'rate') {
        const prev = e.last
        e.last = [at, r.value]
        // The first reading has nothing to diff with; a drop is a counter reset (server restart).
        if (!prev || at <= prev[0] || r.value < prev[1]) continue
        value = ((r.value - prev[1]) * 1000) / (at - prev[0])
      }
      this.push(e, at, value)
    }
  }

  series(): TelemetrySeries[] {
    return [...this.entries.values()].map((e) => e.series).filter((s) => s.points.length > 0)
  }

  private push(e: Entry, at: number, value: number): void {
    if (e.seen++ % e.stride !== 0) return
    const points = e.series.points
    points.push([Math.round(at * 1000) / 1000, Math.round(value * 1e6) / 1e6])
    if (points.length < this.maxPoints) return
    let j = 0
    for (let i = 0; i < points.length; i += 2) points[j++] = points[i]
    points.length = j
    // The kept points are the readings whose index is a multiple of the new stride.
    e.stride *= 2
  }

  private newSeries(r: Reading): TelemetrySeries {
    const s: TelemetrySeries = { source: this.source, name: r.metric.name, label: r.metric.label, points: [] }
    if (r.metric.unit) s.unit = r.metric.unit
    const keys = Object.keys(r.labels)
    if (keys.length) s.labels = Object.fromEntries(keys.map((k) => [k, r.labels[k].slice(0, MAX_LABEL_CHARS)]))
    return s
  }
}
