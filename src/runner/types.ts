/**
 * The runner's own types: the resolved options of one scenario (config/resolve.ts builds them from
 * what users write), what a listener hears, and what a scenario returns.
 */
import type { ObjectiveSpec } from '../verdicts/objective.js'
import type { LevelResult, LoadSpec, PromptsSummary, RequestRecord, SloSet, SweepSummary, TelemetrySeries } from '../results/types.js'
import type { PromptSpec } from '../data/prompt.js'
import type { LevelPlan, LoadOptions } from '../load/levels.js'
import type { SweepOptions } from '../load/sweep.js'
import type { ServerGone } from './server-gone.js'
import type { RecordedScenario } from '../options/recorded.js'
import type { MediaSpec } from '../data/media.js'
import type { LoraSpec } from '../data/lora.js'
import type { StructuredSpec } from '../client/structured.js'
import type { CostOptions } from '../options/kinds.js'
import type { AgentSettings, SessionSettings } from '../load/session-options.js'

export interface ScenarioOptions extends LoadOptions {
  /** The options as a user wrote them, after every layer: what a result records (config/resolve.ts builds both). */
  recorded?: RecordedScenario
  server: string
  model: string
  endpoint: string
  stream: boolean
  inputLen: number
  outputLen: number
  ignoreEos: boolean
  includeUsage: boolean
  continuousUsage: boolean
  timeoutMs: number
  /** A response silent this long after its head ends as `timeout` (client/http.ts); default 60 s, or timeoutMs if smaller. */
  idleTimeoutMs?: number
  apiKey?: string
  headers: Record<string, string>
  body: Record<string, unknown>
  goodput?: SloSet
  /** End each level once its objectives are decided, or a rate level is over-saturated (docs/verdicts.md). */
  stopEarly?: StoppingObjectives & { minRequests: number }
  /** Instead of fixed levels, search for the capacity or spread rates (load/sweep.ts). */
  sweep?: SweepOptions
  /** Server /metrics and GPU sampling during the run (docs/telemetry.md); on unless `enabled: false`. */
  telemetry?: TelemetrySettings
  /** Where prompts come from (docs/datasets.md); default: synthetic prompts of inputLen / outputLen tokens. */
  prompts?: PromptSpec
  /** Fit synthetic prompts to the server's /tokenize when it has one (default true). */
  calibrate?: boolean
  /** Records kept per level in the result (a seeded sample beyond it; all are in the records file). Default 100,000. */
  recordsLimit?: number
  /** Load threads: a number, or 'auto' (default) from the CPUs and the streams (threads.ts). */
  threads?: number | 'auto'
  /** Wall-clock time (epoch ms) at which the first level's measured part begins: shards start together. */
  startAt?: number
  seed: number
  // Workloads as users send them (docs/workloads.md).
  /** Chained conversations (runner/session.ts); set with `agent` too, a task being a session of one turn. */
  sessions?: SessionSettings
  /** Agent tool loops. */
  agent?: AgentSettings
  /** Empty the server's prefix cache before each level, where it offers that. */
  resetPrefixCache?: boolean
  /** Names this run's sessions (their affinity ids); the same in every load thread. */
  sessionTag?: string
  // Request kinds (docs/request-kinds.md), resolved by config/kinds.ts.
  /** Images and audio in chat requests. */
  media?: MediaSpec
  /** LoRA adapters and how requests are assigned to them. */
  lora?: LoraSpec
  /** Structured outputs asked for, and the validity check of each answer. */
  structured?: StructuredSpec
  /** The price of the serving, for each level's cost figures. */
  cost?: CostOptions
}


export interface TelemetrySettings {
  enabled?: boolean
  intervalMs?: number
  /** nvidia-smi on this machine (default: when the server is on this machine), or a DCGM exporter. */
  gpu?: boolean | { dcgmUrl: string }
}

export interface LevelStart {
  index: number
  plan: LevelPlan
  /** Measured requests, when the level is bounded by a count. */
  total?: number
  /** The measured part's length in seconds, when the level is bounded by time. */
  durationSec?: number
  warmup: number
  /** The load counts sessions (`total` is of sessions; a session's last record ends one). */
  sessions?: boolean
}

export interface ScenarioListener {
  onLevelStart?(level: LevelStart): void
  onWarmupEnd?(level: LevelStart): void
  onRecord?(record: RequestRecord, level: LevelStart): void
  onLevelEnd?(level: LevelResult, start: LevelStart): void
  /** One line about the run itself, e.g. a telemetry source that is not available. */
  onNotice?(line: string): void
  /** The prompts are ready (and fitted to the server's tokenizer), before the first level. */
  onPrompts?(summary: PromptsSummary): void
}

export interface ScenarioOutcome {
  levels: LevelResult[]
  /** The server went away: the levels after the one where it happened were not run. */
  serverGone?: ServerGone
  sweep?: SweepSummary
  telemetry?: TelemetrySeries[]
  prompts?: PromptsSummary
}

/** Messages between the main thread and a load thread (threads.ts, thread-worker.ts). */
export type ToThread =
  | { type: 'level'; index: number; load: LoadSpec }
  | { type: 'go'; at: number }
  | { type: 'stop' }
  | { type: 'close' }

export type FromThread =
  | { type: 'ready'; index: number }
  | { type: 'records'; index: number; records: RequestRecord[] }
  | { type: 'done'; index: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; warnings: string[] }
  | { type: 'failed'; message: string; stopped?: boolean }

/** What an early stop watches: the scenario's objectives as figure, comparison and bound (dsl/objectives.ts). */
export interface StoppingObjectives {
  objectives: Array<ObjectiveSpec & { level?: number }>
  /** The bounds of the goodput objective, when it has its own. */
  goodput?: SloSet
  /** Objectives left to the level's end (a second goodput objective): such a level never settles early. */
  untracked: number
}
