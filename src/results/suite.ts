/**
 * The result of `npx llmbench`: bench files, their scenarios, each scenario's levels (the same
 * LevelResult as `llmbench run` writes) and the verdict of every objective and assertion.
 * Plain, serializable data: reporters read only this and the run's events.
 */
import type { CheckOutcome, LevelResult, PromptsSummary, ScenarioOptionsPublic, SweepSummary, TelemetrySeries } from './types.js'

/** 2: each scenario's `options` as a bench file writes them (results/upgrade.ts reads 1). */
export const SUITE_SCHEMA_VERSION = 2

export type ScenarioStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'todo'

export interface ErrorInfo {
  message: string
  /** A usage or configuration error (an unknown option, an unreachable server, an unknown model): exit code 2, not a crash. */
  usage?: boolean
  stack?: string
  /** Where the error came from in the user's files, when known. */
  location?: { file: string; line: number; column?: number }
}

export interface ScenarioResult {
  /** Stable within a file: the describe path and the bench name joined by ` > `. */
  id: string
  name: string
  /** The describe blocks around it, outermost first. */
  suite: string[]
  file: string
  status: ScenarioStatus
  /** Absent for skipped and todo scenarios. */
  options?: ScenarioOptionsPublic
  levels: LevelResult[]
  /** A sweep's answer, when the scenario ran one. */
  sweep?: SweepSummary
  /** Server and GPU metrics sampled while the scenario ran. */
  telemetry?: TelemetrySeries[]
  prompts?: PromptsSummary
  checks: CheckOutcome[]
  error?: ErrorInfo
  durationMs: number
}

export interface FileResult {
  /** Relative to the project root, with forward slashes. */
  file: string
  scenarios: ScenarioResult[]
  /** The file could not be loaded or a hook failed. */
  error?: ErrorInfo
  durationMs: number
}

export interface SuiteResult {
  schemaVersion: typeof SUITE_SCHEMA_VERSION
  llmbench: { version: string }
  startedAt: string
  finishedAt: string
  interrupted: boolean
  environment: { node: string; platform: string; cpus: number; cpuModel: string }
  files: FileResult[]
  /** 0 all met, 1 an objective failed, 3 a file crashed (exit-codes.ts). */
  exitCode: number
}

/** Overall verdict of a run: `measured` when nothing was checked (a `llmbench run`). */
export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted' | 'measured'

/** A suite result's status, as the history and the store list it. */
export function suiteStatus(doc: SuiteResult): RunStatus {
  if (doc.interrupted) return 'interrupted'
  if (doc.exitCode === 3) return 'error'
  if (doc.exitCode !== 0) return 'failed'
  return 'passed'
}

/** A place in a user's file. `file` is the bench file as the runner named it, or an absolute path. */
export type { CheckOutcome, SourceLocation } from './types.js'
