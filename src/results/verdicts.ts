/**
 * The verdict document: what a comparison of two results says about each figure (src/verdicts/
 * makes it). Plain serializable data, shared by the CLI, the result file, the reports and the API.
 * Unbounded interval ends are ±Infinity (JSON writes them as null); no field is ever NaN.
 */
import type { LoadSpec } from './load-spec.js'

export type Verdict = 'regressed' | 'improved' | 'equivalent' | 'inconclusive'

export interface FigureComparison {
  /** 'ttft.p99', 'tpot.p50', 'itl.p90', 'e2e.p50', 'throughput.requests', 'goodput', 'errors.rate', … */
  figure: string
  better: 'lower' | 'higher'
  /** Point estimates, equal to the summaries' figures (the mean of the repeats' with repeats); null when a side has none. */
  base: number | null
  next: number | null
  /** Relative change (0.18 = +18%), or for goodput and error rate the difference in points as a fraction (0.05 = +5 pp). */
  change: number
  changeKind: 'relative' | 'points'
  /** Of the change, at `confidence`; ±Infinity where the data cannot bound it. */
  interval: [number, number]
  /** The confidence of this interval: the family's, adjusted for the number of figures tested. */
  confidence: number
  /** Relative: the change is within a factor (1 + tolerance) either way; points: within ± tolerance. */
  tolerance: number
  verdict: Verdict
  /** Why a verdict is inconclusive or was reached without an interval; one line. */
  reason?: string
  /** Inconclusive: estimated measured requests per level (each side) that would decide, if the change stays as measured. */
  needed?: number
  /** Measured requests per side (summed over repeats). */
  n: { base: number; next: number }
  /** Repeats per side, when either side has more than one. */
  repeats?: { base: number; next: number }
  /** Set when primary figures were declared and this is not one: shown, but it does not decide. */
  secondary?: true
}

/** How the confidence of each figure was adjusted for testing many at once. */
export interface Correction {
  /** bonferroni: every figure tested at 1 − (1 − confidence) / tests; primary: only the declared figures share it. */
  method: 'bonferroni' | 'primary'
  /** Confidence that no decisive verdict of the family is wrong. */
  familyConfidence: number
  /** Figures (times levels) sharing it. */
  tests: number
  perFigureConfidence: number
  primary?: string[]
  /** Secondary figures (primary method): their own Bonferroni family, which does not decide. */
  secondary?: { tests: number; perFigureConfidence: number }
}

export interface LevelComparison {
  /** The scenario's key ('run' for `llmbench run`, `file > id` for a bench file), when comparing results. */
  scenario?: string
  name?: string
  load: LoadSpec
  /** A caution about the comparison itself (e.g. a client busier in one run than in the other); decides nothing. */
  note?: string
  figures: FigureComparison[]
}

export interface VerdictDocument {
  correction: Correction
  levels: LevelComparison[]
  /** Scenarios or loads present on one side only: reported, never failed. */
  unmatched: Array<{ side: 'base' | 'next'; scenario: string; load?: LoadSpec; message: string }>
  /** Verdicts of the deciding figures (every figure, or the primary ones). */
  counts: Record<Verdict, number>
  /** One line: regressions first, with their change and interval, then the counts. */
  headline: string
}

/** `+18% [+11%, +26%]` or `−5.0 pp [−8.1 pp, −1.9 pp]`. */
export function formatChange(f: Pick<FigureComparison, 'change' | 'interval' | 'changeKind'>): string {
  const one = (x: number): string => {
    if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞'
    const sign = x > 0 ? '+' : x < 0 ? '−' : '±'
    const v = Math.abs(x) * 100
    return f.changeKind === 'points' ? `${sign}${v.toFixed(1)} pp` : `${sign}${v.toFixed(v < 10 ? 1 : 0)}%`
  }
  return `${one(f.change)} [${one(f.interval[0])}, ${one(f.interval[1])}]`
}
