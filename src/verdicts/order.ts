/**
 * Order statistics of a large sample without sorting all of it: up to a million values are
 * sorted; past that (the pooled ITL gaps of a long level: 100,000 requests make 12.8 million) a
 * histogram over the top bits of each double finds the bins holding the wanted ranks, and only
 * those bins are sorted. Both give the exact k-th smallest value, so percentiles equal
 * metrics/stats.ts's (the same `percentile`, fed the two order statistics it reads).
 */
import { percentile } from '../metrics/stats.js'

/** Samples sorted outright up to this many. */
export const SORT_LIMIT = 1 << 20
/** Bits of mantissa a histogram bin keeps: bins 2^-12 (0.024%) wide in relative terms. */
const SHIFT = 8

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0 // the high word's index

function keyOf(v: number): number {
  f64[0] = v + 0 // -0 → +0: one key for zero
  return u32[HI] >>> SHIFT
}

export class OrderStats {
  readonly n: number
  private sorted: Float64Array | undefined
  private hist: Uint32Array | undefined
  private cum: Float64Array | undefined
  private minKey = 0

  constructor(private readonly values: Float64Array, sortLimit = SORT_LIMIT) {
    this.n = values.length
    if (this.n <= sortLimit || !this.buildHistogram()) this.sorted = values.slice().sort()
  }

  /** False when the values do not suit the histogram (negative or not finite): sort them instead. */
  private buildHistogram(): boolean {
    const v = this.values
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (x < min) min = x
      if (x > max) max = x
    }
    if (!(min >= 0) || !Number.isFinite(max)) return false
    const minKey = keyOf(min)
    const bins = keyOf(max) - minKey + 1
    if (bins > 1 << 23) return false
    const hist = new Uint32Array(bins)
    for (let i = 0; i < v.length; i++) {
      f64[0] = v[i] + 0
      hist[(u32[HI] >>> SHIFT) - minKey]++
    }
    const cum = new Float64Array(bins + 1)
    for (let b = 0; b < bins; b++) cum[b + 1] = cum[b] + hist[b]
    this.hist = hist
    this.cum = cum
    this.minKey = minKey
    return true
  }

  /** The k-th smallest values (0-based ranks in [0, n)), in the order asked. */
  at(ranks: readonly number[]): number[] {
    if (this.sorted) return ranks.map((k) => this.sorted![k])
    const cum = this.cum!
    // The bin of each rank: the last bin whose cumulative count is <= k.
    const binOf = ranks.map((k) => {
      let lo = 0
      let hi = this.hist!.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1
        if (cum[mid] <= k) lo = mid
        else hi = mid - 1
      }
      return lo
    })
    // Each wanted bin gets a slot; one pass copies its values out, and only those are sorted.
    const slotOf = new Int32Array(this.hist!.length).fill(-1)
    const slots: Float64Array[] = []
    for (const b of binOf) if (slotOf[b] < 0) (slotOf[b] = slots.length), slots.push(new Float64Array(this.hist![b]))
    const fill = new Uint32Array(slots.length)
    const v = this.values
    const minKey = this.minKey
    for (let i = 0; i < v.length; i++) {
      f64[0] = v[i] + 0
      const s = slotOf[(u32[HI] >>> SHIFT) - minKey]
      if (s >= 0) slots[s][fill[s]++] = v[i]
    }
    for (const arr of slots) arr.sort()
    return ranks.map((k, i) => slots[slotOf[binOf[i]]][k - cum[binOf[i]]])
  }

  /**
   * The type-7 percentile at `pct` (0..100), computed by metrics/stats.ts `percentile` from the
   * two order statistics it interpolates, so it equals the summary's to the last bit.
   */
  percentile(pct: number): number {
    if (this.sorted) return percentile(this.sorted, pct)
    const h = ((this.n - 1) * pct) / 100
    const lo = Math.floor(h)
    const hi = Math.min(lo + 1, this.n - 1)
    const [a, b] = this.at([lo, hi])
    const view: Record<number, number> & { length: number } = { length: this.n }
    view[lo] = a
    view[hi] = b
    return percentile(view, pct)
  }
}
