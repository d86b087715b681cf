/**
 * Adaptive stopping (issue 15, item 6): the runner feeds a level's measured records as they end
 * and asks, as often as it likes, whether the level's verdict is settled or the server is
 * over-saturated.
 *
 * Settled: every objective is turned into the sign of a mean (a p95 <= 800 holds when the share
 * of requests at or under 800 is at least 95%; a mean, a rate, an error rate or goodput likewise),
 * observed per batch of consecutive requests (a batch spans the requests in flight together; the
 * likeness left between neighbouring batches is measured and counted, dependence.ts). Each mean
 * gets a confidence sequence (Robbins' normal mixture, in its asymptotic form, with the long-run
 * variance): an interval valid at every look at once, so looking after every batch does not
 * inflate the error. With m objectives each gets (1 − confidence) / m, so the chance
 * that any decision taken early is wrong stays under 1 − confidence.
 *
 * Over-saturated: latency keeps rising at a fixed load (saturation.ts).
 */
import { isGood } from '../metrics/goodput.js'
import { isMeasured, isSuccess, itlSampleCount, writeItlSamples } from '../metrics/request.js'
import type { LoadSpec, RequestRecord, SloSet, StatName } from '../results/types.js'
import { longRunVariance } from './dependence.js'
import { requireFigure, type FigureSpec } from './figures.js'
import type { ObjectiveSpec } from './objective.js'
import { PER_REQUEST } from './samples.js'
import { MIN_BATCHES, SaturationDetector, type OverSaturationOptions } from './saturation.js'

export type { OverSaturationOptions } from './saturation.js'

export interface StoppingOptions {
  objectives: readonly ObjectiveSpec[]
  /** Chance that every decision taken early is right, default 0.95. */
  confidence?: number
  /** No decision before this many measured requests (default 100). */
  minRequests?: number
  /** Requests per batch; default the concurrency (closed loop) or the rate per second (open loop), at least 10. */
  batchSize?: number
  load?: LoadSpec
  /** The level's planned requests: the confidence sequences are tightest around there (default 4 × minRequests). */
  plannedRequests?: number
  goodput?: SloSet
  /** Watch for over-saturation (default: on for rate levels). */
  overSaturation?: boolean | OverSaturationOptions
}


export interface ObjectiveState extends ObjectiveSpec {
  /** 'met' and 'missed' are settled; 'open' is not yet. */
  state: 'met' | 'missed' | 'open' | 'unsupported'
  /** The tested mean per request (share under the bound minus the percentile, value minus the bound, …) and its confidence sequence now. */
  estimate: number
  interval: [number, number]
  text: string
}

export interface StopDecision {
  stop: boolean
  reason: 'settled' | 'over-saturated' | null
  /** One line for the result and the console. */
  message: string
  requests: number
  objectives: ObjectiveState[]
}

/** One objective as the mean of a per-batch sum y: the objective holds when E[y] > 0. */
interface Tracker {
  objective: ObjectiveSpec
  spec: FigureSpec
  /** Sum of y over the open batch, and its weight (samples). */
  sum: number
  weight: number
  /** Completed batches: Σy, Σy², count, Σweight, Σ hits for proportion floors. */
  n: number
  s1: number
  s2: number
  w: number
  /** Share of samples counted as hits, for the binomial floor of the variance. */
  hits: number
  samples: number
  /** Every completed batch's sum, and how much the likeness of neighbouring batches multiplies their variance (refitted as batches grow). */
  series: number[]
  inflation: number
  fittedAt: number
  unsupported?: string
}

export class StoppingRule {
  private readonly trackers: Tracker[]
  private readonly alpha: number
  private readonly batch: number
  private readonly minRequests: number
  private readonly rho2: number
  private readonly slo: SloSet | undefined
  private readonly saturation: SaturationDetector | undefined
  private count = 0
  private batches = 0
  private states: ObjectiveState[] = []
  private statesAt = -1
  private inBatch = 0
  private batchStart = Infinity
  private batchEnd = -Infinity
  private lastBatchSent = NaN
  private gaps = new Float64Array(4096)

