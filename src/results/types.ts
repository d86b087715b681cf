/**
 * The result model: plain, versioned, serializable data. Every reporter reads only this.
 * Field meanings are the contract of docs/metrics.md (a copy of METRICS.md).
 */

import type { Arrival, SloKey, StatName } from '../options/vocabulary.js'
import type { SloSet } from '../options/slo.js'
import type { Operator } from '../options/expression.js'
import type { RecordedScenario } from '../options/recorded.js'
import type { VerdictDocument } from './verdicts.js'
import type { CostSummary, EnergySummary, MediaSent, MediaSummary, ReasoningSummary, ValiditySummary } from './kinds.js'

export type { CostSummary, EnergySummary, MediaSent, MediaSummary, ReasoningSummary, ValiditySummary }

export type { Arrival, RecordedScenario, SloKey, SloSet, StatName }

/** 2: `scenario` holds the options as a bench file writes them (1 held the runner's names; results/read.ts reads both). */
export const SCHEMA_VERSION = 2

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
  /** Cool-down requests (sent after the measured ones to keep the load steady) are left out too. */
  cooldown?: boolean
  stream: boolean
  scheduledAt: number
  /** Open loops with maxConcurrency: when a slot freed for a request that had to wait for one (later than scheduledAt). */
  readyAt?: number
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

  // Sessions and tool loops (docs/workloads.md); absent for requests of neither.
  /** The session's id: the one its requests carry for session affinity. */
  sessionId?: string
  /** Its user turn in the session, from 1. */
  turn?: number
  /** Its step within the turn's tool loop, from 1 (tool loops only). */
  step?: number
  /** Prompt tokens carried from the session's earlier requests (their prompts and replies, by the server's usage); 0 for its first. */
  historyTokens?: number
  /** The oldest turns dropped from its history to fit `sessions.maxContextTokens`. */
  truncatedTurns?: number
  /** Tool calls in its reply (tool loops only). */
  toolCalls?: number
  /** On a task's last request: `answer` (a reply without tool calls), `max-steps` (still calling tools at maxSteps) or `failed`. */
  taskEnd?: 'answer' | 'max-steps' | 'failed'
  /** On a session's last request: why it ended. */
  sessionEnd?: SessionEnd
  /**
   * Prompt tokens that repeat what this level already sent (a shared prefix, a group's system
   * prompt, trace blocks, a conversation's history): the prefix reuse the workload was designed to
   * have. Absent for the level's short warm-up.
   */
  repeatedTokens?: number

  // Request kinds (docs/request-kinds.md).
  /** Where `reasoningTokens` came from: the server's usage, or counting reasoning events (one token each). */
  reasoningTokensSource?: 'usage' | 'events'
  /** The LoRA adapter the request named; absent for the base model. */
  adapter?: string
  /** Images and audio the request carried (a session's later turns: the ones they re-send). */
  media?: MediaSent
  /** Structured outputs: whether the output passed the scenario's validity check (succeeded requests only). */
  valid?: boolean
  /** Why it did not: `not JSON: Unexpected token…`, `/name: must be string`, … */
  invalidReason?: string
}

/** `turns`: all its turns ran; `context`: the next would not fit maxContextTokens; `failed`: a request failed; `level-end`: the level's time was up; `stopped`: Ctrl-C. */
export type SessionEnd = 'turns' | 'context' | 'failed' | 'level-end' | 'stopped'

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


export interface GoodputSummary {
  slo: SloSet
  good: number
  total: number
  /** good / total (failures count as not good). */
  ratio: number
  /** good / duration, req/s (vLLM's request_goodput). */
  rate: number
  /** Per objective: how many of `total` requests met that bound (`valid`: gave valid output). */
  met: Partial<Record<SloKey | 'valid', number>>
}



export type { LoadSpec } from './load-spec.js'
import type { LoadSpec } from './load-spec.js'

/** How well an open-loop level kept to its schedule (METRICS.md, Validity). */
export interface ScheduleSummary {
  /** Requests per second the level asked for (for a ramp or a trace: its mean over the measured part). */
  targetRate: number
  /** The rate of the measured part's own schedule: random arrivals differ from the target by chance. */
  scheduledRate: number
  /** Measured requests sent per second, from the first send to the last. */
  achievedRate: number
  /** The client's own lateness: sentAt minus when the request could have gone out (its scheduled time, or when a slot freed). */
  clientLag: Stats
  /** Measured requests that waited for a free slot (maxConcurrency). */
  waitedForSlot: number
  /** The client fell behind its schedule: its own lateness p99 over 10 ms, or it sent under 95% of the scheduled rate. */
  behind: boolean
  /**
   * Whether the server kept up (20 measured requests or more): the median E2E incl. queue of the
   * last quarter of arrivals over the first quarter's (about 1 when it keeps up, growing when
   * requests pile up), and the measured requests not ended (waiting for a client slot, queued in
   * the server or streaming) when the last one was scheduled.
   */
  latencyGrowth?: number
  waitingAtEnd?: number
}

