/** What the verdicts module takes: which figures, how sure, how much change is tolerated (the document it makes: results/verdicts.ts). */
import type { LevelResult, SloSet } from '../results/types.js'

export type { Correction, FigureComparison, LevelComparison, Verdict, VerdictDocument } from '../results/verdicts.js'

export interface CompareOptions {
  /** Figures to compare; default DEFAULT_FIGURES (those a level has). */
  figures?: readonly string[]
  /** Family confidence, default 0.95. */
  confidence?: number
  /** A number: the tolerance of every relative figure (0.05 = 5%); a record: per figure, `default` for the rest. */
  tolerance?: number | Readonly<Record<string, number>>
  /** Declared primary figures: only they share the family's confidence and decide. */
  primary?: readonly string[]
  /** Bounds of the goodput figure; default the base level's own goodput bounds. */
  goodput?: SloSet
  /** Most blocks per level (blocks.ts MAX_BLOCKS). */
  maxBlocks?: number
}

/** One level, or several repeats of the same level (the outer unit of noise when present). */
export type LevelInput = LevelResult | readonly LevelResult[]
