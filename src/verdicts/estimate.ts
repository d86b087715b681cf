/**
 * One level's estimate of one figure with its standard error, from the spread of its blocks
 * (blocks.ts): the variance a block bootstrap would find, in closed form (linearization), so it is
 * exact, instant and needs no seed. Percentiles go through the proportion of requests under them
 * (Woodruff's interval): a p95 is uncertain by as many ranks as the share under it is uncertain.
 */
import { isGood } from '../metrics/goodput.js'
import { isSuccess } from '../metrics/request.js'
import type { LevelResult, SloSet, StatName } from '../results/types.js'
import { levelBlocks, MIN_BLOCKS, type Blocks } from './blocks.js'
import type { FigureSpec } from './figures.js'
import { OrderStats } from './order.js'
import { statSamples, type Blocked } from './samples.js'

export interface Estimate {
  /** The figure as the summary has it; null when the level has none (no samples). */
  value: number | null
  /** False when the data cannot give an interval; `reason` says why. */
  ok: boolean
  reason?: string
  /** Measured requests that would make it estimable (tiny samples). */
  needed?: number
  /** Standard error: relative to the value for relative figures, in points for proportions. */
  se: number
  /** Degrees of freedom of `se` (blocks − 1, or repeats − 1). */
  df: number
  /** Proportions: the effective sample size (requests ÷ design effect). */
  neff?: number
  /** Percentiles: the Woodruff interval of the figure itself at the multiplier asked. */
  range?: [number, number]
}

/** The summary's percentiles: all are estimated together. */
const PCTS = [50, 90, 95, 99, 99.9]

const fail = (value: number | null, reason: string, needed?: number): Estimate => ({ value, ok: false, reason, se: 0, df: 0, ...(needed !== undefined ? { needed } : {}) })

/**
 * Variance of a ratio estimator Σ y_b / Σ x_b from per-block residuals r_b = y_b − θ·x_b, with
 * blocks taken as independent draws (the with-replacement formula): K/(K−1) Σ (r_b − r̄)², over
 * the denominator squared by the caller.
 */
export function blockVariance(residuals: Float64Array): number {
  const k = residuals.length
  if (k < 2) return 0
  let mean = 0
  for (let i = 0; i < k; i++) mean += residuals[i]
  mean /= k
  let ss = 0
  for (let i = 0; i < k; i++) ss += (residuals[i] - mean) ** 2
  return (k / (k - 1)) * ss
}

/** The figure's value as the level summary holds it. */
export function summaryValue(level: LevelResult, spec: FigureSpec, slo: SloSet | undefined): number | null {
  const s = level.summary
  switch (spec.kind) {
    case 'rate': {
      const t = s.throughput
      return { requests: t.requestsPerSec, output: t.outputTokensPerSec, input: t.inputTokensPerSec, total: t.totalTokensPerSec }[spec.rate!]
    }
    case 'proportion':
      if (spec.proportion === 'errors') return s.requests.total > 0 ? s.requests.failed / s.requests.total : 0
      if (slo === undefined) return null
      if (s.goodput && sameSlo(s.goodput.slo, slo)) return s.goodput.ratio
      return null // computed from the records by the caller
    default: {
      if (spec.name === 'errors.count') return s.requests.failed
      const stats = s.stats[spec.stat!]
      const v = stats?.[spec.field as keyof typeof stats]
      return typeof v === 'number' ? v : null
    }
  }
}

export function sameSlo(a: SloSet, b: SloSet): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof SloSet>
  for (const k of keys) if (a[k] !== b[k]) return false
  return true
}

/** One level (one repeat): its blocks and, built when first asked, the samples of each distribution. */
export class LevelView {
  readonly blocks: Blocks
  private readonly samples = new Map<StatName, Blocked>()
  private readonly orders = new Map<StatName, OrderStats>()
  private readonly percentileSets = new Map<string, Map<number, Estimate>>()

  constructor(readonly level: LevelResult, maxBlocks?: number) {
    this.blocks = levelBlocks(level, maxBlocks)
  }

