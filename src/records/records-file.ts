/**
 * The records file: every request record of a run, one JSON line each, appended as requests
 * complete so that a crash (even kill -9) loses at most the last buffer. `rebuild.ts` turns it
 * back into a result. Lines, in order:
 *
 *   {"type":"run","format":2,"llmbench":{…},"startedAt":…,"command":…,"environment":{…},"scenario":{…}}
 *   {"type":"level","index":0,"load":{…}}
 *   {"type":"record","level":0,…RequestRecord}          (as many as the level has)
 *   {"type":"levelEnd","index":0,"summary":{…}}
 *   {"type":"end","finishedAt":…,"interrupted":false}   (absent after a crash)
 *
 * Nothing secret is written: the scenario is the public one (header names only) and every string
 * that may echo a request (error messages) is redacted as the result document is (redact.ts).
 */
import { now } from '../clock.js'
import fs from 'node:fs'
import readline from 'node:readline'
import { UsageError, RuntimeError } from '../errors.js'
import { VERSION } from '../version.js'
import { knownSecrets, redactDeep, redactSecrets } from '../results/redact.js'
import { machineEnvironment } from '../results/result.js'
import type { LevelSummary, LoadSpec, RequestRecord, RunResult, ScenarioOptionsPublic, SweepSummary, TelemetrySeries } from '../results/types.js'
import { runFromV1 } from '../results/upgrade.js'
import { makeDirs } from '../dirs.js'
import { dirname, resolve } from 'node:path'

/** 2: the run line's scenario as a result records it (results/upgrade.ts reads format 1). */
export const RECORDS_FORMAT = 2

export interface RecordsHeader {
  scenario: ScenarioOptionsPublic
  startedAt: Date | string
  /** The command line, already passed through redactArgv. */
  command: string
}

export interface RunLine {
  type: 'run'
  format: number
  llmbench: { version: string }
  startedAt: string
  command: string
  environment: RunResult['environment']
  scenario: ScenarioOptionsPublic
  /** Wall clock minus the monotonic clock when the file was opened: shards' times meet on it (merge). */
  clockOffsetMs?: number
}
export interface LevelLine {
  type: 'level'
  index: number
  load: LoadSpec
}
export type RecordLine = { type: 'record'; level: number } & RequestRecord
export interface LevelEndLine {
  type: 'levelEnd'
  index: number
  summary: LevelSummary
}
export interface EndMeta {
  finishedAt: Date | string
  interrupted: boolean
  telemetry?: TelemetrySeries[]
  sweep?: SweepSummary
}
export interface EndLine extends Omit<EndMeta, 'finishedAt'> {
  type: 'end'
  finishedAt: string
}
/** Not a line of the file: the reader's note that the last line was cut short and skipped. */
export interface TruncatedLine {
  type: 'truncated'
  line: number
  bytes: number
}
export type RecordsLine = RunLine | LevelLine | RecordLine | LevelEndLine | EndLine | TruncatedLine

export interface RecordsWriterOptions {
  /** Longest time a record waits in memory; default 200 ms. */
  flushIntervalMs?: number
  /** Buffered characters that trigger a write; default 1 MiB. */
  flushBytes?: number
  /** Texts to redact besides credential shapes; default the process's known secrets. */
  secrets?: string[]
  /** Fail when the file exists instead of replacing it. */
  exclusive?: boolean
}

/** Writers with unwritten lines, flushed by one exit hook. */
const openWriters = new Set<RecordsWriter>()
let exitHooked = false

/**
 * Lines are built as bytes in one buffer, written with fs.writeSync when it is full or old enough.
 * Printing doubles is most of the cost of JSON.stringify on a record; token times are whole µs
 * in ms (tracker.ts), so they are printed here from integers: the text of m/1000 parses back to
 * the same double, because that double is m/1000 correctly rounded. Others go to JSON.stringify.
 */
