/**
 * Newline-delimited JSON streams (Ollama's native API): one event per line. Same contract as
 * SseParser: bytes may split anywhere; only the unterminated tail is kept between reads; lines
 * are decoded whole, so a split UTF-8 character is never broken.
 *
 * Memory is bounded as in SseParser: at most `maxLineBytes` (default 16 MiB) of one unterminated
 * line are held; past that `onLimit` is called once (or, without it, `push()` throws) and the
 * parser delivers nothing more. The pieces of a split line are kept apart and joined once when
 * the line ends, so a long line costs linear time. With a `budget`, the kept pieces count against
 * it too (budget.ts), and `dispose()` gives them back when the response ends.
 */
import { eventSink, MAX_LINE_BYTES, type EventSink, type LimitHandler, type SseHandler } from './sse.js'
import { budgetMessage, type BufferBudget } from './budget.js'

export class NdjsonParser {
  /** Pieces of the current unterminated line (copies), `tailLen` bytes in all. */
  private tail: Buffer[] = []
  private tailLen = 0
  private broken = false

  private readonly sink: EventSink

  constructor(onEvent: SseHandler | EventSink, onLimit?: LimitHandler, private readonly maxLineBytes = MAX_LINE_BYTES, private readonly budget?: BufferBudget) {
    this.sink = eventSink(onEvent, onLimit)
  }

  /** The response is over: the pieces held are given back to the budget. */
  dispose(): void {
    this.drop()
  }

  private drop(): void {
    this.budget?.give(this.tailLen)
    this.tail = []
    this.tailLen = 0
  }

  push(chunk: Uint8Array, from = 0, to = chunk.length): void {
    if (this.broken) return
    const whole = from === 0 && to === chunk.length
    const buf = Buffer.isBuffer(chunk) && whole ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset + from, to - from)
    let start = 0
    if (this.tailLen > 0) {
      const nl = buf.indexOf(10)
      if (nl < 0) {
        this.keep(buf, 0)
        return
      }
      if (this.tailLen + nl > this.maxLineBytes) return this.limit()
      this.tail.push(buf.subarray(0, nl))
      const line = Buffer.concat(this.tail, this.tailLen + nl)
      this.drop()
      this.line(line, 0, line.length)
      start = nl + 1
    }
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) break
      this.line(buf, start, nl)
      start = nl + 1
    }
    if (start < buf.length) this.keep(buf, start)
  }

  end(): void {
    if (this.broken || this.tailLen === 0) return
    const line = Buffer.concat(this.tail, this.tailLen)
    this.drop()
    this.line(line, 0, line.length)
  }

  /** Keeps `buf[start..]` as part of the unterminated line. */
  private keep(buf: Buffer, start: number): void {
    const add = buf.length - start
    if (this.tailLen + add > this.maxLineBytes) return this.limit()
    if (this.budget && !this.budget.take(add)) return this.limit(budgetMessage(this.budget, this.tailLen, 'an unfinished stream line'))
    // A copy: the caller's buffer is reused by the next read.
    this.tail.push(Buffer.from(buf.subarray(start)))
    this.tailLen += add
  }

  private limit(message = `stream line longer than ${this.maxLineBytes} bytes without a line end`): void {
    this.broken = true
    this.drop()
    if (this.sink.onLimit) this.sink.onLimit(message)
    else throw new Error(message)
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 13) end-- // CRLF
    if (end > start) this.sink.onEvent(buf.toString('utf8', start, end), 'message')
  }
}
