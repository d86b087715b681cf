/** Types and constants of the level view. */
export type { ReportLevel } from '../../../src/report/types'
export type { StatName, Stats, TelemetrySeries } from '../../../src/results/types'
import type { StatName } from '../../../src/results/types'

/** The statistics in the level table, in reading order. */
export const STAT_ROWS: StatName[] = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e', 'e2eWithQueue', 'queueDelay', 'maxTokenGap', 'outputTokens', 'inputTokens', 'reasoningTokens', 'visibleTokens']
