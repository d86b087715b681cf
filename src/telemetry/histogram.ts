/**
 * A server's latency histogram (Prometheus _bucket/_sum/_count) between two scrapes, its
 * percentiles, and the comparison with what the client measured for the same requests.
 *
 * Percentiles from buckets are interpolated linearly inside the bucket that holds the rank, as
 * Prometheus' histogram_quantile() does: they are only as fine as the buckets (vLLM's TTFT
 * buckets around 100 ms are 0.08, 0.1, 0.25, 0.5 s, so a p50 inside 0.1–0.25 s can be off by up
 * to 150 ms). The mean (_sum / _count) is exact.
 */
import type { ServerTtftComparison, Stats } from '../results/types.js'
import type { Sample } from './prometheus.js'

export interface Histogram {
  /** Cumulative counts by upper bound (seconds), ascending; the last bound is +Inf. */
  buckets: Array<[number, number]>
  sum: number
  count: number
}

/**
 * The histogram `family` (e.g. vllm:time_to_first_token_seconds) from scraped samples, summed
 * over its label sets (several models or engines), which is valid when they share bounds.
 */
export function histogramOf(samples: Sample[], family: string): Histogram | null {
  const byLe = new Map<number, number>()
  let sum = 0
  let count = 0
  let seen = false
  for (const s of samples) {
    if (!s.name.startsWith(family) || !Number.isFinite(s.value)) continue
    const suffix = s.name.slice(family.length)
    if (suffix === '_bucket') {
      const le = s.labels.le === undefined ? undefined : s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)
      if (le === undefined || Number.isNaN(le)) continue
      byLe.set(le, (byLe.get(le) ?? 0) + s.value)
      seen = true
    } else if (suffix === '_sum') sum += s.value
    else if (suffix === '_count') count += s.value
  }
  if (!seen) return null
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0])
  if (buckets[buckets.length - 1][0] !== Infinity) buckets.push([Infinity, count])
  return { buckets, sum, count: count || buckets[buckets.length - 1][1] }
}

/** What was observed between two scrapes. A counter reset (server restart) keeps only `end`. */
export function histogramDelta(start: Histogram, end: Histogram): Histogram {
  if (end.count < start.count) return end
  const before = new Map(start.buckets)
  return {
    buckets: end.buckets.map(([le, c]) => [le, Math.max(0, c - (before.get(le) ?? 0))]),
    sum: end.sum - start.sum,
    count: end.count - start.count,
  }
}

/** histogram_quantile(q) in seconds, with the bounds of the bucket it fell in; null when empty. */
export function histogramQuantile(q: number, h: Histogram): { value: number; lower: number; upper: number } | null {
  const b = h.buckets
  const total = b.length ? b[b.length - 1][1] : 0
  if (!(total > 0)) return null
  const rank = q * total
  let i = 0
  while (i < b.length - 1 && b[i][1] < rank) i++
  const lower = i === 0 ? 0 : b[i - 1][0]
  // The +Inf bucket has no upper bound to interpolate to: Prometheus answers its lower bound.
  if (b[i][0] === Infinity) return { value: lower, lower, upper: Infinity }
  const upper = b[i][0]
  const below = i === 0 ? 0 : b[i - 1][1]
  const inBucket = b[i][1] - below
  if (i === 0 && upper <= 0) return { value: upper, lower: upper, upper }
  const value = inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper
  return { value, lower, upper }
}

type Bounds = ServerTtftComparison['serverBucketsMs']['p50']
const ms = (s: number) => Math.round(s * 1e6) / 1e3

export function compareServerTtft(delta: Histogram, client: Pick<Stats, 'count' | 'mean' | 'p50' | 'p90' | 'p99'>): ServerTtftComparison | null {
  const p50 = histogramQuantile(0.5, delta)
  const p90 = histogramQuantile(0.9, delta)
  const p99 = histogramQuantile(0.99, delta)
  if (!p50 || !p90 || !p99 || !(delta.count > 0) || !(client.count > 0)) return null
  const serverMeanMs = ms(delta.sum / delta.count)
  const bounds = (p: { lower: number; upper: number }): Bounds => [ms(p.lower), Number.isFinite(p.upper) ? ms(p.upper) : null]
  const round = (x: number) => Math.round(x * 1e3) / 1e3
  return {
    serverCount: delta.count,
    clientCount: client.count,
    serverMeanMs,
    serverP50Ms: ms(p50.value),
    serverP90Ms: ms(p90.value),
    serverP99Ms: ms(p99.value),
    serverBucketsMs: { p50: bounds(p50), p90: bounds(p90), p99: bounds(p99) },
    clientMeanMs: client.mean,
    clientP50Ms: client.p50,
    clientP90Ms: client.p90,
    clientP99Ms: client.p99,
    differenceMeanMs: round(client.mean - serverMeanMs),
    differenceP50Ms: round(client.p50 - ms(p50.value)),
    differenceP90Ms: round(client.p90 - ms(p90.value)),
    differenceP99Ms: round(client.p99 - ms(p99.value)),
  }
}