  /** Measured requests of the level (all of them, not only the kept sample). */
  get requests(): number {
    return this.level.summary.requests.total
  }

  samplesOf(stat: StatName): Blocked {
    let s = this.samples.get(stat)
    if (!s) this.samples.set(stat, (s = statSamples(this.blocks, stat)))
    return s
  }

  orderOf(stat: StatName): OrderStats {
    let o = this.orders.get(stat)
    if (!o) this.orders.set(stat, (o = new OrderStats(this.samplesOf(stat).values)))
    return o
  }

  /** Null when the level has enough blocks for an interval, else why not. */
  tooFew(): Estimate | null {
    const { count, minLength, records } = this.blocks
    if (count >= MIN_BLOCKS) return null
    const n = records.length
    if (n === 0) return fail(null, 'no measured requests', MIN_BLOCKS * minLength)
    const wave = minLength > 1 ? ` with about ${minLength} in flight at once` : ''
    return fail(
      null,
      `${n} measured request${n === 1 ? '' : 's'}${wave} give ${count} independent stretch${count === 1 ? '' : 'es'}; an interval needs ${MIN_BLOCKS} (about ${MIN_BLOCKS * minLength} requests)`,
      MIN_BLOCKS * minLength,
    )
  }

  /**
   * The estimate of `spec`; `z` is the multiplier percentile ranges are taken at (the one the
   * interval will use: a percentile's uncertainty is not symmetric, so its width is measured where it matters).
   */
  estimate(spec: FigureSpec, z: number, slo?: SloSet): Estimate {
    const value = summaryValue(this.level, spec, slo)
    if (spec.kind === 'extreme') return fail(value, `${spec.name} has no interval (it rests on a single request or a count): compare a percentile or a rate`)
    const few = this.tooFew()
    if (few) return { ...few, value }
    switch (spec.kind) {
      case 'percentile':
        return this.percentile(spec, value, z)
      case 'mean':
      case 'std':
        return this.moment(spec, value)
      case 'rate':
        return this.rate(spec, value)
      case 'proportion':
        return this.proportion(spec, value, slo)
    }
  }

  private percentile(spec: FigureSpec, value: number | null, z: number): Estimate {
    const stat = spec.stat!
    const n = this.samplesOf(stat).values.length
    if (value === null || n === 0) return fail(value, `no ${stat} samples`)
    const key = `${stat}@${z}`
    let set = this.percentileSets.get(key)
    if (!set) this.percentileSets.set(key, (set = this.percentileSet(stat, z)))
    const e = set.get(spec.p! * 100)!
    return e.ok ? { ...e, value } : { ...e, value, reason: `${spec.name}${e.reason}` }
  }

