/**
 * Summary statistics of one distribution (METRICS.md, "Per level aggregates"): count, mean,
 * population std, min, max and percentiles interpolated linearly between closest ranks
 * (numpy's default, Hyndman & Fan type 7), computed on the exact samples.
 */
import type { Stats } from '../results/types.js'

/**
 * The p-th percentile (p in [0, 100], as numpy.percentile) of ascending-sorted samples, type 7:
 * h = (n − 1)·p/100, then linear interpolation between the samples at floor(h) and ceil(h).
 * Throws a RangeError for no samples or p outside [0, 100].
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length
  if (n === 0) throw new RangeError('percentile of no samples')
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in [0, 100], got ${p}`)
  const h = ((n - 1) * p) / 100
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  const t = h - lo
  const a = sorted[lo]
  const b = sorted[hi]
  if (t === 0 || a === b) return a
  // numpy's _lerp: the form anchored at the nearer end keeps the result within [a, b].
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t)
}

/**
 * Statistics of `values`, sorting `values` itself in place (no copy): for callers that built a
 * Float64Array of samples only to summarize it. Undefined for no samples.
 */
export function computeStatsInPlace(values: Float64Array): Stats | undefined {
  const n = values.length
  if (n === 0) return undefined
  values.sort() // typed-array sort is numeric
  let sum = 0
  for (let i = 0; i < n; i++) sum += values[i]
  const mean = sum / n
  // Two passes: the sum of squared deviations does not cancel catastrophically.
  let ss = 0
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean
    ss += d * d
  }
  return {
    count: n,
    mean,
    std: Math.sqrt(ss / n),
    min: values[0],
    max: values[n - 1],
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    p999: percentile(values, 99.9),
  }
}

/** Statistics of finite samples; `values` is not modified. Undefined when there are no samples. */
export function computeStats(values: ArrayLike<number>): Stats | undefined {
  if (values.length === 0) return undefined
  return computeStatsInPlace(new Float64Array(values))
}

/**
 * The median (linear interpolation between the two middle values, as percentile(…, 50)) by
 * selection, in O(n): progress lines redraw ten times a second, and sorting every TTFT so far at
 * each redraw grew to seconds of CPU over a run of 100,000 requests. Reorders `xs`.
 */
export function median(xs: number[]): number {
  const n = xs.length
  const hi = n >> 1
  const upper = select(xs, hi)
  if (n % 2 === 1) return upper
  // The lower middle is the largest value left of `hi` after selection.
  let lower = -Infinity
  for (let i = 0; i < hi; i++) if (xs[i] > lower) lower = xs[i]
  return lower + (upper - lower) * 0.5
}

/** The k-th smallest of `a` (Hoare's quickselect, middle pivot); leaves smaller values left of k. */
function select(a: number[], k: number): number {
  let lo = 0
  let hi = a.length - 1
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i] < pivot) i++
      while (a[j] > pivot) j--
      if (i <= j) {
        const t = a[i]
        a[i] = a[j]
        a[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else break
  }
  return a[k]
}
