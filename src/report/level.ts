/**
 * One level's digest for the report: its summary as-is, TTFT and ITL binned into histograms and
 * CDF points, a timeline of at most TIMELINE_MAX requests, and the distinct error messages. The
 * per-token arrival times of the records stay out: they are what makes a result large.
 */
import { percentile, summaryOfRepeats, ttft, writeItlSamples, itlSampleCount } from '../metrics/index.js'
import type { LevelResult, Outcome, RequestRecord } from '../results/types.js'
import { stripControls } from '../text/sanitize.js'
import type { Distribution, ErrorSample, ReportLevel, Timeline, TimelineRow } from './types.js'

/** Requests drawn on a level's timeline; more are sampled down to this. */
export const TIMELINE_MAX = 2000
/** At most this many of the timeline's rows go to failures, so a few hundred errors are all seen. */
const TIMELINE_FAILURES_MAX = 1000
const HISTOGRAM_BINS = 50
const ERROR_SAMPLES_MAX = 20
const MESSAGE_MAX = 300

/** Milliseconds to 1 µs: the records' own resolution. */
const us = (v: number) => Math.round(v * 1000) / 1000
/** Timeline positions to 0.1 ms: finer than a pixel on any screen. */
const tenth = (v: number) => Math.round(v * 10) / 10

/**
 * The digests of a scenario's levels, one per load: repeats of a load (`repeat`) are drawn as one
 * level, their mean summary (metrics/repeats.ts) over all their requests, each repeat's summary kept.
 */
export function digestLevels(levels: readonly LevelResult[]): ReportLevel[] {
  const groups = new Map<string, LevelResult[]>()
  for (const l of levels) {
    const key = `${l.summary.load.kind}:${l.summary.load.value}:${l.summary.load.repeat ? 'r' : groups.size}`
    groups.set(key, [...(groups.get(key) ?? []), l])
  }
  return [...groups.values()].map((g) =>
    g.length === 1
      ? digestLevel(g[0])
      : { ...digestLevel({ summary: summaryOfRepeats(g.map((l) => l.summary)), records: g.flatMap((l) => l.records) }), repeats: g.map((l) => l.summary) },
  )
}

export function digestLevel(level: LevelResult): ReportLevel {
  const measured = level.records.filter((r) => !r.warmup)
  let t0 = Infinity
  for (const r of measured) if (r.sentAt < t0) t0 = r.sentAt
  if (!Number.isFinite(t0)) t0 = 0
  const s = level.summary
  const out: ReportLevel = {
    summary: s,
    t0,
    timeline: timeline(measured, t0),
    errorSamples: errorSamples(measured),
  }
  if (s.concurrency.achieved > 0) out.perUserTokensPerSec = s.throughput.outputTokensPerSec / s.concurrency.achieved
  const ok = measured.filter((r) => r.outcome === 'ok')
  const ttfts: number[] = []
  for (const r of ok) {
    const v = ttft(r)
    if (v !== undefined) ttfts.push(v)
  }
  if (ttfts.length) out.ttft = distribution(Float64Array.from(ttfts))
  let n = 0
  for (const r of ok) n += itlSampleCount(r)
  if (n > 0) {
    const itl = new Float64Array(n)
    let o = 0
    for (const r of ok) o = writeItlSamples(r, itl, o)
    out.itl = distribution(itl)
  }
  return out
}

/** Histogram and CDF of `values` (sorted in place). */
export function distribution(values: Float64Array): Distribution {
  values.sort()
  const count = values.length
  const lo = values[0]
  // The histogram spans the bulk; the tail beyond p99 is counted, not drawn as empty bins (the
  // CDF shows it in full).
  const hi = count >= 200 ? percentile(values, 99) : values[count - 1]
  const bins = Math.min(HISTOGRAM_BINS, Math.max(5, Math.ceil(Math.sqrt(count))))
  const width = niceStep((hi - lo) / bins || Math.max(Math.abs(lo) * 0.01, 0.001))
  const start = Math.floor(lo / width) * width
  const nbins = Math.max(1, Math.floor((hi - start) / width) + 1)
  const counts = new Array<number>(nbins).fill(0)
  let over = 0
  for (let i = 0; i < count; i++) {
    const b = Math.floor((values[i] - start) / width)
    if (b >= nbins) over++
    else counts[Math.max(0, b)]++
  }
  return { count, start: us(start), width: us(width) || 0.001, counts, over, cdf: cdfPoints(values) }
}

/** A step of 1, 2 or 5 × 10^k at least `raw`: bin edges a reader can follow. */
function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow
  return 10 * pow
}

/** Every sample for small sets; otherwise fixed quantiles, finer in the tail. */
function cdfPoints(sorted: Float64Array): Array<[number, number]> {
  const n = sorted.length
  if (n <= 200) return Array.from(sorted, (v, i) => [us(v), (i + 1) / n] as [number, number])
  const ps: number[] = []
  for (let p = 0; p <= 100; p += 0.5) ps.push(p)
  ps.push(99.9, 99.99)
  ps.sort((a, b) => a - b)
  return ps.map((p) => [us(percentile(sorted, p)), p / 100])
}

/**
 * Each measured request as a bar from its send to its last token (its end when it failed), with
 * its first token; evenly sampled to TIMELINE_MAX rows, keeping failures first so none vanish.
 */
function timeline(measured: RequestRecord[], t0: number): Timeline {
  const sorted = [...measured].sort((a, b) => a.sentAt - b.sentAt)
  let chosen = sorted
  if (sorted.length > TIMELINE_MAX) {
    const failed = sorted.filter((r) => r.outcome !== 'ok')
    const keptFailed = evenly(failed, Math.min(failed.length, TIMELINE_FAILURES_MAX))
    const ok = sorted.filter((r) => r.outcome === 'ok')
    const keptOk = evenly(ok, TIMELINE_MAX - keptFailed.length)
    chosen = [...keptFailed, ...keptOk].sort((a, b) => a.sentAt - b.sentAt)
  }
  const outcomes: Outcome[] = []
  const rows = chosen.map((r): TimelineRow => {
    let k = outcomes.indexOf(r.outcome)
    if (k < 0) k = outcomes.push(r.outcome) - 1
    const end = r.outcome === 'ok' ? (r.lastTokenAt ?? r.endAt) : r.endAt
    return [tenth(r.sentAt - t0), r.firstTokenAt === undefined ? -1 : tenth(r.firstTokenAt - t0), tenth(end - t0), k]
  })
  return { total: measured.length, outcomes, rows }
}

/** `k` items spread evenly over `items`, first and last included. */
function evenly<T>(items: T[], k: number): T[] {
  if (k >= items.length) return items
  if (k <= 0) return []
  if (k === 1) return [items[0]]
  const out: T[] = []
  for (let i = 0; i < k; i++) out.push(items[Math.round((i * (items.length - 1)) / (k - 1))])
  return out
}

function errorSamples(measured: RequestRecord[]): ErrorSample[] {
  const byKey = new Map<string, ErrorSample>()
  for (const r of measured) {
    if (r.outcome === 'ok') continue
    // Shown as text in the page; escape sequences and bidi overrides would still garble or disguise it.
    const message = stripControls(r.error?.message ?? '').slice(0, MESSAGE_MAX)
    const key = `${r.outcome}\0${r.error?.status ?? ''}\0${message}`
    const known = byKey.get(key)
    if (known) known.count++
    else byKey.set(key, { kind: r.outcome, ...(r.error?.status !== undefined ? { status: r.error.status } : {}), message, count: 1 })
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count).slice(0, ERROR_SAMPLES_MAX)
}
