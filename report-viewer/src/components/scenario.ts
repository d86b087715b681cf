/** Types and constants of the scenario view. */
export type { Comparison, ReportLevel, TargetLine } from '../../../src/report/types'

export type StatNameLike = 'ttft' | 'tpot' | 'itl' | 'e2e'
/** The latency statistics charted and tabled per level, in reading order. */
export const latencyStats: StatNameLike[] = ['ttft', 'tpot', 'itl', 'e2e']
