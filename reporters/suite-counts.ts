/** Counts and labels every suite reporter shares, read from the suite result only. */
import type { CheckOutcome } from '../src/dsl/types.js'
import { stripControls, terminalText } from '../src/text/sanitize.js'
import type { FileResult, ScenarioResult, ScenarioStatus, SuiteResult } from '../src/results/suite.js'

export interface SuiteCounts {
  scenarios: Record<ScenarioStatus, number>
  checks: { passed: number; failed: number }
  /** Files that could not be loaded or whose hooks failed. */
  crashed: FileResult[]
}

export function countSuite(result: SuiteResult): SuiteCounts {
  // In report order: passed, failed, error, skipped, todo.
  const scenarios: Record<ScenarioStatus, number> = { passed: 0, failed: 0, error: 0, skipped: 0, todo: 0 }
  const checks = { passed: 0, failed: 0 }
  for (const file of result.files) {
    for (const s of file.scenarios) {
      scenarios[s.status]++
      for (const c of s.checks) c.passed ? checks.passed++ : checks.failed++
    }
  }
  return { scenarios, checks, crashed: result.files.filter((f) => f.error) }
}

/** `3 passed | 1 failed | 1 skipped`: the non-zero counts in report order, or `0`. */
export function joinCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`)
  return parts.length ? parts.join(' | ') : '0'
}

/** `bench/a.bench.ts:12:5` */
export function formatLocation(loc: { file: string; line: number; column?: number }): string {
  return `${loc.file}:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`
}

/** Whether a message already ends with where it was written (`(latency.bench.ts:14)`), so it is not said twice. */
export function mentionsLocation(message: string, loc: { file: string; line: number }): boolean {
  return message.includes(`${loc.file}:${loc.line}`)
}

/** A failed check in one line: its message, or what was expected and what was measured. */
export function checkMessage(check: CheckOutcome): string {
  if (check.message) return check.message
  const parts = [check.name]
  if (check.expected !== undefined) parts.push(`expected ${check.expected}`)
  if (check.actual !== undefined) parts.push(`actual ${check.actual}`)
  return parts.join(', ')
}

/** ANSI CSI sequences (colours, cursor moves). The full set of escapes is in src/text/sanitize.ts. */
export const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g

/** Escape sequences and control characters removed; tab, CR and LF kept (see src/text/sanitize.ts). */
export function stripControl(text: string): string {
  return stripControls(text)
}

/** User or server text made safe for a terminal: escapes and controls removed, CR/CRLF as LF. */
export function plainText(text: string): string {
  return terminalText(text)
}

export function failedChecks(s: ScenarioResult): CheckOutcome[] {
  return s.checks.filter((c) => !c.passed)
}
