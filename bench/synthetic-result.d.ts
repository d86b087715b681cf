/** Types of bench/synthetic-result.js, for the tests that import it. */
import type { SuiteResult } from '../src/results/suite.js'
import type { RunResult, SloSet } from '../src/results/types.js'

export interface SyntheticOptions {
  requests?: number
  concurrency?: number[]
  tokens?: number
  inputTokens?: number
  seed?: number
  model?: string
  server?: string
  errorMessage?: string
  failRate?: number
  slo?: SloSet
  startedAt?: string
}

export function syntheticRunResult(options?: SyntheticOptions): RunResult
export function syntheticSuiteResult(options?: SyntheticOptions & { name?: string; file?: string; suite?: string; checkName?: string }): SuiteResult
