/**
 * The source text of an assertion, read from the user's file at the line the stack names:
 * `expect(result.level(50).ttft.p95).toBeLessThan(800)`. Best effort: undefined when the file
 * cannot be read or the call is not found there.
 */
import { readFileSync } from 'node:fs'
import type { StackFrame } from './stack.js'

const cache = new Map<string, string[] | null>()
const MAX_CHARS = 2000

/** Forget the files read so far (a new file is collected; files may have changed). */
export function clearSourceCache(): void {
  cache.clear()
}

function lines(path: string): string[] | null {
  let got = cache.get(path)
  if (got === undefined) {
    try {
      got = readFileSync(path, 'utf8').split(/\r?\n/)
    } catch {
      got = null
    }
    cache.set(path, got)
  }
  return got
}

export interface CallText {
  /** The whole chain: `expect(x).toBeLessThan(800)`. */
  text: string
  /** The first call's arguments: `x`. */
  args: string
}

/** The call of `callee` nearest the frame's column, with the matcher calls chained on it. */
export function callText(frame: StackFrame | undefined, callee: string): CallText | undefined {
  if (!frame) return undefined
  const all = lines(frame.path)
  if (!all || frame.line < 1 || frame.line > all.length) return undefined
  const line = all[frame.line - 1]
  const re = new RegExp(`(?<![\\w$.])${callee}\\s*\\(`, 'g')
  let start = -1
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (start < 0 || Math.abs(m.index - (frame.column - 1)) < Math.abs(start - (frame.column - 1))) start = m.index
  }
  if (start < 0) return undefined
  const text = [line.slice(start), ...all.slice(frame.line, frame.line + 30)].join('\n').slice(0, MAX_CHARS)
  return scanChain(text)
}

/** Scans `callee(…)` then any `.name(…)` / `.name` links; undefined when the parentheses do not close. */
function scanChain(text: string): CallText | undefined {
  let i = text.indexOf('(')
  const argsEnd = closing(text, i)
  if (argsEnd < 0) return undefined
  const args = text.slice(i + 1, argsEnd)
  let end = argsEnd + 1
  for (;;) {
    const m = /^\s*\.\s*([A-Za-z_$][\w$]*)\s*/.exec(text.slice(end))
    if (!m) break
    i = end + m[0].length
    if (text[i] === '(') {
      const close = closing(text, i)
      if (close < 0) return undefined
      end = close + 1
    } else {
      end = end + m[0].trimEnd().length
    }
  }
  return { text: squash(text.slice(0, end)), args: squash(args) }
}

/** The index of the parenthesis closing the one at `open`, skipping strings and comments; -1 if none. */
function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === '"' || c === "'" || c === '`') {
      i = endOfString(text, i)
      if (i < 0) return -1
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i)
      if (nl < 0) return -1
      i = nl
    } else if (c === '/' && text[i + 1] === '*') {
      const endComment = text.indexOf('*/', i + 2)
      if (endComment < 0) return -1
      i = endComment + 1
    } else if (c === '(' || c === '[' || c === '{') {
      depth++
    } else if (c === ')' || c === ']' || c === '}') {
      depth--
      if (depth === 0) return c === ')' ? i : -1
    }
  }
  return -1
}

function endOfString(text: string, start: number): number {
  const quote = text[start]
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === quote) return i
  }
  return -1
}

function squash(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}
