/**
 * The figures verdicts know, by the names objectives use (`ttft.p99`, `throughput.output`,
 * `goodput`, `errors.rate`), and what each is: which statistic of which requests, which direction
 * is better, and whether its change is relative or in percentage points.
 */
import type { StatName } from '../results/types.js'
import { FIGURE_FORMS, KIND_FIGURES, STAT_NAMES, TOKEN_STATS } from '../options/vocabulary.js'
import { isTimed, parseWorkloadFigure, type WorkloadSource } from '../metrics/workload-figures.js'

export type FigureKind =
  /** A percentile of a distribution (`ttft.p99`). */
  | 'percentile'
  | 'mean'
  | 'std'
  /** A per-second rate over the level's duration (`throughput.*`). */
  | 'rate'
  /** A share of the measured requests (`goodput`, `errors.rate`). */
  | 'proportion'
  /** Figures without an interval: min, max, counts. */
  | 'extreme'

export interface FigureSpec {
  name: string
  kind: FigureKind
  /** Undefined for figures that are not better one way (token counts). */
  better?: 'lower' | 'higher'
  changeKind: 'relative' | 'points'
  /** The distribution, for percentile, mean, std and extreme figures. */
  stat?: StatName
  /** Percentile in [0, 1]. */
  p?: number
  /** The summary field (`p99`, `mean`, `max`, `count`). */
  field?: string
  rate?: 'requests' | 'output' | 'input' | 'total'
  /** `valid`: valid outputs among the checked (succeeded) requests; `answered`: answered tasks among the ended ones. */
  proportion?: 'goodput' | 'errors' | 'valid' | 'answered'
  /** Figures of sessions and tool loops: where their samples come from (a turn's requests, sessions, tasks). */
  source?: WorkloadSource
}

const STATS: readonly StatName[] = STAT_NAMES
const PERCENTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 }

/** Compared when no list is given (issue 15): every latency at p50/p90/p99, throughput, goodput, errors. */
export const DEFAULT_FIGURES: readonly string[] = [
  'ttft.p50', 'ttft.p90', 'ttft.p99',
  'tpot.p50', 'tpot.p90', 'tpot.p99',
  'itl.p50', 'itl.p90', 'itl.p99',
  'e2e.p50', 'e2e.p90', 'e2e.p99',
  'throughput.requests', 'throughput.output',
  'goodput', 'errors.rate',
]

/** Tolerances when none is given: a factor of 1.05 for continuous figures; points for shares. */
export const DEFAULT_TOLERANCE = 0.05
export const DEFAULT_POINTS_TOLERANCE: Readonly<Record<string, number>> = { goodput: 0.02, 'errors.rate': 0.01, 'valid.rate': 0.02, 'tools.answered': 0.02 }

/** The figure called `name`, or undefined when verdicts do not know it. */
export function figureSpec(name: string): FigureSpec | undefined {
  switch (name) {
    case 'goodput':
      return { name, kind: 'proportion', better: 'higher', changeKind: 'points', proportion: 'goodput' }
    case 'errors.rate':
      return { name, kind: 'proportion', better: 'lower', changeKind: 'points', proportion: 'errors' }
    case 'errors.count':
      return { name, kind: 'extreme', better: 'lower', changeKind: 'relative' }
    case 'valid.rate':
      return { name, kind: 'proportion', better: 'higher', changeKind: 'points', proportion: 'valid' }
    case 'throughput.requests':
    case 'throughput.output':
    case 'throughput.input':
    case 'throughput.total':
      return { name, kind: 'rate', better: 'higher', changeKind: 'relative', rate: name.slice(11) as FigureSpec['rate'] }
  }
  // The other figures of the request kinds (counts, shares, energy, cost) are compared as points.
  if ((KIND_FIGURES as readonly string[]).includes(name)) {
    const lower = name.startsWith('energy.') || name.startsWith('cost.') || name === 'invalid.count'
    return { name, kind: 'extreme', ...(lower ? { better: 'lower' as const } : {}), changeKind: 'relative' }
  }
  const workload = workloadSpec(name)
  if (workload) return workload
  const dot = name.indexOf('.')
  if (dot < 0) return undefined
  const stat = name.slice(0, dot) as StatName
  const field = name.slice(dot + 1)
  if (!STATS.includes(stat)) return undefined
  const better: FigureSpec['better'] = TOKEN_STATS.includes(stat) ? undefined : 'lower'
  const base = { name, stat, field, better, changeKind: 'relative' as const }
  if (Object.hasOwn(PERCENTILES, field)) return { ...base, kind: 'percentile', p: PERCENTILES[field] }
  if (field === 'mean') return { ...base, kind: 'mean' }
  if (field === 'std') return { ...base, kind: 'std' }
  if (field === 'min' || field === 'max' || field === 'count') return { ...base, kind: 'extreme' }
  return undefined
}

/**
 * Figures of sessions and tool loops. Their distributions are judged like request distributions
 * (percentiles through proportions, means through influence), over their own samples: a turn's
 * requests, or one sample per session or task. Time is better lower; turns, steps and tool calls
 * have no better direction (the model's behaviour, not the server's speed).
 */
function workloadSpec(name: string): FigureSpec | undefined {
  const w = parseWorkloadFigure(name)
  if (!w) return undefined
  if ('share' in w) return { name, kind: 'proportion', better: 'higher', changeKind: 'points', proportion: 'answered' }
  const { source, field } = w
  const base = { name, source, field, ...(isTimed(source) ? { better: 'lower' as const } : {}), changeKind: 'relative' as const }
  if (Object.hasOwn(PERCENTILES, field)) return { ...base, kind: 'percentile', p: PERCENTILES[field] }
  if (field === 'mean' || field === 'std') return { ...base, kind: field }
  return { ...base, kind: 'extreme' }
}

/** Like figureSpec, but throws one line naming the problem and the accepted forms. */
export function requireFigure(name: string): FigureSpec {
  const spec = figureSpec(name)
  if (spec) return spec
  throw new Error(`Unknown figure "${name}": use ${FIGURE_FORMS}`)
}

/** The tolerance of a figure: per-figure entry, else `default` / the number given, else the defaults. */
export function toleranceOf(spec: FigureSpec, tolerance: number | Readonly<Record<string, number>> | undefined): number {
  if (typeof tolerance === 'number') return spec.changeKind === 'points' ? DEFAULT_POINTS_TOLERANCE[spec.name] : tolerance
  const own = tolerance?.[spec.name]
  if (own !== undefined) return own
  if (spec.changeKind === 'points') return DEFAULT_POINTS_TOLERANCE[spec.name]
  return tolerance?.default ?? DEFAULT_TOLERANCE
}
