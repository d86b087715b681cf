/**
 * Order statistics of a large sample without sorting all of it: up to 262,144 values are
 * sorted; past that (the pooled ITL gaps of a long level: 100,000 requests make 12.8 million) a
 * histogram over the top bits of each double finds the bins holding the wanted ranks, and only
 * those bins are sorted. Both give the exact k-th smallest value, so percentiles equal
 * metrics/stats.ts's (the same `percentile`, fed the two order statistics it reads).
 */
import { percentile } from '../metrics/stats.js'

/** Samples sorted outright up to this many. */
export const SORT_LIMIT = 1 << 18
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
  private bins = 0
  /** Sorted values of bins kept by the last percentilesWithCounts, by bin. */
  private kept: { of: Int32Array; values: Float64Array[] } | undefined

  /** The high 32 bits of each value (sign, exponent, top of the mantissa): a monotone key for values >= 0. */
  private readonly high: Uint32Array

  constructor(private readonly values: Float64Array, sortLimit = SORT_LIMIT) {
    this.n = values.length
    this.high = new Uint32Array(values.buffer, values.byteOffset, values.length * 2)
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
    this.minKey = minKey
    this.bins = bins
    const hist = new Uint32Array(bins)
    const high = this.high
    for (let i = 0, j = HI; i < v.length; i++, j += 2) {
      const b = (high[j] >>> SHIFT) - minKey
      hist[b < bins ? b : 0]++ // -0 (sign bit set) goes with +0 in bin 0
    }
    const cum = new Float64Array(bins + 1)
    for (let b = 0; b < bins; b++) cum[b + 1] = cum[b] + hist[b]
    this.hist = hist
    this.cum = cum
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
    const kept = this.kept
    if (kept && binOf.every((b) => kept.of[b] >= 0)) return ranks.map((k, i) => kept.values[kept.of[binOf[i]]][k - cum[binOf[i]]])
    // Each wanted bin gets a slot; one pass copies its values out, and only those are sorted.
    const slotOf = new Int32Array(this.hist!.length).fill(-1)
    const slots: Float64Array[] = []
    for (const b of binOf) if (slotOf[b] < 0) (slotOf[b] = slots.length), slots.push(new Float64Array(this.hist![b]))
    const fill = new Uint32Array(slots.length)
    const v = this.values
    const high = this.high
    const minKey = this.minKey
    const bins = this.bins
    for (let i = 0, j = HI; i < v.length; i++, j += 2) {
      const b = (high[j] >>> SHIFT) - minKey
      const s = slotOf[b < bins ? b : 0]
      if (s >= 0) slots[s][fill[s]++] = v[i]
    }
    for (const arr of slots) arr.sort()
    return ranks.map((k, i) => slots[slotOf[binOf[i]]][k - cum[binOf[i]]])
  }

  /** The bin holding rank k: the last bin whose cumulative count is <= k. */
  private binOfRank(k: number): number {
    const cum = this.cum!
    let lo = 0
    let hi = this.bins - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (cum[mid] <= k) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /**
   * Type-7 percentiles at each ascending `pct` and, for each block (values[start[b]] ..
   * values[start[b + 1] − 1]), how many of its values are <= each percentile: row b of `under`,
   * cumulative over the percentiles. With a histogram both come from one pass: a value's bin
   * tells which percentiles it is under, except in the few bins a percentile may fall in, whose
   * values (with their block) are kept, sorted, and compared exactly.
   */
  percentilesWithCounts(pcts: readonly number[], start: Uint32Array): { qs: number[]; under: Float64Array } {
    const k = start.length - 1
    const m = pcts.length
    const under = new Float64Array(k * m)
    const v = this.values
    const count = (block: number, x: number, qs: readonly number[]): void => {
      let j = 0
      while (j < m && qs[j] < x) j++
      if (j < m) under[block * m + j]++
    }
    const cumulate = (): void => {
      for (let b = 0; b < k; b++) for (let j = 1; j < m; j++) under[b * m + j] += under[b * m + j - 1]
    }
    if (this.sorted) {
      const qs = this.percentiles(pcts)
      for (let b = 0; b < k; b++) for (let i = start[b]; i < start[b + 1]; i++) count(b, v[i], qs)
      cumulate()
      return { qs, under }
    }
    const pos = pcts.map((p) => {
      const h = ((this.n - 1) * p) / 100
      const lo = Math.floor(h)
      return [lo, Math.min(lo + 1, this.n - 1)]
    })
    // Percentile j lies between the values at its two ranks: bins lowBin[j] .. highBin[j].
    const lowBin = pos.map(([lo]) => this.binOfRank(lo))
    const highBin = pos.map(([, hi]) => this.binOfRank(hi))
    const bins = this.bins
    const table = new Uint8Array(bins)
    const slotOf = new Int32Array(bins).fill(-1)
    const sizes: number[] = []
    // Bins a little around each percentile are kept too (values only): the ends of its interval
    // are usually there, and then `at` needs no further pass. The band allows a design effect of
    // 16 at six standard errors.
    const bandOf = new Int32Array(bins).fill(-1)
    const bandSizes: number[] = []
    pcts.forEach((p, i) => {
      const w = Math.ceil(24 * Math.sqrt(this.n * (p / 100) * (1 - p / 100))) + 2
      const from = this.binOfRank(Math.max(0, pos[i][0] - w))
      const to = this.binOfRank(Math.min(this.n - 1, pos[i][1] + w))
      for (let b = from; b <= to; b++) if (bandOf[b] < 0 && this.hist![b] > 0) (bandOf[b] = bandSizes.length), bandSizes.push(this.hist![b])
    })
    let j = 0
    for (let b = 0; b < bins; b++) {
      while (j < m && highBin[j] < b) j++
      // Under every percentile from the first whose bins start above b; a percentile's own bins are exact.
      let inside = false
      for (let t = j; t < m && lowBin[t] <= b; t++) if (highBin[t] >= b) inside = true
      if (inside) {
        table[b] = 255
        slotOf[b] = sizes.length
        sizes.push(this.hist![b])
      } else table[b] = j
    }
    const slotValues = sizes.map((n) => new Float64Array(n))
    const slotBlocks = sizes.map((n) => new Uint32Array(n))
    const fill = new Uint32Array(sizes.length)
    const bandValues = bandSizes.map((n) => new Float64Array(n))
    const bandFill = new Uint32Array(bandSizes.length)
    const high = this.high
    const minKey = this.minKey
    for (let b = 0; b < k; b++) {
      const row = b * m
      for (let i = start[b], h = 2 * start[b] + HI; i < start[b + 1]; i++, h += 2) {
        let bin = (high[h] >>> SHIFT) - minKey
        if (bin >= bins) bin = 0 // -0 (sign bit set) goes with +0 in bin 0
        const band = bandOf[bin]
        if (band >= 0) bandValues[band][bandFill[band]++] = v[i]
        const t = table[bin]
        if (t < 255) {
          if (t < m) under[row + t]++
          continue
        }
        const s = slotOf[bin]
        slotValues[s][fill[s]] = v[i]
        slotBlocks[s][fill[s]++] = b
      }
    }
    // Sort each kept bin by value (its blocks along), read the ranks, then count its values exactly.
    const sortedSlots = slotValues.map((vals, s) => {
      const order = Array.from(vals.keys()).sort((a, c) => vals[a] - vals[c])
      return { values: Float64Array.from(order, (i) => vals[i]), blocks: Uint32Array.from(order, (i) => slotBlocks[s][i]) }
    })
    const cum = this.cum!
    const rankValue = (r: number): number => {
      const bin = this.binOfRank(r)
      return sortedSlots[slotOf[bin]].values[r - cum[bin]]
    }
    const qs = pcts.map((p, i) => {
      const [lo, hi] = pos[i]
      const view: Record<number, number> & { length: number } = { length: this.n }
      view[lo] = rankValue(lo)
      view[hi] = rankValue(hi)
      return percentile(view, p)
    })
    for (const slot of sortedSlots) for (let i = 0; i < slot.values.length; i++) count(slot.blocks[i], slot.values[i], qs)
    cumulate()
    for (const arr of bandValues) arr.sort()
    this.kept = { of: bandOf, values: bandValues }
    return { qs, under }
  }

  /**
   * Type-7 percentiles at each `pct` (0..100), computed by metrics/stats.ts `percentile` from the
   * two order statistics it interpolates, so they equal the summary's to the last bit. One pass
   * over the values for all of them.
   */
  percentiles(pcts: readonly number[]): number[] {
    if (this.sorted) return pcts.map((p) => percentile(this.sorted!, p))
    const pos = pcts.map((p) => {
      const h = ((this.n - 1) * p) / 100
      const lo = Math.floor(h)
      return [lo, Math.min(lo + 1, this.n - 1)]
    })
    const values = this.at(pos.flat())
    return pcts.map((p, i) => {
      const [lo, hi] = pos[i]
      const view: Record<number, number> & { length: number } = { length: this.n }
      view[lo] = values[2 * i]
      view[hi] = values[2 * i + 1]
      return percentile(view, p)
    })
  }

  percentile(pct: number): number {
    return this.percentiles([pct])[0]
  }
}
