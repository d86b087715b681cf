/** The metrics module: the only place where llmbench computes a statistic (METRICS.md). */
export { computeStats, computeStatsInPlace, percentile } from './stats.js'
export {
  e2e,
  e2eWithQueue,
  isMeasured,
  isSuccess,
  itlSampleCount,
  itlSamples,
  maxTokenGap,
  queueDelay,
  tpot,
  ttfc,
  ttft,
  writeItlSamples,
} from './request.js'
export { SLO_KEYS, checkSloApplicable, evaluateGoodput, formatGoodput, parseSlo } from './goodput.js'
export { THRESHOLDS, maxInFlight, summarizeLevel } from './level.js'
export type { SummarizeLevelOptions } from './level.js'
export { summaryOfRepeats } from './repeats.js'
