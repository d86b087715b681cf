/**
 * One level's estimate of one figure with its standard error (estimators.ts), and the level's
 * blocks, samples and order statistics that the estimators share, each built once when first asked.
 */
import type { LevelResult, SloSet, StatName } from '../results/types.js'
import { levelBlocks, MIN_BLOCKS, type Blocks } from './blocks.js'
import { fail, moment, percentileSet, proportion, rate, type Estimate } from './estimators.js'
import type { FigureSpec } from './figures.js'
import { OrderStats } from './order.js'
import { figure } from '../metrics/figures.js'
import { sourceKey, statSamples, workloadSamples, type Blocked } from './samples.js'
import { answeredShare } from '../metrics/workload-figures.js'

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
      if (spec.proportion === 'valid') return s.validity?.rate ?? null
      if (spec.proportion === 'answered') return answeredShare(s) ?? null
      if (slo === undefined) return null
      if (s.goodput && sameSlo(s.goodput.slo, slo)) return s.goodput.ratio
      return null // computed from the records by the caller
    default: {
      if (spec.name === 'errors.count') return s.requests.failed
      if (!spec.stat) return figure(spec.name)?.read(s) ?? null
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
  private readonly samples = new Map<string, Blocked>()
  private readonly orders = new Map<string, OrderStats>()
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
    return this.orderFor(stat, () => this.samplesOf(stat))
  }

  /** The samples of a figure's distribution: a request statistic's, or a session or tool-loop one's. */
  private samplesFor(spec: FigureSpec): Blocked {
    if (!spec.source) return this.samplesOf(spec.stat!)
    const key = sourceKey(spec.source)
    let s = this.samples.get(key)
    if (!s) this.samples.set(key, (s = workloadSamples(this.blocks, spec.source)))
    return s
  }

  private orderFor(key: string, samples: () => Blocked): OrderStats {
    let o = this.orders.get(key)
    if (!o) this.orders.set(key, (o = new OrderStats(samples().values)))
    return o
  }

  /**
   * Why a session or task figure has no interval here: a result that keeps a sample of its records
   * (recordsLimit) has lost some requests of its sessions, so whole units cannot be rebuilt.
   */
  private brokenUnits(spec: FigureSpec): string | undefined {
    const src = spec.source ?? (spec.proportion === 'answered' ? { of: 'task' as const } : undefined)
    if (!src || src.of === 'turn') return undefined
    const kept = this.blocks.records.length
    const total = this.level.summary.requests.total
    if (kept >= total) return undefined
    return `${spec.name} has no interval: the result keeps ${kept} of the level's ${total} measured requests (recordsLimit), so its ${src.of === 'session' ? 'sessions' : 'tasks'} cannot be rebuilt from them; raise recordsLimit`
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
    const broken = this.brokenUnits(spec)
    if (broken) return fail(value, broken)
    switch (spec.kind) {
      case 'percentile':
        return this.percentile(spec, value, z)
      case 'mean':
      case 'std':
        return moment(spec, value, this.samplesFor(spec))
      case 'rate':
        return rate(spec, value, this.blocks, this.level.summary.load)
      case 'proportion':
        return proportion(spec, value, this.blocks, slo)
    }
  }

  private percentile(spec: FigureSpec, value: number | null, z: number): Estimate {
    const stat = spec.source ? sourceKey(spec.source) : spec.stat!
    const samples = this.samplesFor(spec)
    const n = samples.values.length
    if (value === null || n === 0) return fail(value, `no ${spec.source ? spec.name.slice(0, spec.name.lastIndexOf('.')) : stat} samples`)
    const key = `${stat}@${z}`
    let set = this.percentileSets.get(key)
    if (!set) this.percentileSets.set(key, (set = percentileSet(samples, this.orderFor(stat, () => samples), z, this.requests)))
    const e = set.get(spec.p! * 100)!
    return e.ok ? { ...e, value } : { ...e, value, reason: `${spec.name}${e.reason}` }
  }
}
