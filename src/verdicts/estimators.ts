/**
 * The estimators: one figure of one level with its standard error, from the per-block residuals
 * of the figure's linear form (each sample's influence on the figure, summed per block) and their
 * long-run variance (dependence.ts): what a block bootstrap with a data-chosen block length would
 * find, in closed form, so it is exact, fast and needs no seed.
 */
import { isGood } from '../metrics/goodput.js'
import { isSuccess } from '../metrics/request.js'
import { taskAnswered, taskEnded } from '../metrics/workload-figures.js'
import type { LoadSpec, RequestRecord, SloSet } from '../results/types.js'
import type { Blocks } from './blocks.js'
import { longRunVariance } from './dependence.js'
import type { FigureSpec } from './figures.js'
import type { OrderStats } from './order.js'
import type { Blocked } from './samples.js'

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
export const PCTS = [50, 90, 95, 99, 99.9]

export const fail = (value: number | null, reason: string, needed?: number): Estimate => ({ value, ok: false, reason, se: 0, df: 0, ...(needed !== undefined ? { needed } : {}) })

/**
 * Woodruff's interval of every standard percentile of a distribution at once (three passes over
 * the samples, whatever their number): the share of samples at or under the percentile, per
 * block, gives the share's noise; the percentiles at that share ± z·se are the interval.
 */
export function percentileSet(samples: Blocked, order: OrderStats, z: number, requests: number): Map<number, Estimate> {
  const { values, start } = samples
  const n = values.length
  // The percentiles and, per block, how many samples fall under each: one pass.
  const { qs, under } = order.percentilesWithCounts(PCTS, start)
  const k = start.length - 1
  const m = PCTS.length
  const out = new Map<number, Estimate>()
  const positions: number[] = []
  const pending: Array<{ pct: number; q: number; lo: number; hi: number; df: number }> = []
  PCTS.forEach((pct, j) => {
    const p = pct / 100
    const resid = new Float64Array(k)
    for (let b = 0; b < k; b++) resid[b] = under[b * m + j] - p * (start[b + 1] - start[b])
    const binomial = (p * (1 - p)) / n
    const lr = longRunVariance(resid)
    const v = Math.max(lr.variance / (n * n), binomial)
    const se = Math.sqrt(v)
    const lo = p - z * se
    const hi = p + z * se
    // Both ends must fall between order statistics the data hold, not on the extreme sample alone.
    const lowOpen = !(lo >= 1 / (n - 1))
    const highOpen = !(hi <= (n - 2) / (n - 1))
    if (lowOpen || highOpen) {
      const range: [number, number] = [lowOpen ? -Infinity : NaN, highOpen ? Infinity : NaN]
      const need = Math.ceil((neededForTails(p, z, v / binomial) * requests) / n)
      const past = highOpen ? 'largest' : 'smallest'
      out.set(pct, { ...fail(null, ` of ${n} sample${n === 1 ? '' : 's'} cannot be bounded: its interval reaches past the ${past} sample`, need), range })
      if (!lowOpen) (positions.push(lo * 100), pending.push({ pct, q: qs[j], lo: positions.length - 1, hi: -1, df: lr.df }))
      if (!highOpen) (positions.push(hi * 100), pending.push({ pct, q: qs[j], lo: -1, hi: positions.length - 1, df: lr.df }))
      return
    }
    if (!(qs[j] > 0)) {
      out.set(pct, fail(null, ' is 0: no relative change can be measured from it'))
      return
    }
    positions.push(lo * 100, hi * 100)
    pending.push({ pct, q: qs[j], lo: positions.length - 2, hi: positions.length - 1, df: lr.df })
  })
  const at = order.percentiles(positions)
  for (const { pct, q, lo, hi, df } of pending) {
    const e = out.get(pct)
    if (e) {
      // A half-open interval: fill in the end the data do bound.
      if (lo >= 0) e.range![0] = at[lo]
      if (hi >= 0) e.range![1] = at[hi]
      continue
    }
    const range: [number, number] = [at[lo], at[hi]]
    out.set(pct, { value: null, ok: true, se: (range[1] - range[0]) / (2 * z) / q, df, range })
  }
  return out
}