  /**
   * Woodruff's interval of every standard percentile of a distribution at once (three passes over
   * the samples, whatever their number): the share of samples at or under the percentile, per
   * block, gives the share's noise; the percentiles at that share ± z·se are the interval.
   */
  private percentileSet(stat: StatName, z: number): Map<number, Estimate> {
    const { values, start } = this.samplesOf(stat)
    const n = values.length
    const order = this.orderOf(stat)
    // The percentiles and, per block, how many samples fall under each: one pass.
    const { qs, under } = order.percentilesWithCounts(PCTS, start)
    const k = start.length - 1
    const m = PCTS.length
    const out = new Map<number, Estimate>()
    const positions: number[] = []
    const pending: Array<{ pct: number; q: number; lo: number; hi: number }> = []
    PCTS.forEach((pct, j) => {
      const p = pct / 100
      const resid = new Float64Array(k)
      for (let b = 0; b < k; b++) resid[b] = under[b * m + j] - p * (start[b + 1] - start[b])
      const binomial = (p * (1 - p)) / n
      const v = Math.max(blockVariance(resid) / (n * n), binomial)
      const se = Math.sqrt(v)
      const lo = p - z * se
      const hi = p + z * se
      // Both ends must fall between order statistics the data hold, not on the extreme sample alone.
      const lowOpen = !(lo >= 1 / (n - 1))
      const highOpen = !(hi <= (n - 2) / (n - 1))
      if (lowOpen || highOpen) {
        const range: [number, number] = [lowOpen ? -Infinity : NaN, highOpen ? Infinity : NaN]
        const need = Math.ceil((neededForTails(p, z, v / binomial) * this.requests) / n)
        const past = highOpen ? 'largest' : 'smallest'
        out.set(pct, { ...fail(null, ` of ${n} sample${n === 1 ? '' : 's'} cannot be bounded: its interval reaches past the ${past} sample`, need), range })
        if (!lowOpen) (positions.push(lo * 100), pending.push({ pct, q: qs[j], lo: positions.length - 1, hi: -1 }))
        if (!highOpen) (positions.push(hi * 100), pending.push({ pct, q: qs[j], lo: -1, hi: positions.length - 1 }))
        return
      }
      if (!(qs[j] > 0)) {
        out.set(pct, fail(null, ' is 0: no relative change can be measured from it'))
        return
      }
      positions.push(lo * 100, hi * 100)
      pending.push({ pct, q: qs[j], lo: positions.length - 2, hi: positions.length - 1 })
    })
    const at = order.percentiles(positions)
    for (const { pct, q, lo, hi } of pending) {
      const e = out.get(pct)
      if (e) {
        // A half-open interval: fill in the end the data do bound.
        if (lo >= 0) e.range![0] = at[lo]
        if (hi >= 0) e.range![1] = at[hi]
        continue
      }
      const range: [number, number] = [at[lo], at[hi]]
      out.set(pct, { value: null, ok: true, se: (range[1] - range[0]) / (2 * z) / q, df: k - 1, range })
    }
    return out
  }

  private moment(spec: FigureSpec, value: number | null): Estimate {
    const stat = spec.stat!
    const { values, start } = this.samplesOf(stat)
    const n = values.length
    if (value === null || n < 2) return fail(value, `${n} ${stat} sample${n === 1 ? '' : 's'}: too few for an interval`, 2)
    let sum = 0
    for (let i = 0; i < n; i++) sum += values[i]
    const mean = sum / n
    let ss = 0
    for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2
    const sd = Math.sqrt(ss / n)
    // Influence of each sample on the figure: x − mean for the mean, ((x − mean)² − s²) / 2s for the std.
    const influence = spec.kind === 'mean' ? (x: number) => x - mean : (x: number) => ((x - mean) ** 2 - sd * sd) / (2 * sd)
    const k = start.length - 1
    const resid = new Float64Array(k)
    let iid = 0
    for (let b = 0; b < k; b++) {
      let r = 0
      for (let i = start[b]; i < start[b + 1]; i++) {
        const f = influence(values[i])
        r += f
        iid += f * f
      }
      resid[b] = r
    }
    const figure = spec.kind === 'mean' ? mean : sd
    if (!(figure > 0)) return fail(value, `${spec.name} is 0: no relative change can be measured from it`)
    const v = Math.max(blockVariance(resid), iid) / (n * n)
    return { value, ok: true, se: Math.sqrt(v) / figure, df: k - 1 }
  }

