/**
 * A mergeable quantile sketch with relative error (DDSketch: Masson, Rim & Lee, VLDB 2019), for
 * distributions with too many samples to keep (METRICS.md, "Statistics": the result says so).
 *
 * Samples fall into logarithmic buckets: with γ = (1 + α)/(1 − α), a sample x with |x| ≥ m
 * (m = `minIndexable`, 1e-9 by default) goes to key ⌈log_γ |x|⌉, whose range (γ^(k−1), γ^k] is
 * represented by 2γ^k/(γ + 1), within α·|x| of every value in it; |x| < m counts as 0. Counts per
 * bucket, count, min and max are exact; the sum is compensated and the std comes from Welford's
 * update (rounding only).
 *
 * The guarantee. Sort the n samples: x(0) ≤ … ≤ x(n−1). The estimate x̂(k) of the k-th one is the
 * representative of the bucket holding it, clamped to [min, max] (exact for k = 0 and n − 1), so
 * |x̂(k) − x(k)| ≤ max(α·|x(k)|, m). `percentile(p)` interpolates as type 7 does: h = (n − 1)·p/100,
 * t = h − ⌊h⌋, v̂ = (1 − t)·x̂(⌊h⌋) + t·x̂(⌈h⌉). Against the exact type-7 value
 * v = (1 − t)·x(⌊h⌋) + t·x(⌈h⌉) that gives |v̂ − v| ≤ α·((1 − t)|x(⌊h⌋)| + t|x(⌈h⌉)|) + m, which
 * is α·|v| + m when the samples share one sign (ITL gaps are ≥ 0): relative error α against the
 * interpolated type-7 percentile itself, up to floating-point rounding (about 1e-12 relative).
 * Plain DDSketch answers with the bucket of one rank, which bounds the error against that
 * sample only, not against the interpolated value.
 *
 * Memory: one 8-byte count per bucket between the smallest and largest key, about
 * ln(max/min)/ln γ buckets (≈ 2,000 for 1 µs to 60 s at α = 0.005).
 */
import type { Stats } from '../results/types.js'

export const DEFAULT_RELATIVE_ACCURACY = 0.005
export const DEFAULT_MIN_INDEXABLE = 1e-9

/** Counts of a contiguous range of bucket keys, growing at either end as keys arrive. */
class Buckets {
  counts = new Float64Array(0)
  /** The key of counts[0]. */
  offset = 0
  total = 0

  add(key: number, n: number): void {
    let i = key - this.offset
    if (i < 0 || i >= this.counts.length) {
      this.grow(key)
      i = key - this.offset
    }
    this.counts[i] += n
    this.total += n
  }

  private grow(key: number): void {
    const empty = this.counts.length === 0
    const lo = empty ? key : Math.min(key, this.offset)
    const hi = empty ? key : Math.max(key, this.offset + this.counts.length - 1)
    const span = hi - lo + 1
    // Slack on both sides, so a key range drifting one way does not copy at every new key.
    const size = Math.max(span + 64, this.counts.length * 2)
    const next = new Float64Array(size)
    const offset = lo - Math.floor((size - span) / 2)
    if (!empty) next.set(this.counts, this.offset - offset)
    this.counts = next
    this.offset = offset
  }

  /** The key of the bucket holding the k-th smallest (0-based) entry; k < total. */
  keyAtRank(k: number): number {
    const c = this.counts
    let seen = 0
    for (let i = 0; i < c.length; i++) {
      seen += c[i]
      if (seen > k) return this.offset + i
    }
    return this.offset + c.length - 1
  }

  merge(other: Buckets): void {
    const c = other.counts
    for (let i = 0; i < c.length; i++) if (c[i] > 0) this.add(other.offset + i, c[i])
  }
}

export class QuantileSketch {
  readonly relativeAccuracy: number
  readonly minIndexable: number
  private readonly lnGamma: number
  private readonly invLnGamma: number
  private readonly scale: number
  private readonly positive = new Buckets()
  private readonly negative = new Buckets()
  private zeros = 0
  private n = 0
  private lo = Infinity
  private hi = -Infinity
  private sumHi = 0
  private sumLo = 0
  private welfordMean = 0
  private m2 = 0