  constructor(private readonly opts: StoppingOptions) {
    const confidence = opts.confidence ?? 0.95
    if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1 (exclusive), got ${confidence}: e.g. 0.95`)
    this.minRequests = Math.max(1, opts.minRequests ?? 100)
    const load = opts.load
    this.batch = Math.max(1, Math.round(opts.batchSize ?? Math.max(10, Math.ceil(load?.value ?? 10))))
    this.alpha = (1 - confidence) / Math.max(1, opts.objectives.length)
    // Robbins' mixture is tightest near t* batches with ρ² = (−2 ln α + ln(1 − 2 ln α)) / t*.
    const planned = Math.max(opts.plannedRequests ?? 4 * this.minRequests, this.batch * MIN_BATCHES)
    const tStar = planned / this.batch
    const la = -2 * Math.log(this.alpha)
    this.rho2 = (la + Math.log(la + 1)) / tStar
    this.slo = opts.goodput
    this.trackers = opts.objectives.map((o) => tracker(o, this.slo))
    const watch = opts.overSaturation ?? load?.kind === 'rate'
    if (watch) this.saturation = new SaturationDetector(typeof watch === 'object' ? watch : {}, load)
  }

  /** A measured record that ended (warm-up, cool-down and interrupted records are ignored). */
  add(r: RequestRecord): void {
    if (!isMeasured(r)) return
    this.count++
    this.inBatch++
    if (r.sentAt < this.batchStart) this.batchStart = r.sentAt
    if (r.sentAt > this.batchEnd) this.batchEnd = r.sentAt
    for (const t of this.trackers) if (!t.unsupported) this.observe(t, r)
    this.saturation?.add(r)
    if (this.inBatch >= this.batch) this.closeBatch()
  }

  private observe(t: Tracker, r: RequestRecord): void {
    const { spec, objective } = t
    const upper = objective.op === '<' || objective.op === '<='
    const b = objective.bound
    switch (spec.kind) {
      case 'percentile': {
        if (!isSuccess(r)) return
        const p = spec.p!
        const add = (v: number): void => {
          const under = objective.op === '<' || objective.op === '>=' ? v < b : v <= b
          t.sum += upper ? Number(under) - p : p - Number(under)
          t.weight++
        }
        if (spec.stat === 'itl') {
          const n = itlSampleCount(r)
          if (n > this.gaps.length) this.gaps = new Float64Array(Math.max(n, this.gaps.length * 2))
          writeItlSamples(r, this.gaps, 0)
          for (let i = 0; i < n; i++) add(this.gaps[i])
          return
        }
        const v = valueOf(spec.stat!, r)
        if (v !== undefined) add(v)
        return
      }
      case 'mean': {
        if (spec.stat !== 'queueDelay' && !isSuccess(r)) return
        const v = valueOf(spec.stat!, r)
        if (v === undefined) return
        t.sum += upper ? b - v : v - b
        t.weight++
        return
      }
      case 'proportion': {
        const hit = spec.proportion === 'errors' ? !isSuccess(r) : isGood(r, this.slo ?? {})
        t.sum += upper ? b - Number(hit) : Number(hit) - b
        t.weight++
        t.hits += Number(hit)
        t.samples++
        return
      }
      case 'rate': {
        if (!isSuccess(r)) return
        const x = spec.rate === 'requests' ? 1 : spec.rate === 'output' ? r.outputTokens : spec.rate === 'input' ? r.inputTokens : r.outputTokens + r.inputTokens
        t.sum += upper ? -x : x // the batch's duration term is added when it closes
        return
      }
    }
  }

  private closeBatch(): void {
    // A rate's batch spans from the previous batch's last send to this one's (seconds).
    const span = Number.isNaN(this.lastBatchSent) ? this.batchEnd - this.batchStart : this.batchEnd - this.lastBatchSent
    const sec = Math.max(0, span) / 1000
    for (const t of this.trackers) {
      if (t.unsupported) continue
      if (t.spec.kind === 'rate') {
        const upper = t.objective.op === '<' || t.objective.op === '<='
        t.sum += upper ? t.objective.bound * sec : -t.objective.bound * sec
      }
      t.n++
      t.s1 += t.sum
      t.s2 += t.sum * t.sum
      t.series.push(t.sum)
      t.w += t.weight
      t.sum = 0
      t.weight = 0
    }
    this.saturation?.closeBatch()
    this.batches++
    this.lastBatchSent = this.batchEnd
    this.inBatch = 0
    this.batchStart = Infinity
    this.batchEnd = -Infinity
  }

  /** Whether to stop now, and why; cheap enough to ask after every record. */
  check(): StopDecision {
    // Objectives only move when a batch closes: their states are kept until the next one does.
    if (this.statesAt !== this.batches) {
      this.states = this.trackers.map((t) => this.state(t))
      this.statesAt = this.batches
    }
    const states = this.states
    const ready = this.count >= this.minRequests
    const requests = this.count
    if (ready && this.saturation) {
      const s = this.saturation.check()
      if (s) return { stop: true, reason: 'over-saturated', message: `over-saturated after ${requests} requests: ${s}`, requests, objectives: states }
    }
    const missed = states.filter((s) => s.state === 'missed')
    const settled = states.length > 0 && states.every((s) => s.state === 'met' || s.state === 'missed')
    const confidence = `${Math.round((this.opts.confidence ?? 0.95) * 1000) / 10}%`
    if (ready && (missed.length > 0 || settled)) {
      const what = missed.length > 0 ? `${missed.map((s) => s.text).join('; ')}: the level fails whatever comes next` : `every objective decided: ${states.map((s) => s.text).join('; ')}`
      return {
        stop: true,
        reason: 'settled',
        message: `settled after ${requests} requests (${confidence} confidence under continuous monitoring): ${what}`,
        requests,
        objectives: states,
      }
    }
    const open = states.filter((s) => s.state === 'open' || s.state === 'unsupported').map((s) => s.text)
    const why = !ready ? `fewer than ${this.minRequests} requests` : open.join('; ')
    return { stop: false, reason: null, message: `not settled after ${requests} requests: ${why}`, requests, objectives: states }
  }

  private state(t: Tracker): ObjectiveState {
    const { objective } = t
    const name = `${objective.figure} ${objective.op} ${objective.bound}`
    if (t.unsupported) return { ...objective, state: 'unsupported', estimate: 0, interval: [-Infinity, Infinity], text: `${name}: ${t.unsupported}` }
    if (t.n < MIN_BATCHES) return { ...objective, state: 'open', estimate: 0, interval: [-Infinity, Infinity], text: `${name}: ${t.n} of ${MIN_BATCHES} batches` }
    const mean = t.s1 / t.n
    let variance = Math.max(0, (t.s2 - t.n * mean * mean) / (t.n - 1))
    // Batches next to each other may still be alike (a queue over several batches): their
    // long-run variance (dependence.ts), refitted whenever the batches have grown by a tenth.
    if (t.n >= 1.1 * t.fittedAt && variance > 0) {
      t.inflation = Math.max(1, longRunVariance(t.series).variance / t.n / variance)
      t.fittedAt = t.n
    }
    variance *= t.inflation
    // Indicators never vary less than independent requests would: floor at the binomial variance.
    if (t.spec.kind === 'percentile') variance = Math.max(variance, (t.w / t.n) * t.spec.p! * (1 - t.spec.p!))
    if (t.spec.kind === 'proportion') {
      const share = (t.hits + 1) / (t.samples + 2)
      variance = Math.max(variance, (t.w / t.n) * share * (1 - share))
    }
    const radius = Math.sqrt(variance) * confidenceSequenceRadius(t.n, this.rho2, this.alpha)
    const lo = mean - radius
    const hi = mean + radius
    const perSample = t.spec.kind === 'rate' ? 1 : t.w / t.n // report per request, not per batch
    const estimate = mean / perSample
    const interval: [number, number] = [lo / perSample, hi / perSample]
    const state = lo > 0 ? 'met' : hi < 0 ? 'missed' : 'open'
    const text = `${name} ${state === 'open' ? 'not yet decided' : state}`
    return { ...objective, state, estimate, interval, text }
  }
}

/**
 * Radius of the two-sided normal-mixture confidence sequence for the mean of t unit-variance
 * observations: sqrt(2(tρ² + 1) / (t²ρ²) · ln(√(tρ² + 1) / α)). Multiply by the standard deviation.
 */
export function confidenceSequenceRadius(t: number, rho2: number, alpha: number): number {
  const a = t * rho2 + 1
  return Math.sqrt(((2 * a) / (t * t * rho2)) * Math.log(Math.sqrt(a) / alpha))
}

function tracker(objective: ObjectiveSpec, slo: SloSet | undefined): Tracker {
  const spec = requireFigure(objective.figure)
  const t: Tracker = { objective, spec, sum: 0, weight: 0, n: 0, s1: 0, s2: 0, w: 0, hits: 0, samples: 0, series: [], inflation: 1, fittedAt: 0 }
  if (objective.op === '==') t.unsupported = 'an equality is never settled early'
  else if (spec.kind === 'std' || spec.kind === 'extreme') t.unsupported = `${spec.name} is only checked at the level's end`
  else if (spec.proportion === 'goodput' && slo === undefined) t.unsupported = 'goodput needs its bounds (goodput option)'
  else if (spec.proportion === 'valid') t.unsupported = `${spec.name} is only checked at the level's end`
  // Sessions and tasks end over many batches, and a turn's requests are a share of each: left to the level's end.
  else if (spec.source || spec.proportion === 'answered') t.unsupported = `${spec.name} is only checked at the level's end`
  return t
}

function valueOf(stat: StatName, r: RequestRecord): number | undefined {
  return stat === 'itl' ? undefined : PER_REQUEST[stat](r)
}
