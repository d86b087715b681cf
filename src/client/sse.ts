/**
 * Server-Sent Events parser for the streaming hot path.
 *
 * Follows the WHATWG EventSource parsing rules (HTML § 9.2.6) with two lenient additions for real
 * servers: `end()` dispatches an event whose blank line never came, including a final unterminated
 * line.
 *
 * - Lines end in LF, CRLF or CR; a CR at the end of one chunk and an LF at the start of the next are
 *   one line ending.
 * - `:` starts a comment; `field:value` strips exactly one optional space after the colon; a line
 *   without a colon is a field with an empty value; only `data` and `event` are used (`id`,
 *   `retry` and unknown fields are ignored); field names are case-sensitive.
 * - A blank line dispatches the event when at least one `data` line was collected, joined by `\n`;
 *   the event type is the last `event` value, `'message'` when none or empty. Either way the
 *   buffers reset.
 * - One UTF-8 BOM at the very start of the stream is skipped. Bytes are decoded as UTF-8 one whole
 *   line at a time (invalid sequences become U+FFFD), so a chunk may split a character anywhere.
 *
 * Cost: each chunk is scanned once, byte by byte, for the next CR or LF. Complete lines
 * are decoded straight from the chunk; only the unterminated tail is copied, into a buffer the
 * parser owns and reuses, and it is joined with the next chunk only up to that chunk's first line
 * end. A `data:` line decodes just its value bytes. No per-event objects or per-push closures.
 *
 * The handler is called synchronously from `push()`/`end()`. If it throws, the exception
 * propagates and the rest of that chunk is dropped.
 *
 * Memory is bounded: the parser holds at most `maxLineBytes` (default 16 MiB) of one unterminated
 * line between pushes, and at most as many characters of one event's joined `data` lines. Past
 * either bound it calls `onLimit` once with a message, then delivers nothing more (every later
 * `push()`/`end()` is ignored); the caller fails the request. The bound is checked only where the
 * parser copies or joins (a line split across pushes, a second `data` line), never per event. A
 * complete line inside one push is the caller's memory and is not checked.
 *
 * With a `budget` (budget.ts, shared by every request of the process), the bytes it holds count
 * against it as well: the unterminated line's buffer as it grows, and the joined `data` of an
 * event; a growth the budget refuses is a limit like the others. The owner calls `dispose()`
 * when the response ends, however it ends, to give back what the parser still holds.
 */
import { budgetMessage, type BufferBudget } from './budget.js'

export type SseHandler = (data: string, event: string) => void
/** Called once when a stream exceeds the parser's memory bound; the parser is dead afterwards. */
export type LimitHandler = (message: string) => void
/** Both handlers as methods of one object: a request's handler, with no closures of its own. */
export interface EventSink {
  onEvent(data: string, event: string): void
  onLimit?(message: string): void
}

/** A sink from the two handlers, or the sink itself. */
export function eventSink(onEvent: SseHandler | EventSink, onLimit?: LimitHandler): EventSink {
  return typeof onEvent === 'function' ? { onEvent, onLimit } : onEvent
}

/** The longest line (and the most joined `data` of one event) a parser holds: 16 MiB. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string
type Copy = (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number

// Buffer's methods accept any Uint8Array as `this`, so a chunk from fetch() needs no Buffer view
// per push. `utf8Slice` is what `toString('utf8', s, e)` calls after checking
// its arguments (undocumented but present since Node 0.x; fall back to toString without it).
const copy = Buffer.prototype.copy as unknown as Copy
const nativeUtf8Slice = (Buffer.prototype as unknown as { utf8Slice?: Utf8Slice }).utf8Slice
const utf8Slice: Utf8Slice =
  typeof nativeUtf8Slice === 'function'
    ? nativeUtf8Slice
    : function (this: Uint8Array, start: number, end: number): string {
        return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('utf8', start, end)
      }

/** Pending-line buffers larger than this are released once their line completes. */
const KEEP_TAIL_BYTES = 64 * 1024
const MIN_TAIL_BYTES = 256