  constructor(relativeAccuracy = DEFAULT_RELATIVE_ACCURACY, minIndexable = DEFAULT_MIN_INDEXABLE) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`relative accuracy must be in (0, 1), got ${relativeAccuracy}`)
    if (!(minIndexable > 0)) throw new RangeError(`minIndexable must be positive, got ${minIndexable}`)
    this.relativeAccuracy = relativeAccuracy
    this.minIndexable = minIndexable
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    this.lnGamma = Math.log(gamma)
    this.invLnGamma = 1 / this.lnGamma
    this.scale = 2 / (gamma + 1)
  }

  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`sketch sample must be finite, got ${x}`)
    if (x >= this.minIndexable) this.positive.add(Math.ceil(Math.log(x) * this.invLnGamma), 1)
    else if (x <= -this.minIndexable) this.negative.add(Math.ceil(Math.log(-x) * this.invLnGamma), 1)
    else this.zeros++
    const n = ++this.n
    if (x < this.lo) this.lo = x
    if (x > this.hi) this.hi = x
    // Neumaier's compensated sum: the mean of 10^8 samples stays exact to rounding.
    const s = this.sumHi + x
    this.sumLo += Math.abs(this.sumHi) >= Math.abs(x) ? this.sumHi - s + x : x - s + this.sumHi
    this.sumHi = s
    const d = x - this.welfordMean
    this.welfordMean += d / n
    this.m2 += d * (x - this.welfordMean)
  }

  /** Adds values[0..n): as n calls of add, with the std taken over the batch first (no division per sample). */
  addAll(values: ArrayLike<number>, n = values.length): void {
    if (n === 0) return
    const inv = this.invLnGamma
    const m = this.minIndexable
    let sum = 0
    let min = this.lo
    let max = this.hi
    // Checked before any count changes, so a bad batch leaves the sketch as it was.
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) throw new RangeError(`sketch sample must be finite, got ${values[i]}`)
    for (let i = 0; i < n; i++) {
      const x = values[i]
      if (x >= m) this.positive.add(Math.ceil(Math.log(x) * inv), 1)
      else if (x <= -m) this.negative.add(Math.ceil(Math.log(-x) * inv), 1)
      else this.zeros++
      if (x < min) min = x
      if (x > max) max = x
      sum += x
    }
    const mean = sum / n
    let m2 = 0
    for (let i = 0; i < n; i++) {
      const d = values[i] - mean
      m2 += d * d
    }
    this.combine(n, mean, m2, sum, 0, min, max)
  }

  /** Adds every sample of `other` (same relative accuracy and minIndexable). */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.minIndexable !== this.minIndexable) {
      throw new RangeError('cannot merge sketches of different accuracy')
    }
    if (other.n === 0) return
    this.positive.merge(other.positive)
    this.negative.merge(other.negative)
    this.zeros += other.zeros
    this.combine(other.n, other.welfordMean, other.m2, other.sumHi, other.sumLo, other.lo, other.hi)
  }

  /** Folds in the moments of other samples (Chan, Golub & LeVeque's pairwise update). */
  private combine(count: number, mean: number, m2: number, sumHi: number, sumLo: number, min: number, max: number): void {
    const n = this.n + count
    const d = mean - this.welfordMean
    this.m2 += m2 + (d * d * this.n * count) / n
    this.welfordMean += (d * count) / n
    this.n = n
    if (min < this.lo) this.lo = min
    if (max > this.hi) this.hi = max
    const s = this.sumHi + sumHi
    this.sumLo += (Math.abs(this.sumHi) >= Math.abs(sumHi) ? this.sumHi - s + sumHi : sumHi - s + this.sumHi) + sumLo
    this.sumHi = s
  }

  /** Samples added: exact, as min and max. */
  get count(): number {
    return this.n
  }

  get min(): number {
    return this.lo
  }

  get max(): number {
    return this.hi
  }

  get sum(): number {
    return this.sumHi + this.sumLo
  }

  /** The estimate x̂(k) of the k-th smallest sample (0-based), within max(α·|x(k)|, minIndexable). */
  valueAtRank(k: number): number {
    if (!(k >= 0 && k < this.n && Number.isInteger(k))) throw new RangeError(`rank must be an integer in [0, ${this.n}), got ${k}`)
    if (k === 0) return this.lo
    if (k === this.n - 1) return this.hi
    const neg = this.negative.total
    let v: number
    if (k < neg) v = -this.valueOf(this.negative.keyAtRank(neg - 1 - k))
    else if (k < neg + this.zeros) v = 0
    else v = this.valueOf(this.positive.keyAtRank(k - neg - this.zeros))
    // The true sample lies in [min, max]: clamping can only bring the estimate nearer.
    return Math.min(this.hi, Math.max(this.lo, v))
  }

  private valueOf(key: number): number {
    return Math.exp(key * this.lnGamma) * this.scale
  }

  /** The p-th percentile (p in [0, 100]), interpolated between estimated ranks as type 7. */
  percentile(p: number): number {
    const n = this.n
    if (n === 0) throw new RangeError('percentile of no samples')
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in [0, 100], got ${p}`)
    const h = ((n - 1) * p) / 100
    const lo = Math.floor(h)
    const t = h - lo
    const a = this.valueAtRank(lo)
    if (t === 0) return a
    const b = this.valueAtRank(Math.min(lo + 1, n - 1))
    if (a === b) return a
    return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t)
  }

  /** The Stats of the samples: count, min, max exact; mean, std to rounding; percentiles as above. */
  stats(): Stats | undefined {
    const n = this.n
    if (n === 0) return undefined
    return {
      count: n,
      mean: this.sum / n,
      std: Math.sqrt(Math.max(0, this.m2) / n),
      min: this.lo,
      max: this.hi,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    }
  }
}
