/** Thrown values as ErrorInfo: serializable, with where in the bench file they came from. */
import { UsageError } from '../errors.js'
import type { ErrorInfo } from '../results/suite.js'
import { errorLocation } from './stack.js'
import type { SourceLocation } from './types.js'

/**
 * `error` as ErrorInfo. The location is the first frame of its stack in `benchFile`, else
 * `fallback` (where the bench or hook was declared). `prefix` opens the message (`beforeAll hook: `).
 */
export function toErrorInfo(error: unknown, benchFile?: string, fallback?: SourceLocation, prefix = ''): ErrorInfo {
  const info: ErrorInfo = { message: prefix + messageOf(error) }
  if (error instanceof UsageError) info.usage = true
  if (error instanceof Error && error.stack && !info.usage) info.stack = error.stack
  const location = errorLocation(error, benchFile) ?? fallback
  if (location) info.location = location
  return info
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
