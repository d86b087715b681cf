/**
 * What a bench file declares and what its assertions see. The options and objectives are declared
 * once, in options/ (their types, checks, defaults and flags); the views are the DSL's own.
 */
import type { LevelSummary, ScenarioOptionsPublic, Stats, StatName } from '../results/types.js'
import type { SourceLocation } from '../results/suite.js'

export type { CheckOutcome, SourceLocation } from '../results/suite.js'

export type { BenchOptions } from '../options/scenario.js'
export type { SloObjectives, ThresholdValue, GoodputObjective } from '../options/slo.js'

/** One level's figures as assertions see them: the summary, with each statistic at the top. */
export type LevelView = LevelSummary & { [K in StatName]: Stats } & {
  errorRate: number
  goodputRatio: number | undefined
}


export interface BenchResult {
  /** The scenario id (describe names and bench name joined by ` > `). */
  readonly id: string
  readonly name: string
  /** The options it ran with, as the result file records them (no secrets). */
  readonly options: ScenarioOptionsPublic
  /** One view per level, in the order they ran. */
  /** Every level as run, each repeat (`repeat`) a level of its own. */
  readonly levels: LevelView[]
  /**
   * The level run at `concurrency` (or rate); throws, listing the levels, when there is none. With
   * `repeat`, one view of all its repeats: counts added, means pooled, percentiles averaged.
   */
  level(concurrency: number): LevelView
}