/** Figures of a time slice of a level, for ramps and long levels (drawn over time by the report). */
export interface TimeSlice {
  /** Seconds since the level's first measured send. */
  startSec: number
  endSec: number
  /** The target concurrency or rate at the slice's midpoint. */
  load: number
  /** Measured requests that ended within the slice. */
  ended: number
  failed: number
  outputTokensPerSec: number
  ttftP50?: number
  ttftP99?: number
  itlP50?: number
  itlP99?: number
}

/** The server's TTFT (from its histogram) against the client's, in ms; difference = client − server. */
export interface ServerTtftComparison {
  /** Requests the server observed between the two scrapes, and the client measured. */
  serverCount: number
  clientCount: number
  serverMeanMs: number
  serverP50Ms: number
  serverP90Ms: number
  serverP99Ms: number
  /** The bucket each server percentile was interpolated in (ms): its resolution; null = +Inf. */
  serverBucketsMs: { p50: [number, number | null]; p90: [number, number | null]; p99: [number, number | null] }
  clientMeanMs: number
  clientP50Ms: number
  clientP90Ms: number
  clientP99Ms: number
  /** The network, HTTP and client share of TTFT. The mean's is exact; percentiles are bucket-resolution. */
  differenceMeanMs: number
  differenceP50Ms: number
  differenceP90Ms: number
  differenceP99Ms: number
}


export interface LevelSummary {
  load: LoadSpec
  /** `interrupted`: requests in flight when the run was stopped (Ctrl-C), ended as `aborted` and left out of the rest. */
  requests: { total: number; succeeded: number; failed: number; warmup: number; cooldown?: number; interrupted?: number; invalid?: number }
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
  /**
   * Present when the pooled ITL gaps were too many to keep (over the accumulator's budget): the
   * itl percentiles come from a DDSketch, each within `relativeError` × the exact type-7 value
   * (count, min and max stay exact). Every other statistic is exact.
   */
  itlApprox?: { method: 'ddsketch'; relativeError: number }
  outputTokensSource: Partial<Record<OutputTokenSource, number>>
  goodput?: GoodputSummary
  /**
   * The client's own figures over the measured part: event-loop delay p99 and max (a single
   * stall: older results lack it) and CPU.
   */
  client: { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs?: number; cpuPercent: number }
  /** Open-loop levels only. */
  schedule?: ScheduleSummary
  /** Ramps and timed levels: the figures over time. */
  timeSlices?: TimeSlice[]
  /** The server's own TTFT histogram over the level against the client's TTFT (telemetry). */
  serverTtft?: ServerTtftComparison
  /** Sessions: figures by turn, by history length and per session (docs/workloads.md). */
  sessions?: SessionsSummary
  /** Tool loops: figures by step and per task. */
  tools?: ToolsSummary
  /** The prefix reuse the workload was designed to have, beside the hits the server reported. */
  prefixCache?: PrefixCacheSummary
  warnings: string[]
  // Request kinds (docs/request-kinds.md).
  /** The level's figures per LoRA adapter (the base model's requests under its name). */
  byAdapter?: Record<string, LevelSummary>
  media?: MediaSummary
  validity?: ValiditySummary
  reasoning?: ReasoningSummary
  energy?: EnergySummary
  cost?: CostSummary
  /** The level ended before its planned requests (`stopEarly`): why, in one line, and after how many. */
  stoppedEarly?: {
    reason: 'settled' | 'over-saturated'
    message: string
    requests: number
    /**
     * Settled: what the sequential rule decided for each objective it watched. After a stop that
     * depends on the data, these decisions keep their error rate and a fixed-sample interval does
     * not, so objectives are judged by them (docs/verdicts.md, "Stopping early").
     */
    objectives?: Array<{ figure: string; op: Operator; bound: number; state: 'met' | 'missed' }>
  }
}

/** TTFT and E2E of a group of measured, succeeded requests (by turn, step or history length). */
export interface GroupFigures {
  count: number
  ttft?: Stats
  e2e?: Stats
}

export interface SessionsSummary {
  /** Measured sessions that ended (their last request is in the level), and why. */
  ended: number
  endedBy: Partial<Record<SessionEnd, number>>
  /** Requests whose history was truncated to fit maxContextTokens. */
  truncated: number
  /** Time per whole session, ms: its first send to its last token, think times included (sessions that ran all their turns). */
  duration?: Stats
  /** Turns per ended session. */
  turns?: Stats
  /** By turn index, from 1. */
  byTurn: Array<GroupFigures & { turn: number; historyTokensMean: number }>
  /** Turns 2 and later pooled (absent when no session got past its first turn): how fast follow-up turns are. */
  laterTurns?: GroupFigures
  /** By history length: requests whose historyTokens fall in [from, to). */
  byHistory: Array<GroupFigures & { from: number; to: number }>
}

export interface ToolsSummary {
  /** Measured tasks that ended (a user turn's tool loop), and how. */
  tasks: number
  endedBy: { answer: number; 'max-steps': number; failed: number }
  /** The share of tasks that ended with a final answer (a reply without tool calls). */
  answeredShare: number
  /** Ms from a task's first send to its final answer's last token, tool latencies included (answered tasks). */
  timeToAnswer?: Stats
  /** Requests per task, and tool calls per task (ended tasks). */
  steps?: Stats
  toolCalls?: Stats
  /** By step index, from 1. */
  byStep: Array<GroupFigures & { step: number }>
}