/**
 * The first CR or LF in `buf[from, to)`, or -1. A plain loop, not memchr: `indexOf` cannot stop
 * at `to`, and the caller's bytes are a range of a larger read buffer; one pass finds either
 * ending, where memchr took two calls per line.
 */
function lineEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = buf[i]
    if (c === LF || c === CR) return i
  }
  return -1
}

export class SseParser {
  private readonly sink: EventSink
  private readonly maxLineBytes: number
  /** A bound was exceeded: nothing more is delivered. */
  private broken = false
  /** Bytes of the current unterminated line (carried across pushes); valid up to `tailLen`. */
  private tail: Buffer | null = null
  private tailLen = 0
  /** The previous chunk ended in CR: an LF at the start of the next one belongs to it. */
  private skipLF = false
  /** No line has been completed yet, so a BOM may still be at the start of the next one. */
  private atStart = true
  /** Data buffer, without the trailing LF the spec appends; meaningful only when `hasData`. */
  private data = ''
  private hasData = false
  /** Event type buffer; '' means the default, 'message'. */
  private eventType = ''
  /** Bytes counted against the budget: the tail buffer's size, and the joined data's. */
  private heldTail = 0
  private heldData = 0

  /**
   * `onLimit` is told when the stream exceeds `maxLineBytes` (see above); without it, the parser
   * throws an Error with that message from `push()` instead.
   */
  constructor(onEvent: SseHandler | EventSink, onLimit?: LimitHandler, maxLineBytes = MAX_LINE_BYTES, private readonly budget?: BufferBudget) {
    this.sink = eventSink(onEvent, onLimit)
    this.maxLineBytes = maxLineBytes
  }

  /** The response is over: what the parser holds is given back to the budget. */
  dispose(): void {
    this.dropTail()
    this.dropData()
  }

  /**
   * Feed one read from the socket, `chunk[start, end)` (the whole chunk by default: offsets spare
   * the caller a view per read). Bytes may split anywhere (mid-line, mid-UTF-8 character, between
   * \r and \n).
   */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    const buf = chunk
    const n = end
    if (n <= start || this.broken) return
    let pos = start
    if (this.skipLF) {
      this.skipLF = false
      if (buf[pos] === LF) {
        if (n === pos + 1) return
        pos++
      }
    }

    if (this.tailLen > 0) {
      // Finish the line carried over from earlier chunks, joining only up to its line end.
      const eol = lineEnd(buf, pos, n)
      if (eol < 0) {
        this.appendTail(buf, pos, n)
        return
      }
      if (!this.appendTail(buf, pos, eol)) return
      const tail = this.tail as Buffer
      const len = this.tailLen
      this.tailLen = 0
      this.line(tail, 0, len)
      if (tail.length > KEEP_TAIL_BYTES && this.tail === tail) this.dropTail()
      pos = this.afterEol(buf, eol, buf[eol] === CR, n)
    }

