/**
 * The report data model: what llmbench injects into the prebuilt viewer page. It is a compact
 * digest of one or more results (RunResult or SuiteResult, normalised into runs → scenarios →
 * levels), never the raw records: distributions are binned, the timeline is sampled, so a run of
 * 10,000 requests stays small. The viewer (report-viewer/) imports these types and nothing else.
 */
import type { CheckOutcome } from '../dsl/types.js'
import type { ScenarioStatus } from '../results/suite.js'
import type { LevelPoint } from './digest.js'
import type { Headline } from './headline.js'
import type { LevelSummary, Outcome, ScenarioOptionsPublic, SweepSummary, TelemetrySeries } from '../results/types.js'
import type { RunStatus } from '../results/suite.js'
import type { VerdictDocument } from '../results/verdicts.js'

export type { RunStatus }

export const REPORT_DATA_VERSION = 1

export interface ReportData {
  version: typeof REPORT_DATA_VERSION
  /** `runs`: one result, or several overlaid; `history`: past runs over time. */
  kind: 'runs' | 'history'
  generatedAt: string
  /** The llmbench version that wrote the report. */
  generator: string
  runs: ReportRun[]
  /** With several runs: every later run's change against the first, per matched scenario and level. */
  comparison?: Comparison
  history?: HistoryData
}


export interface ReportRun {
  /** Short unique name shown in legends: the file name, or the model and server. */
  label: string
  source: 'run' | 'suite'
  startedAt: string
  finishedAt: string
  version: string
  interrupted: boolean
  command?: string
  environment: { node: string; platform: string; cpus: number; cpuModel: string }
  servers: string[]
  models: string[]
  status: RunStatus
  /** Bench files that could not be loaded or whose hooks failed. */
  fileErrors: Array<{ file: string; message: string }>
  scenarios: ReportScenario[]
}

/** A line drawn across a chart: an objective (`ttft.p95 < 800`) or a goodput bound. */
export interface TargetLine {
  /** The chart it belongs on. */
  chart: 'ttft' | 'ttfc' | 'tpot' | 'itl' | 'e2e' | 'goodput' | 'errors' | 'throughput'
  value: number
  label: string
  kind: 'objective' | 'slo'
}

export interface ReportScenario {
  /** Matches the same scenario in other runs: `file > id` for bench files, `run` for `llmbench run`. */
  key: string
  name: string
  file?: string
  suite: string[]
  status?: ScenarioStatus
  options?: ScenarioOptionsPublic
  checks: CheckOutcome[]
  error?: string
  targets: TargetLine[]
  levels: ReportLevel[]
  /** Server and GPU series, thinned to at most a few hundred points each. */
  telemetry?: TelemetrySeries[]
  sweep?: SweepSummary
  /** The answer in a few lines (src/report/headline.ts), and the loads the charts mark. */
  headline: Headline
  /** What was run, in one line (src/results/scenario-fields.ts). */
  settings?: string
}

/** A distribution: equal-width bins for the histogram, fixed quantiles for the CDF. */
export interface Distribution {
  count: number
  /** Left edge of the first bin, ms. */
  start: number
  /** Width of each bin, ms. */
  width: number
  counts: number[]
  /** Samples above the last bin (the far tail, beyond p99). */
  over: number
  /** [value ms, cumulative share 0..1], ascending. */
  cdf: Array<[number, number]>
}

/** A request on the timeline: [sent, first token or -1, end, outcome index], ms since the level's t0. */
export type TimelineRow = [number, number, number, number]

export interface Timeline {
  /** Measured requests of the level (the rows may be a sample of them). */
  total: number
  /** The outcomes `rows` refer to by index. */
  outcomes: Outcome[]
  /** Ascending by sent time. */
  rows: TimelineRow[]
}

export interface ErrorSample {
  kind: Outcome
  status?: number
  message: string
  /** Failed requests of this kind with exactly this message. */
  count: number
}

export interface ReportLevel {
  /** The level's summary as the result holds it. */
  summary: LevelSummary
  /** Monotonic ms of the level's first measured send: the zero of the timeline; telemetry shares the clock. */
  t0: number
  /** Output tokens per second each request saw: output token throughput / achieved concurrency. */
  perUserTokensPerSec?: number
  ttft?: Distribution
  itl?: Distribution
  timeline: Timeline
  errorSamples: ErrorSample[]
  /** A load run several times (`repeat`): each run's summary; `summary` then pools them (metrics/repeats.ts). */
  repeats?: LevelSummary[]
}

/** A figure compared between runs. */
/** Each later run against the first (`run`: its index in ReportData.runs): the verdict document of docs/verdicts.md. */
export interface Comparison {
  against: Array<{ run: number } & VerdictDocument>
}

/** One saved run in the history folder. */
export interface HistoryEntry {
  file: string
  /** The result file's file:// URL, for a link. */
  href?: string
  startedAt: string
  version: string
  source: 'run' | 'suite'
  status: RunStatus
  /** The scenario (`llmbench run`) or the bench files. */
  name?: string
  /** What was run (one scenario). */
  settings?: string
  /** Its headline: one scenario's lines, or each scenario's verdict. */
  headline?: string[]
  servers: string[]
  models: string[]
  scenarios: number
  levels: number
}

export interface HistoryPoint extends Omit<LevelPoint, 'kind' | 'load'> {
  /** Index into HistoryData.entries. */
  run: number
  startedAt: string
}

export interface HistorySeries {
  kind: 'concurrency' | 'rate'
  load: number
  points: HistoryPoint[]
}

export interface HistoryScenario {
  key: string
  name: string
  series: HistorySeries[]
  /** The newest run of the scenario and its headline. */
  latest?: { run: number; headline: string[] }
}

export interface HistoryData {
  dir: string
  /** Oldest first. */
  entries: HistoryEntry[]
  /** Files in the folder that could not be read as results, with why. */
  skipped: Array<{ file: string; reason: string }>
  scenarios: HistoryScenario[]
}
