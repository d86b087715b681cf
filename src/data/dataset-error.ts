/** Dataset file errors: one line, `<path>:<line>: <what is wrong> (<fix>)`, as editors link them. */
import { isAbsolute, relative } from 'node:path'
import { UsageError } from '../errors.js'

/** A path as messages show it: relative to the working folder when inside it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

export function datasetError(path: string, line: number | undefined, what: string, fix: string): UsageError {
  return new UsageError(`${shownPath(path)}${line === undefined ? '' : `:${line}`}: ${what} (${fix})`)
}

/**
 * JSON.parse's complaint without the echo of the input it adds, and the character position it
 * names, if any, to turn into a line number.
 */
export function jsonProblem(err: unknown): { message: string; position?: number } {
  const raw = err instanceof Error ? err.message : String(err)
  const at = / in JSON at position (\d+)/.exec(raw)
  const message = raw
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .split('\n')[0]
  return at ? { message, position: Number(at[1]) } : { message }
}
