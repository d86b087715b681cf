/**
 * What a bench file declares: scenario options and objectives. Every field is optional here;
 * the config's defaults fill the rest (src/config), and validation names the file and key.
 */
import type { LevelSummary, ScenarioOptionsPublic, SloSet, Stats, StatName } from '../results/types.js'
import type { LoadInput } from '../load/options.js'
import type { DatasetObject, InputOptions, OutputOptions } from '../data/spec-check.js'
import type { SourceLocation } from '../results/suite.js'

export type { CheckOutcome, SourceLocation } from '../results/suite.js'

/** The load-shape keys (rate, arrival, duration, warmup, cooldown, ramp, sweep…) are LoadInput's: docs/workloads.md. */
export interface BenchOptions extends LoadInput {
  /** A URL, or the name of a server in the config's `servers`. */
  server?: string
  model?: string
  /** `chat` or `completions`. */
  endpoint?: string
  /** Sent as a Bearer token; never recorded. Read secrets from the environment. */
  apiKey?: string
  headers?: Record<string, string>
  /** Extra fields merged into every request body. */
  body?: Record<string, unknown>
  /** One level per value, run in turn. */
  concurrency?: number | number[]
  /** Measured requests per level. */
  requests?: number
  /** Server /metrics and GPU sampling (docs/telemetry.md): on by default every second. */
  telemetry?: { enabled?: boolean; interval?: string | number; gpu?: boolean; dcgmUrl?: string }
  /** Prompt length, with a spread, a shared prefix or groups (docs/datasets.md). */
  input?: InputOptions
  output?: OutputOptions
  /** A prompt dataset: a path (format from its name) or `{ path, format, ... }` (docs/datasets.md). */
  dataset?: string | DatasetObject
  /** Path of a Hugging Face tokenizer.json for synthetic prompts (default: the built-in o200k). */
  tokenizer?: string
  /** Fit synthetic prompts to the server's /tokenize when it has one (default true). */
  calibrate?: boolean
  /** Load-generating threads for the scenario, or 'auto' (docs/scale.md). */
  threads?: number | 'auto'
  /** Records each level keeps in the result; the records file has every one (default: 100,000, fewer for many levels). */
  recordsLimit?: number
  stream?: boolean
  /** Per-request timeout in ms. */
  timeout?: number
  ignoreEos?: boolean
  includeUsage?: boolean
  continuousUsage?: boolean
  seed?: number
  /** Objectives checked after the run; a missed one fails the scenario (exit code 1). */
  slo?: SloObjectives
}

/**
 * Objectives in the spirit of k6 thresholds. Keys are `<metric>.<stat>` (`ttft.p95`,
 * `tpot.mean`, `e2e.p99`, `outputTokens.mean`, …), `errors.rate`, `errors.count`,
 * `throughput.requests`, `throughput.output`, `throughput.input`, `throughput.total` (per second)
 * or `goodput`; values an expression (`'< 800'`, `'<= 800'`, `'> 5'`, `'>= 5'`, `'== 0'`, no
 * units), or `{ expect, level }` naming the one level it applies to. Without a level, every level
 * must meet it. Checked by src/dsl/objectives.ts.
 */
export interface SloObjectives {
  /**
   * Bounds in ms and the least ratio of good requests (`{ ttft: 500, tpot: 50, min: 0.9 }`), or an
   * expression on the ratio of the scenario's own goodput bounds (`'>= 0.9'`).
   */
  goodput?: GoodputObjective | ThresholdValue
  [threshold: string]: ThresholdValue | GoodputObjective | undefined
}

/** `'< 800'`, or the same limited to one concurrency level. */
export type ThresholdValue = string | { expect: string; level?: number }

/** SLO bounds in ms, the least ratio of requests that meet them all, and optionally one level. */
export type GoodputObjective = SloSet & { min: number; level?: number }

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
  readonly levels: LevelView[]
  /** The level run at `concurrency`; throws, listing the levels, when there is none. */
  level(concurrency: number): LevelView
}