class LineBuffer {
  bytes: Buffer
  length = 0
  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity)
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + n))
    this.bytes.copy(next, 0, 0, this.length)
    this.bytes = next
  }

  text(s: string): void {
    this.room(3 * s.length)
    this.length += this.bytes.write(s, this.length)
  }

  byte(c: number): void {
    this.room(1)
    this.bytes[this.length++] = c
  }

  /** A non-negative safe integer in decimal. */
  private digits(x: number): void {
    let n = 1
    for (let p = 10; p <= x; p *= 10) n++
    let i = this.length + n
    do {
      const q = Math.floor(x / 10)
      this.bytes[--i] = 48 + x - q * 10
      x = q
    } while (x > 0)
    this.length += n
  }

  /** The JSON of `times`, byte for byte what JSON.stringify prints. */
  times(times: readonly number[]): void {
    this.room(2 + times.length * 26)
    const b = this.bytes
    b[this.length++] = 0x5b // [
    for (let i = 0; i < times.length; i++) {
      if (i > 0) b[this.length++] = 0x2c // ,
      const v = times[i]
      const m = Math.round(v * 1000)
      if (!(m / 1000 === v && m >= 0 && m <= Number.MAX_SAFE_INTEGER)) {
        this.length += b.write(JSON.stringify(v), this.length, 'latin1')
        continue
      }
      const whole = Math.floor(m / 1000)
      this.digits(whole)
      let f = m - whole * 1000
      if (f === 0) continue
      b[this.length++] = 0x2e // .
      for (let unit = 100; f > 0; unit /= 10) {
        const d = Math.floor(f / unit)
        b[this.length++] = 48 + d
        f -= d * unit
      }
    }
    b[this.length++] = 0x5d // ]
  }
}

function iso(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString()
}

/** Where every record of a run goes as it ends: the records file, or a load thread's way to the main thread. */
export interface RecordsSink {
  level(start: { index: number; load: LoadSpec }): void
  record(levelIndex: number, record: RequestRecord): void
  levelEnd(index: number, summary: LevelSummary): void
}

export class RecordsWriter implements RecordsSink {
  readonly path: string
  private fd: number | undefined
  private readonly flushIntervalMs: number
  private readonly flushBytes: number
  private readonly redact: (text: string) => string
  private readonly buffer: LineBuffer
  private pendingRecords = 0
  private written = 0
  private timer: NodeJS.Timeout | undefined
  private failure: Error | undefined
  /** A record of a level not started would make the file unreadable: refused at once. */
  private readonly levels = new Set<number>()

  private constructor(path: string, fd: number, opts: RecordsWriterOptions) {
    this.path = path
    this.fd = fd
    this.flushIntervalMs = opts.flushIntervalMs ?? 200
    this.flushBytes = opts.flushBytes ?? 1 << 20
    this.buffer = new LineBuffer(Math.min(this.flushBytes, 1 << 20) + (64 << 10))
    const secrets = opts.secrets ?? knownSecrets()
    this.redact = (text) => redactSecrets(text, secrets)
  }

