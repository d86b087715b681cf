/**
 * Record boundaries in a dataset file, found on the raw bytes: a JSON list of records or one
 * record per line. Working on a Buffer keeps files larger than a JavaScript string can hold
 * (ShareGPT's 670 MB JSON) readable, and every record keeps the line it starts on for errors.
 * Records are parsed when they are needed, not all kept in memory.
 */
import { datasetError, jsonProblem } from './dataset-error.js'

export interface Span {
  start: number
  end: number
  /** 1-based line of the record's first byte. */
  line: number
}

const NL = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
/** Opening bracket to its closing one: `[` `]`, `{` `}`. */
const PAIR = new Map([[0x5b, 0x5d], [0x7b, 0x7d]])
const CLOSE = new Set([0x5d, 0x7d])
const isSpace = (c: number) => c === 0x20 || c === NL || c === CR || c === 0x09

/**
 * The longest record (a line, or an element of a JSON list) read as a prompt: 64 MiB, over 10
 * million tokens of text, longer than any model's context. A longer one is a broken file (a
 * missing line break, a dump in a field), and past ~512 MB could not even be made a string.
 */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`

/** The record must fit MAX_RECORD_BYTES. */
function checkSize(path: string, span: Span): Span {
  const size = span.end - span.start
  if (size > MAX_RECORD_BYTES) {
    throw datasetError(path, span.line, `a record of ${mb(size)}, longer than the ${MAX_RECORD_BYTES / 1048576} MB llmbench reads as one prompt`, 'a line break may be missing; split or shorten the record')
  }
  return span
}

/** Offset of the first byte that is not whitespace or a byte-order mark. */
export function firstContent(buf: Buffer): number {
  let i = bomLength(buf)
  while (i < buf.length && isSpace(buf[i])) i++
  return i
}

function bomLength(buf: Buffer): number {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
}

/** Lines that are not blank, without their line ending; each within MAX_RECORD_BYTES. */
export function lineSpans(buf: Buffer, path: string): Span[] {
  const spans: Span[] = []
  let start = bomLength(buf)
  let line = 1
  while (start <= buf.length) {
    let end = buf.indexOf(NL, start)
    if (end < 0) end = buf.length
    let stop = end
    if (stop > start && buf[stop - 1] === CR) stop--
    let k = start
    while (k < stop && isSpace(buf[k])) k++
    if (k < stop) spans.push(checkSize(path, { start, end: stop, line }))
    line++
    start = end + 1
  }
  return spans
}

/** The elements of a top-level JSON list, each within MAX_RECORD_BYTES. The caller has checked that the file starts with `[`. */
export function jsonListSpans(buf: Buffer, path: string, fix: string): Span[] {
  const spans: Span[] = []
  let i = firstContent(buf)
  let line = 1
  for (let k = 0; k < i; k++) if (buf[k] === NL) line++
  const open: number[] = []
  let inString = false
  let start = -1
  let startLine = 0
  const close = (end: number) => {
    if (start < 0) throw datasetError(path, line, 'empty record in the list (two commas in a row, or a comma before "]")', fix)
    spans.push(checkSize(path, { start, end, line: startLine }))
    start = -1
  }
  for (; i < buf.length; i++) {
    const c = buf[i]
    if (c === NL) line++
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
      continue
    }
    if (isSpace(c)) continue
    if (open.length === 1 && start < 0 && c !== COMMA && !CLOSE.has(c)) {
      start = i
      startLine = line
    }
    const closer = PAIR.get(c)
    if (c === QUOTE) inString = true
    else if (closer !== undefined) open.push(closer)
    else if (CLOSE.has(c)) {
      const expected = open.pop()
      if (expected !== c) {
        const what = expected === undefined ? 'closes nothing' : `where "${String.fromCharCode(expected)}" was expected`
        throw datasetError(path, line, `not valid JSON: a "${String.fromCharCode(c)}" ${what}`, fix)
      }
      if (open.length === 0) {
        if (start >= 0 || spans.length > 0) close(i)
        return trailing(buf, i + 1, line, path, fix, spans)
      }
    } else if (c === COMMA && open.length === 1) close(i)
  }
  throw datasetError(path, start >= 0 ? startLine : line, inString ? 'the file ends inside a string (a quote is not closed)' : 'the file ends before the list is closed', fix)
}

function trailing(buf: Buffer, from: number, line: number, path: string, fix: string, spans: Span[]): Span[] {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] === NL) line++
    else if (!isSpace(buf[i])) throw datasetError(path, line, 'more text after the end of the list', fix)
  }
  return spans
}

export function spanText(buf: Buffer, span: Span): string {
  return buf.toString('utf8', span.start, span.end)
}

/** JSON.parse of one record; a syntax error names the line it is on. */
export function parseSpan(buf: Buffer, span: Span, path: string, fix: string): unknown {
  const text = spanText(buf, span)
  try {
    return JSON.parse(text)
  } catch (err) {
    const { message, position } = jsonProblem(err)
    let line = span.line
    if (position !== undefined) for (let k = 0; k < position && k < text.length; k++) if (text.charCodeAt(k) === NL) line++
    throw datasetError(path, line, `not valid JSON: ${message}`, fix)
  }
}