export interface PrefixCacheSummary {
  /**
   * The share of prompt tokens the workload repeats (RequestRecord.repeatedTokens over input
   * tokens, every request the level's loop sent, its warm-up and cool-down phases included, as
   * the server's counters see them); null when no request has the count (a merged older result).
   */
  designed: { share: number; repeatedTokens: number; promptTokens: number; requests: number } | null
  /**
   * What the server reported between the level's start and end: hits over queries of its prefix
   * cache counters (vLLM), or its hit-rate gauge at the level's end (SGLang, older vLLM). Null
   * when it reports none; `note` says why.
   */
  measured: { share: number; source: string; kind: 'counters' | 'gauge'; hits?: number; queries?: number } | null
  note?: string
  /** Other prefix-cache figures the server reported (a CPU or KV-connector cache), one line each. */
  also?: string[]
  /** `resetPrefixCache`: whether the server's cache was emptied before the level, or why not. */
  reset?: { done: boolean; via?: string; note?: string }
}

export interface LevelResult {
  summary: LevelSummary
  /** Every record, or past a limit a seeded sample of them (results/trim.ts). */
  records: RequestRecord[]
  /** Records left out of `records`; all of them are in the run's `recordsFile`. */
  recordsOmitted?: number
}

/** The scenario as a result records it (options/recorded.ts): its options as run, never a secret. */
export type ScenarioOptionsPublic = RecordedScenario

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
  /** Server and GPU metrics sampled during the run; times on the records' monotonic clock. */
  telemetry?: TelemetrySeries[]
  /** A sweep's answer: the highest load that met the objectives. */
  sweep?: SweepSummary
  prompts?: PromptsSummary
  /** A merged result: how many shards it combines. */
  shards?: number
  /** This result is one shard of a run (`--shard i/n`); `llmbench merge` combines the shards. */
  shard?: { index: number; count: number }
  /** Date.now() minus the monotonic clock when the result was made: puts records of several machines on one time line. */
  clockOffsetMs?: number
  /** The JSONL file holding every record of the run (records/records-file.ts). */
  recordsFile?: string
  /** The run against its baseline (`--baseline`): every figure's change, interval and verdict (docs/verdicts.md). */
  comparison?: { baseline: string } & VerdictDocument
  /** `llmbench run --expect`: each objective's check on each level (docs/verdicts.md). */
  checks?: CheckOutcome[]
}

/** Where a scenario's prompts came from, and how they were fitted to the server's tokenizer. */
export interface PromptsSummary {
  /** One line, e.g. "ShareGPT file data.json: 1,234 prompts after filters". */
  source: string
  /** The fit to the server's /tokenize (vLLM, SGLang, the simulator), when it has one. */
  calibration?: {
    url: string
    model: string
    mode: 'prompt' | 'chat'
    samples: number
    target: number
    meanOffsetBefore: number
    offset: number
    exactAfter: number
    requests: number
  }
}

export interface TelemetrySeries {
  source: 'server' | 'gpu'
  /** The metric's name as the source spells it, e.g. vllm:num_requests_running. */
  name: string
  /** What it means in llmbench's words, e.g. 'running requests'. */
  label: string
  unit?: string
  labels?: Record<string, string>
  /** [monotonic ms (clock.ts, as RequestRecord times), value] */
  points: Array<[number, number]>
}

export interface SweepSummary {
  kind: 'concurrency' | 'rate'
  /** The highest probed load that met every objective; null when even the lowest failed. */
  capacity: number | null
  /** The lowest probed load that failed; null when none failed within the budget. */
  firstFailing: number | null
  resolution: number
  /** Every probed load in the order probed, with its verdict; levels[] holds their figures. */
  probes: Array<{ load: number; passed: boolean; level: number }>
  stoppedBy: 'resolution' | 'budget' | 'max'
}

export interface SourceLocation {
  file: string
  line: number
  column?: number
}

/** The outcome of one objective or assertion, on one level or on the scenario. */
export interface CheckOutcome {
  /** e.g. `ttft.p95 < 800 @ concurrency 50` or `expect(level(50).ttft.p95).toBeLessThan(800)`. */
  name: string
  kind: 'objective' | 'assertion'
  passed: boolean
  /** The level it was checked on, when one. */
  level?: number
  /** The LoRA adapter whose requests it was checked on, when one (docs/request-kinds.md). */
  adapter?: string
  metric?: string
  expected?: string
  actual?: number
  /** Objectives: the interval of the figure (95%), and the rule that decided from it (docs/verdicts.md). */
  interval?: [number, number]
  confidence?: 'lenient' | 'strict' | 'point'
  /** Objectives: the interval spans the bound, so this level cannot tell whether it is met. */
  marginal?: boolean
  /** Objectives: decided by the sequential rule of `stopEarly`, which settled it after this many requests. */
  settledEarly?: number
  message?: string
  /** Where it was written: the bench file and line. */
  location?: SourceLocation
}
