/**
 * The events a worker sends to the main thread while it runs one bench file. Serializable
 * (structured clone), one union: the progress bar and every reporter hook are driven by these.
 */
import type { CheckOutcome, ErrorInfo, FileResult, ScenarioResult } from './suite.js'
import type { LevelSummary, LoadSpec } from './types.js'

export interface ScenarioRef {
  file: string
  id: string
  name: string
}

export type RunEvent =
  | { type: 'file-start'; file: string }
  | { type: 'scenario-start'; scenario: ScenarioRef; levels: number[]; kind?: LoadSpec['kind'] }
  | { type: 'level-start'; scenario: ScenarioRef; load: LoadSpec; total: number; durationSec?: number }
  | { type: 'level-progress'; scenario: ScenarioRef; load: LoadSpec; done: number; failed: number; total: number; ttftP50?: number }
  | { type: 'level-end'; scenario: ScenarioRef; summary: LevelSummary }
  | { type: 'check'; scenario: ScenarioRef; check: CheckOutcome }
  | { type: 'scenario-end'; result: ScenarioResult }
  | { type: 'file-end'; result: FileResult }
  | { type: 'file-error'; file: string; error: ErrorInfo }
