/**
 * Where a call came from in the user's files: frames of a V8 stack (`new Error().stack`), with
 * source-mapped positions when the loader enabled source maps (esbuild-register does), so lines
 * are the lines of the `.ts` file the user wrote.
 */
import { fileURLToPath } from 'node:url'
import type { SourceLocation } from './types.js'

export interface StackFrame {
  /** A path with forward slashes (file URLs converted). */
  path: string
  line: number
  column: number
}

const FRAME = /^\s*at (?:async )?(?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/

/** The frames of a V8 stack string that name a file (not `node:` internals, not `<anonymous>`). */
export function parseFrames(stack: string | undefined): StackFrame[] {
  if (!stack) return []
  const frames: StackFrame[] = []
  for (const text of stack.split('\n')) {
    const m = FRAME.exec(text)
    if (!m) continue
    let path = m[1]
    if (path.startsWith('node:') || path.startsWith('<') || path.startsWith('internal/')) continue
    if (path.startsWith('file://')) {
      try {
        path = fileURLToPath(path)
      } catch {
        continue
      }
    }
    frames.push({ path: path.replace(/\\/g, '/'), line: Number(m[2]), column: Number(m[3]) })
  }
  return frames
}

/** The frames of the caller of `omit` (the public function the user called), outermost last. */
export function callerFrames(omit: Function): StackFrame[] {
  const holder: { stack?: string } = {}
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 50
  try {
    Error.captureStackTrace(holder, omit)
  } finally {
    Error.stackTraceLimit = limit
  }
  return parseFrames(holder.stack)
}

/** Whether a frame's path is `file` (absolute, or relative to the project root). */
export function isFile(path: string, file: string | undefined): boolean {
  if (!file) return false
  const f = file.replace(/\\/g, '/').replace(/^\.\//, '')
  return path === f || path.endsWith('/' + f)
}

/**
 * The frame to report: the first one in `preferFile` (the bench file) when there is one, else the
 * first frame, unless `strict`, where only a frame of `preferFile` will do.
 */
export function pickFrame(frames: StackFrame[], preferFile: string | undefined, strict = false): StackFrame | undefined {
  const inFile = frames.find((f) => isFile(f.path, preferFile))
  if (inFile || strict) return inFile
  return frames[0]
}

/** A frame as a location; a frame of the bench file is named as the bench file is (relative to the root). */
export function toLocation(frame: StackFrame, benchFile: string | undefined): SourceLocation {
  const file = benchFile !== undefined && isFile(frame.path, benchFile) ? benchFile.replace(/\\/g, '/') : frame.path
  return { file, line: frame.line, column: frame.column }
}

/** Where the user called `omit`, preferring a frame in `benchFile`. */
export function callSite(omit: Function, benchFile: string | undefined): { location?: SourceLocation; frame?: StackFrame } {
  const frame = pickFrame(callerFrames(omit), benchFile)
  return frame ? { location: toLocation(frame, benchFile), frame } : {}
}

/** Where an error was thrown in the bench file, when its stack says so. */
export function errorLocation(error: unknown, benchFile: string | undefined): SourceLocation | undefined {
  const stack = error instanceof Error ? error.stack : undefined
  const frame = pickFrame(parseFrames(stack), benchFile, true)
  return frame ? toLocation(frame, benchFile) : undefined
}

/** `latency.bench.ts:14` for messages. */
export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}` : ''
}