  /** Creates (or replaces) the file and writes the run line at once. */
  static open(path: string, header: RecordsHeader, opts: RecordsWriterOptions = {}): RecordsWriter {
    const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_EXCL } = fs.constants
    let fd: number
    try {
      makeDirs(dirname(resolve(path)))
      fd = fs.openSync(path, O_WRONLY | O_CREAT | O_APPEND | (opts.exclusive ? O_EXCL : O_TRUNC), 0o644)
    } catch (err) {
      throw new RuntimeError(`cannot open the records file ${path}: ${(err as Error).message}`)
    }
    const w = new RecordsWriter(path, fd, opts)
    const run: RunLine = {
      type: 'run',
      format: RECORDS_FORMAT,
      llmbench: { version: VERSION },
      startedAt: iso(header.startedAt),
      command: header.command,
      environment: machineEnvironment(),
      scenario: header.scenario,
      clockOffsetMs: Date.now() - now(),
    }
    try {
      w.line(JSON.stringify(redactDeep(run, w.redact)))
      w.flushSync()
    } catch (err) {
      fs.closeSync(fd)
      throw err
    }
    if (!exitHooked) {
      exitHooked = true
      process.on('exit', () => {
        for (const writer of openWriters) writer.flushQuietly()
      })
    }
    openWriters.add(w)
    return w
  }

  /** Records handed to the operating system (they survive the process being killed). */
  get recordsWritten(): number {
    return this.written
  }

  level(start: { index: number; load: LoadSpec }): void {
    const line: LevelLine = { type: 'level', index: start.index, load: start.load }
    if (!Number.isInteger(start.index) || start.index < 0 || this.levels.has(start.index)) {
      throw new RuntimeError(`records file ${this.path}: level ${start.index} is not a new level index`)
    }
    this.line(JSON.stringify(line))
    this.levels.add(start.index)
  }

  record(levelIndex: number, record: RequestRecord): void {
    if (!this.levels.has(levelIndex)) throw new RuntimeError(`records file ${this.path}: a record of level ${levelIndex}, which has not started`)
    // Only error texts can carry server text; the rest is numbers and fixed words.
    const r = record.error !== undefined ? { ...record, error: redactDeep(record.error, this.redact) } : record
    const { tokenTimes, ...rest } = r
    const fields = JSON.stringify(rest).slice(1, -1)
    this.throwIfOpenFailed()
    const b = this.buffer
    b.text(`{"type":"record","level":${levelIndex}${fields === '' ? '' : ','}${fields}`)
    if (tokenTimes !== undefined) {
      b.text(',"tokenTimes":')
      b.times(tokenTimes)
    }
    b.byte(0x7d) // }
    this.endLine()
    this.pendingRecords++
  }

  levelEnd(index: number, summary: LevelSummary): void {
    if (!this.levels.has(index)) throw new RuntimeError(`records file ${this.path}: the end of level ${index}, which has not started`)
    const line: LevelEndLine = { type: 'levelEnd', index, summary }
    this.line(JSON.stringify(redactDeep(line, this.redact)))
  }

  /** Writes the end line and closes the file. */
  end(meta: EndMeta): void {
    const line: EndLine = { type: 'end', ...meta, finishedAt: iso(meta.finishedAt) }
    this.line(JSON.stringify(redactDeep(line, this.redact)))
    this.close()
  }

  /** Writes every buffered line now, synchronously: for exit, SIGINT and SIGTERM paths. */
  flushSync(): void {
    this.throwIfFailed()
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const b = this.buffer
    if (b.length === 0 || this.fd === undefined) return
    const records = this.pendingRecords
    this.pendingRecords = 0
    try {
      for (let off = 0; off < b.length; ) off += fs.writeSync(this.fd, b.bytes, off, b.length - off)
      b.length = 0
    } catch (err) {
      b.length = 0
      this.failure = new RuntimeError(`cannot write to the records file ${this.path}: ${(err as Error).message}`)
      throw this.failure
    }
    this.written += records
  }

  /** Flushes and closes without an end line (the run failed); a second close does nothing. */
  close(): void {
    if (this.fd === undefined) return
    try {
      this.flushSync()
    } finally {
      openWriters.delete(this)
      fs.closeSync(this.fd)
      this.fd = undefined
    }
  }

  private line(text: string): void {
    this.throwIfOpenFailed()
    this.buffer.text(text)
    this.endLine()
  }

  private throwIfOpenFailed(): void {
    this.throwIfFailed()
    if (this.fd === undefined) throw new RuntimeError(`the records file ${this.path} is closed`)
  }

  private endLine(): void {
    this.buffer.byte(0x0a)
    if (this.buffer.length >= this.flushBytes) this.flushSync()
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushQuietly(), this.flushIntervalMs)
      this.timer.unref()
    }
  }

  /** A timer or exit flush has no caller to throw to: the failure is kept for the next call. */
  private flushQuietly(): void {
    try {
      this.flushSync()
    } catch {
      // kept in this.failure
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0

/** Why a parsed line is not a line of a records file, or undefined when it is. */
function problemOf(v: unknown, first: boolean, levels: Set<number>): string | undefined {
  if (!isObject(v)) return 'not a JSON object'
  if (first) return v.type === 'run' && isObject(v.scenario) ? undefined : 'not an llmbench records file (the first line is not a run line)'
  switch (v.type) {
    case 'run':
      return 'a second run line'
    case 'level':
      if (!isIndex(v.index) || !isObject(v.load)) return 'a level line without index or load'
      return levels.has(v.index) ? `level ${v.index} starts twice` : undefined
    case 'record':
      if (!isIndex(v.level) || !levels.has(v.level)) return `a record of level ${String(v.level)}, which has not started`
      if (!isIndex(v.index) || typeof v.sentAt !== 'number' || typeof v.endAt !== 'number' || typeof v.outcome !== 'string') {
        return 'a record without index, sentAt, endAt or outcome'
      }
      return undefined
    case 'levelEnd':
      if (!isIndex(v.index) || !levels.has(v.index)) return `the end of level ${String(v.index)}, which has not started`
      return isObject(v.summary) ? undefined : 'a levelEnd line without summary'
    case 'end':
      return typeof v.finishedAt === 'string' && typeof v.interrupted === 'boolean' ? undefined : 'an end line without finishedAt or interrupted'
    default:
      return undefined
  }
}

const KNOWN = new Set(['run', 'level', 'record', 'levelEnd', 'end'])

/**
 * The lines of a records file, checked, read as a stream (memory does not grow with the file).
 * A last line that is not valid JSON (the writer was killed while writing it) is skipped and
 * reported as a final `truncated` item; any other bad line throws a one-line UsageError naming
 * the file and line number. Lines of unknown types (a newer writer) are skipped.
 */
export async function* readRecordsLines(path: string): AsyncGenerator<RecordsLine> {
  try {
    await fs.promises.access(path, fs.constants.R_OK)
  } catch (err) {
    throw new UsageError(`cannot read the records file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const lines = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity })
  const levels = new Set<number>()
  let n = 0
  let seenRun = false
  let garbled: { line: number; bytes: number; reason: string } | undefined
  const fail = (line: number, reason: string): never => {
    throw new UsageError(`${path}:${line}: ${reason}`)
  }
  for await (const text of lines) {
    n++
    if (text.trim() === '') continue
    if (garbled !== undefined) fail(garbled.line, `${garbled.reason}, and it is not the last line: the file is damaged`)
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch (err) {
      garbled = { line: n, bytes: Buffer.byteLength(text), reason: `not valid JSON (${(err as Error).message})` }
      continue
    }
    const problem = problemOf(v, !seenRun, levels)
    if (problem !== undefined) fail(n, problem)
    seenRun = true
    const line = (isObject(v) && v.type === 'run' && v.format === 1 ? { ...runFromV1(v), format: RECORDS_FORMAT } : v) as RecordsLine
    if (line.type === 'level') levels.add(line.index)
    if (KNOWN.has(line.type)) yield line
  }
  if (!seenRun) fail(Math.max(n, 1), garbled ? 'the run line is cut short' : 'the file is empty: no run line')
  if (garbled !== undefined) yield { type: 'truncated', line: garbled.line, bytes: garbled.bytes }
}

export interface RecordsFileLevel {
  index: number
  load: LoadSpec
  records: RequestRecord[]
  end?: LevelEndLine
}

export interface RecordsFile {
  header: RunLine
  levels: RecordsFileLevel[]
  end?: EndLine
  /** The last line was cut short (the writer was killed while writing it) and was skipped. */
  truncated?: { line: number; bytes: number }
}

/** Splits a record line into its level and the record. */
export function recordOfLine(line: RecordLine): { level: number; record: RequestRecord } {
  const { type: _type, level, ...record } = line
  return { level, record }
}

/** The whole file in memory (every record): for small files and tests; rebuild.ts streams. */
export async function readRecordsFile(path: string): Promise<RecordsFile> {
  let header: RunLine | undefined
  const levels = new Map<number, RecordsFileLevel>()
  const out: Omit<RecordsFile, 'header'> = { levels: [] }
  for await (const line of readRecordsLines(path)) {
    switch (line.type) {
      case 'run':
        header = line
        break
      case 'level': {
        const level: RecordsFileLevel = { index: line.index, load: line.load, records: [] }
        levels.set(line.index, level)
        out.levels.push(level)
        break
      }
      case 'record': {
        const { level, record } = recordOfLine(line)
        levels.get(level)!.records.push(record)
        break
      }
      case 'levelEnd':
        levels.get(line.index)!.end = line
        break
      case 'end':
        out.end = line
        break
      case 'truncated':
        out.truncated = { line: line.line, bytes: line.bytes }
        break
    }
  }
  return { header: header!, ...out }
}
