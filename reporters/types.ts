/**
 * A reporter: optional hooks over the run's events. Reporters read the result model only, and
 * are called through one dispatcher (reporters/dispatch.ts) that catches each one's errors, so a
 * broken reporter never hides the others' output or changes the exit code.
 */
import type { RunEvent, ScenarioRef } from '../src/results/events.js'
import type { FileResult, ScenarioResult, SuiteResult } from '../src/results/suite.js'
import type { CheckOutcome } from '../src/dsl/types.js'
import type { LevelSummary, LoadSpec } from '../src/results/types.js'

export interface RunStart {
  /** Project root: file paths in results are relative to it. */
  root: string
  files: string[]
  startedAt: string
}

export interface Reporter {
  onRunStart?(run: RunStart): void | Promise<void>
  onFileStart?(file: string): void | Promise<void>
  onScenarioStart?(scenario: ScenarioRef, levels: number[], kind?: LoadSpec['kind']): void | Promise<void>
  /** `total` is 0 for a level bounded by time rather than a count. */
  onLevelStart?(scenario: ScenarioRef, load: LoadSpec, total: number): void | Promise<void>
  onLevelProgress?(event: Extract<RunEvent, { type: 'level-progress' }>): void | Promise<void>
  onLevelEnd?(scenario: ScenarioRef, summary: LevelSummary): void | Promise<void>
  onCheck?(scenario: ScenarioRef, check: CheckOutcome): void | Promise<void>
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>
  onFileEnd?(result: FileResult): void | Promise<void>
  onRunEnd?(result: SuiteResult): void | Promise<void>
}

/** Options every built-in reporter factory receives. */
export interface ReporterOptions {
  root: string
  /** The file to write, for reporters that write one (`--outputFile.<name>=path`). */
  outputFile?: string
  /** Where console output goes (tests pass a buffer). */
  stdout?: NodeJS.WritableStream
  env?: NodeJS.ProcessEnv
}