    while (pos < n) {
      const eol = lineEnd(buf, pos, n)
      if (eol < 0) {
        this.appendTail(buf, pos, n)
        return
      }
      this.line(buf, pos, eol)
      pos = this.afterEol(buf, eol, buf[eol] === CR, n)
    }
  }

  /** The stream ended: dispatch a pending event whose data was collected (lenient: servers sometimes close without the final blank line), including a final unterminated line. */
  end(): void {
    if (this.broken) return
    if (this.tailLen > 0) {
      const len = this.tailLen
      this.tailLen = 0
      this.line(this.tail as Buffer, 0, len)
    }
    // Reset to a fresh stream before dispatching, so a throwing handler leaves a clean parser.
    this.dropTail()
    this.skipLF = false
    this.atStart = true
    this.dispatch()
  }

  /** Position after the line ending at `eol` (an LF, or a CR possibly followed by LF). */
  private afterEol(buf: Uint8Array, eol: number, isCR: boolean, n: number): number {
    if (!isCR) return eol + 1
    if (eol + 1 < n) return buf[eol + 1] === LF ? eol + 2 : eol + 1
    this.skipLF = true
    return n
  }

  /** Keeps `src[start, end)` as part of the unterminated line; false when that passes the bound. */
  private appendTail(src: Uint8Array, start: number, end: number): boolean {
    const add = end - start
    if (add === 0) return true
    const need = this.tailLen + add
    if (need > this.maxLineBytes) {
      this.limit(`stream line longer than ${this.maxLineBytes} bytes without a line end`)
      return false
    }
    let tail = this.tail
    if (tail === null || need > tail.length) {
      const size = Math.max(need, MIN_TAIL_BYTES, tail === null ? 0 : tail.length * 2)
      if (this.budget && !this.budget.take(size - this.heldTail)) {
        this.limit(budgetMessage(this.budget, this.heldTail + this.heldData, 'an unfinished stream line'))
        return false
      }
      this.heldTail = size
      const grown = Buffer.allocUnsafe(size)
      if (tail !== null && this.tailLen > 0) tail.copy(grown, 0, 0, this.tailLen)
      this.tail = tail = grown
    }
    copy.call(src, tail, this.tailLen, start, end)
    this.tailLen = need
    return true
  }

  /** A bound was exceeded: free what is held, stop delivering, and say so once. */
  private limit(message: string): void {
    this.broken = true
    this.dropTail()
    this.dropData()
    this.hasData = false
    if (this.sink.onLimit) this.sink.onLimit(message)
    else throw new Error(message)
  }

  private dropTail(): void {
    this.tail = null
    this.tailLen = 0
    this.budget?.give(this.heldTail)
    this.heldTail = 0
  }

  private dropData(): void {
    this.data = ''
    this.budget?.give(this.heldData)
    this.heldData = 0
  }

  /** Process one complete line, `buf[start, end)` without its line ending. */
  private line(buf: Uint8Array, start: number, end: number): void {
    if (this.atStart) {
      this.atStart = false
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
        start += 3
      }
    }
    const len = end - start
    if (len === 0) {
      this.dispatch()
      return
    }
    const c0 = buf[start]
    if (c0 === COLON) return // comment
    // Fast path: `data:` — decode only the value bytes.
    if (
      len >= 5 &&
      c0 === 0x64 &&
      buf[start + 1] === 0x61 &&
      buf[start + 2] === 0x74 &&
      buf[start + 3] === 0x61 &&
      buf[start + 4] === COLON
    ) {
      let v = start + 5
      if (v < end && buf[v] === SPACE) v++
      this.addData(v === end ? '' : utf8Slice.call(buf, v, end))
      return
    }
    // General field: name up to the first colon (the whole line when there is none).
    let colon = start
    while (colon < end && buf[colon] !== COLON) colon++
    const nameLen = colon - start
    let v = colon + 1
    if (v < end && buf[v] === SPACE) v++
    if (nameLen === 4) {
      // `data` without a colon (with a colon it took the fast path): empty value.
      if (c0 === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) {
        this.addData('')
      }
    } else if (nameLen === 5) {
      if (
        c0 === 0x65 &&
        buf[start + 1] === 0x76 &&
        buf[start + 2] === 0x65 &&
        buf[start + 3] === 0x6e &&
        buf[start + 4] === 0x74
      ) {
        this.eventType = v >= end ? '' : utf8Slice.call(buf, v, end)
      }
    }
    // id, retry and unknown fields are ignored.
  }

  private addData(value: string): void {
    if (this.hasData) {
      // A second data line of one event: the join is bounded too (UTF-16 units, near enough bytes).
      if (this.data.length + value.length >= this.maxLineBytes) {
        this.limit(`stream event data longer than ${this.maxLineBytes} bytes without an event end`)
        return
      }
      // The joined data is held until the event ends: a first line is counted with the second.
      const add = value.length + 1 + (this.heldData === 0 ? this.data.length : 0)
      if (this.budget && !this.budget.take(add)) {
        this.limit(budgetMessage(this.budget, this.heldTail + this.heldData, 'an unfinished stream event'))
        return
      }
      this.heldData += add
      this.data += '\n' + value
    } else {
      this.data = value
      this.hasData = true
    }
  }

  private dispatch(): void {
    const type = this.eventType
    this.eventType = ''
    if (!this.hasData || this.broken) return
    const data = this.data
    this.dropData()
    this.hasData = false
    this.sink.onEvent(data, type === '' ? 'message' : type)
  }
}