  /**
   * A rate's noise. At a fixed concurrency the level's duration is the requests' own time in their
   * slots (Little's law: duration = Σ occupancy ÷ mean in flight), so the rate is a ratio of
   * per-block sums, successes (or tokens) over occupancy: its noise is the service time's, not the
   * jitter of when each block happened to start (those spans add up to the duration whatever they
   * are). At a rate the schedule sets the time: each block owns the span from its first send to the
   * next block's, the drain tail is kept once, and the noise is the arrivals' and the failures'.
   */
  private rate(spec: FigureSpec, value: number | null): Estimate {
    const { records, start, count } = this.blocks
    const load = this.level.summary.load
    const closed = load.kind === 'concurrency' && load.ramp === undefined
    let firstSent = Infinity
    let lastSent = -Infinity
    let lastEnd = -Infinity
    for (const r of records) {
      if (r.sentAt < firstSent) firstSent = r.sentAt
      if (r.sentAt > lastSent) lastSent = r.sentAt
      if (r.endAt > lastEnd) lastEnd = r.endAt
    }
    const time = new Float64Array(count)
    if (closed) {
      for (let b = 0; b < count; b++) {
        let o = 0
        for (let i = start[b]; i < start[b + 1]; i++) o += Math.max(0, records[i].endAt - records[i].sentAt)
        time[b] = o
      }
    } else {
      let prev = firstSent
      for (let b = 0; b < count; b++) {
        const next = b + 1 < count ? Math.min(lastSent, Math.max(prev, records[start[b + 1]].sentAt)) : lastSent
        time[b] = next - prev
        prev = next
      }
    }
    const x = new Float64Array(count)
    let total = 0
    let totalTime = 0
    for (let b = 0; b < count; b++) {
      let s = 0
      for (let i = start[b]; i < start[b + 1]; i++) {
        const r = records[i]
        if (!isSuccess(r)) continue
        s += spec.rate === 'requests' ? 1 : spec.rate === 'output' ? r.outputTokens : spec.rate === 'input' ? r.inputTokens : r.outputTokens + r.inputTokens
      }
      x[b] = s
      total += s
      totalTime += time[b]
    }
    if (!(lastEnd > firstSent) || !(total > 0)) return fail(value, `no ${spec.rate === 'requests' ? 'request' : 'token'} succeeded: no rate to compare`)
    // The open loop's drain tail (last send to last end) is in the denominator once, with no noise of its own.
    const denominator = closed ? totalTime : lastEnd - firstSent
    const theta = total / denominator
    const resid = new Float64Array(count)
    for (let b = 0; b < count; b++) resid[b] = x[b] - theta * time[b]
    const v = blockVariance(resid) / (denominator * denominator)
    // The level ends when its slowest last request does: that drain varies by about one request's
    // time in flight, a share of the duration that matters for short levels.
    let m1 = 0
    let m2 = 0
    for (const r of records) {
      const o = r.endAt - r.sentAt
      m1 += o
      m2 += o * o
    }
    m1 /= records.length
    const drain = Math.max(0, m2 / records.length - m1 * m1) / (lastEnd - firstSent) ** 2
    return { value, ok: true, se: Math.sqrt(v / (theta * theta) + drain), df: count - 1 }
  }

  private proportion(spec: FigureSpec, value: number | null, slo: SloSet | undefined): Estimate {
    const { records, start, count } = this.blocks
    const hit = spec.proportion === 'errors' ? (r: (typeof records)[number]) => !isSuccess(r) : (r: (typeof records)[number]) => isGood(r, slo!)
    if (spec.proportion === 'goodput' && slo === undefined) return fail(null, 'no goodput bounds (set an SLO)')
    const xs = new Float64Array(count)
    let x = 0
    const n = records.length
    for (let b = 0; b < count; b++) {
      let c = 0
      for (let i = start[b]; i < start[b + 1]; i++) if (hit(records[i])) c++
      xs[b] = c
      x += c
    }
    const p = x / n
    const own = value ?? p // goodput under bounds the summary did not use: from every kept record
    const resid = new Float64Array(count)
    for (let b = 0; b < count; b++) resid[b] = xs[b] - p * (start[b + 1] - start[b])
    const binomial = (p * (1 - p)) / n
    const v = blockVariance(resid) / (n * n)
    // Design effect: how much more the share varies than if requests were independent (never less).
    const deff = binomial > 0 ? Math.max(1, v / binomial) : 1
    return { value: own, ok: true, se: Math.sqrt(Math.max(v, binomial)), df: count - 1, neff: n / deff }
  }
}

/** Samples a percentile needs so that p ± z·se stays inside the order statistics (approximately). */
function neededForTails(p: number, z: number, deff: number): number {
  const tail = Math.min(p, 1 - p)
  // p + z·sqrt(p(1−p)·deff/n) <= 1 − 1/n  ⇐  n >= (z·sqrt(p(1−p)·deff) + 1)² / tail² … solved by doubling.
  let n = 4
  while (n < 1e12 && (tail - z * Math.sqrt((p * (1 - p) * deff) / n) < 1 / (n - 1))) n *= 1.25
  return Math.ceil(n)
}
