/**
 * An objective that knows its own noise (issue 15, item 3): the interval of the figure it checks
 * and a decision under one of three rules. `strict` passes only when the whole interval meets the
 * bound; `lenient` fails only when the whole interval misses it; `point` compares the estimate as
 * before. Every rule marks the check `marginal` when the interval spans the bound.
 *
 * The default is lenient: a failure then means the data show the bound missed, so a server that
 * meets its objective fails CI only as rarely as 1 − confidence, never half the time because its
 * true p95 sits near the bound (docs/verdicts.md).
 */
import type { SloSet } from '../results/types.js'
import { normalQuantile, tQuantile, wilson } from './distributions.js'
import { requireFigure } from './figures.js'
import { Side } from './side.js'
import type { LevelInput } from './types.js'

export type ConfidenceMode = 'strict' | 'lenient' | 'point'
export const DEFAULT_CONFIDENCE_MODE: ConfidenceMode = 'lenient'

export interface ObjectiveSpec {
  /** 'ttft.p95', 'errors.rate', 'goodput', 'throughput.output', … */
  figure: string
  op: '<' | '<=' | '>' | '>=' | '=='
  bound: number
}

export interface ObjectiveCheckOptions {
  /** Confidence of the interval, default 0.95. */
  confidence?: number
  mode?: ConfidenceMode
  /** Bounds of the goodput figure, default the level's own. */
  goodput?: SloSet
}

export interface ObjectiveCheck extends ObjectiveSpec {
  /** The figure's estimate (the summary's; the repeats' mean), null when the level has none. */
  value: number | null
  /** The figure's interval at `confidence`; ±Infinity where the data cannot bound it. */
  interval: [number, number]
  confidence: number
  mode: ConfidenceMode
  passed: boolean
  /** The interval spans the bound: this level cannot tell whether the objective is met. */
  marginal: boolean
  reason?: string
}

const holds = (x: number, op: ObjectiveSpec['op'], bound: number): boolean =>
  op === '<' ? x < bound : op === '<=' ? x <= bound : op === '>' ? x > bound : op === '>=' ? x >= bound : x === bound

/** Checks one objective on a level (or its repeats). Throws for an unknown figure or a bad confidence. */
export function checkObjective(level: LevelInput, objective: ObjectiveSpec, opts: ObjectiveCheckOptions = {}): ObjectiveCheck {
  const spec = requireFigure(objective.figure)
  const confidence = opts.confidence ?? 0.95
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1 (exclusive), got ${confidence}: e.g. 0.95`)
  const mode = opts.mode ?? DEFAULT_CONFIDENCE_MODE
  const side = new Side(level)
  const first = side.views[0].level
  const slo = opts.goodput ?? first.summary.goodput?.slo
  const out = (value: number | null, interval: [number, number], reason?: string): ObjectiveCheck => {
    const { op, bound } = objective
    const upper = op === '<' || op === '<='
    const meetsAll = op !== '==' && (upper ? holds(interval[1], op, bound) : holds(interval[0], op, bound))
    const missesAll = op !== '==' && (upper ? !holds(interval[0], op, bound) : !holds(interval[1], op, bound))
    const pointPass = value !== null && holds(value, op, bound)
    const effective: ConfidenceMode = op === '==' ? 'point' : mode
    const passed = value !== null && (effective === 'strict' ? meetsAll : effective === 'lenient' ? !missesAll : pointPass)
    const marginal = value !== null && op !== '==' && !meetsAll && !missesAll
    const why = op === '==' && mode !== 'point' ? 'an equality has no interval test: compared as a point' : reason
    return { ...objective, value, interval, confidence, mode, passed, marginal, ...(why ? { reason: why } : {}) }
  }

  if (spec.kind === 'extreme') {
    const v = side.value(spec, slo)
    return { ...out(v, [v ?? -Infinity, v ?? Infinity]), mode: 'point', passed: v !== null && holds(v, objective.op, objective.bound), marginal: false, reason: `${spec.name} has no interval: compared as a point` }
  }
  const alpha = 1 - confidence
  let e = side.estimate(spec, normalQuantile(1 - alpha / 2), slo)
  // A percentile's range is taken at the multiplier its degrees of freedom allow (t, not z).
  if (spec.kind === 'percentile' && e.df > 0) e = side.estimate(spec, tQuantile(1 - alpha / 2, e.df), slo)
  if (e.value === null) return out(null, [-Infinity, Infinity], e.reason ?? `no ${spec.name} on this level`)
  if (!e.ok) return out(e.value, e.range ?? [-Infinity, Infinity], e.reason)
  const m = tQuantile(1 - alpha / 2, e.df)
  if (spec.kind === 'proportion') return out(e.value, wilson(e.value, e.neff!, m))
  if (spec.kind === 'percentile' && side.repeats === 1) return out(e.value, e.range!)
  // Log scale: the interval of a positive figure stays positive and is symmetric in ratio.
  return out(e.value, [e.value * Math.exp(-m * e.se), e.value * Math.exp(m * e.se)])
}