export function moment(spec: FigureSpec, value: number | null, samples: Blocked): Estimate {
  const stat = spec.stat!
  const { values, start } = samples
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
  const lr = longRunVariance(resid)
  const v = Math.max(lr.variance, iid) / (n * n)
  return { value, ok: true, se: Math.sqrt(v) / figure, df: lr.df }
}

/**
 * A rate's noise. At a fixed concurrency the level's duration is the requests' own time in their
 * slots (Little's law: duration = Σ occupancy ÷ mean in flight), so the rate is a ratio of
 * per-block sums, successes (or tokens) over occupancy: its noise is the service time's, not the
 * jitter of when each block happened to start (those spans add up to the duration whatever they
 * are). At a rate the schedule sets the time: each block owns the span from its first send to the
 * next block's, the drain tail is kept once, and the noise is the arrivals' and the failures'.
 */
export function rate(spec: FigureSpec, value: number | null, blocks: Blocks, load: LoadSpec): Estimate {
  const { records, start, count } = blocks
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
  const lr = longRunVariance(resid)
  const v = lr.variance / (denominator * denominator)
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
  return { value, ok: true, se: Math.sqrt(v / (theta * theta) + drain), df: lr.df }
}

export function proportion(spec: FigureSpec, value: number | null, blocks: Blocks, slo: SloSet | undefined): Estimate {
  const { records, start, count } = blocks
  const hit =
    spec.proportion === 'errors' ? (r: RequestRecord) => !isSuccess(r)
    : spec.proportion === 'valid' ? (r: RequestRecord) => r.valid === true
    : spec.proportion === 'answered' ? taskAnswered
    : (r: RequestRecord) => isGood(r, slo!)
  // Valid outputs are a share of the checked requests only (failed ones have no output to judge);
  // answered tasks a share of the ended tasks, each counted once, on the request that ended it.
  const counted = spec.proportion === 'valid' ? (r: RequestRecord) => r.valid !== undefined : spec.proportion === 'answered' ? taskEnded : () => true
  if (spec.proportion === 'goodput' && slo === undefined) return fail(null, 'no goodput bounds (set an SLO)')
  const xs = new Float64Array(count)
  const ns = new Float64Array(count)
  let x = 0
  let n = 0
  for (let b = 0; b < count; b++) {
    let c = 0
    let m = 0
    for (let i = start[b]; i < start[b + 1]; i++) {
      if (!counted(records[i])) continue
      m++
      if (hit(records[i])) c++
    }
    xs[b] = c
    ns[b] = m
    x += c
    n += m
  }
  if (n === 0) return fail(value, `no request of this level was checked for ${spec.name}`)
  const p = x / n
  const own = value ?? p // goodput under bounds the summary did not use: from every kept record
  const resid = new Float64Array(count)
  for (let b = 0; b < count; b++) resid[b] = xs[b] - p * ns[b]
  const binomial = (p * (1 - p)) / n
  const lr = longRunVariance(resid)
  const v = lr.variance / (n * n)
  // Design effect: how much more the share varies than if requests were independent (never less).
  const deff = binomial > 0 ? Math.max(1, v / binomial) : 1
  return { value: own, ok: true, se: Math.sqrt(Math.max(v, binomial)), df: lr.df, neff: n / deff }
}

/** Samples a percentile needs so that p ± z·se stays inside the order statistics (approximately). */
function neededForTails(p: number, z: number, deff: number): number {
  const tail = Math.min(p, 1 - p)
  // p + z·sqrt(p(1−p)·deff/n) <= 1 − 1/n  ⇐  n >= (z·sqrt(p(1−p)·deff) + 1)² / tail² … solved by doubling.
  let n = 4
  while (n < 1e12 && (tail - z * Math.sqrt((p * (1 - p) * deff) / n) < 1 / (n - 1))) n *= 1.25
  return Math.ceil(n)
}
