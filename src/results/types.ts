/**
 * The result model: plain, versioned, serializable data. Every reporter reads only this.
 * Field meanings are the contract of docs/metrics.md (a copy of METRICS.md).
 */

export const SCHEMA_VERSION = 1

export type FailureKind =
  | 'http'
  | 'connect'
  | 'timeout'
  | 'stream-error'
  | 'parse'
  | 'disconnect'
  | 'empty'
  | 'aborted'

export type Outcome = 'ok' | FailureKind

export type OutputTokenSource = 'usage' | 'usage-continuous' | 'events' | 'estimate'
export type InputTokenSource = 'usage' | 'prompt'

/** One request: the single source of truth for every statistic. Times are monotonic ms (see clock.ts). */
export interface RequestRecord {
  /** Index of the request within its level, in the order it was scheduled. */
  index: number
  /** Warm-up requests are kept for inspection but left out of every figure. */
  warmup: boolean
  stream: boolean
  scheduledAt: number
  sentAt: number
  firstTokenAt?: number
  firstContentAt?: number
  lastTokenAt?: number
  endAt: number
  outcome: Outcome
  /** For failures: what went wrong (HTTP status and a body excerpt for `http`). */
  error?: { status?: number; message: string }
  outputTokens: number
  outputTokensSource: OutputTokenSource
  inputTokens: number
  inputTokensSource: InputTokenSource
  reasoningTokens?: number
  /**
   * Arrival time of each token-carrying event, as ms after `sentAt` (rounded to 1 µs).
   * The first entry is the TTFT. Absent for non-streamed requests.
   */
  tokenTimes?: number[]
  /** Tokens carried by each token-carrying event, when the server said so (continuous usage). */
  tokenCounts?: number[]
}

/** Summary statistics of one distribution. All times in ms. */
export interface Stats {
  count: number
  mean: number
  std: number
  min: number
  max: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
}

export type SloKey = 'ttft' | 'ttfc' | 'tpot' | 'itl' | 'e2e'
/** Bounds in ms, inclusive (a request is good when value <= bound). */
export type SloSet = Partial<Record<SloKey, number>>

export interface GoodputSummary {
  slo: SloSet
  good: number
  total: number
  /** good / total (failures count as not good). */
  ratio: number
  /** good / duration, req/s (vLLM's request_goodput). */
  rate: number
  /** Per objective: how many of `total` requests met that bound. */
  met: Partial<Record<SloKey, number>>
}

export type StatName = 'ttft' | 'ttfc' | 'tpot' | 'itl' | 'e2e' | 'e2eWithQueue' | 'queueDelay' | 'maxTokenGap' | 'outputTokens' | 'inputTokens'

export interface LevelSummary {
  /** What this level is: a concurrency (closed loop) for now. */
  load: { kind: 'concurrency'; value: number }
  requests: { total: number; succeeded: number; failed: number; warmup: number }
  errors: Partial<Record<FailureKind, number>>
  /** Seconds from the first measured `sentAt` to the last `endAt`. */
  durationSec: number
  throughput: {
    requestsPerSec: number
    outputTokensPerSec: number
    inputTokensPerSec: number
    totalTokensPerSec: number
  }
  concurrency: { achieved: number; maxInFlight: number }
  /** Absent entries have no samples (e.g. TTFT of non-streamed requests). */
  stats: Partial<Record<StatName, Stats>>
  itlGranularity: 'token' | 'chunk' | 'mixed'
  outputTokensSource: Partial<Record<OutputTokenSource, number>>
  goodput?: GoodputSummary
  client: { eventLoopDelayP99Ms: number; cpuPercent: number }
  warnings: string[]
}

export interface LevelResult {
  summary: LevelSummary
  records: RequestRecord[]
}

export interface ScenarioOptionsPublic {
  server: string
  model: string
  endpoint: string
  stream: boolean
  concurrency: number[]
  numPrompts: number
  /** Warm-up requests per level; null means one per concurrent slot. */
  warmup: number | null
  inputLen: number
  outputLen: number
  ignoreEos: boolean
  includeUsage: boolean
  continuousUsage: boolean
  timeoutMs: number
  seed: number
  /** Header names only: values may be secrets. */
  headerNames: string[]
  body: Record<string, unknown>
  goodput?: SloSet
}

export interface RunResult {
  schemaVersion: typeof SCHEMA_VERSION
  llmbench: { version: string }
  startedAt: string
  finishedAt: string
  /** The user stopped the run (Ctrl-C): levels hold what was measured until then. */
  interrupted: boolean
  command: string
  environment: { node: string; platform: string; cpus: number; cpuModel: string }
  scenario: ScenarioOptionsPublic
  levels: LevelResult[]
}
