/**
 * Newline-delimited JSON streams (Ollama's native API): one event per line. Same contract as
 * SseParser: bytes may split anywhere; only the unterminated tail is kept between reads; lines
 * are decoded whole, so a split UTF-8 character is never broken.
 */
export class NdjsonParser {
  private tail: Buffer | undefined

  constructor(private readonly onEvent: (data: string, event: string) => void) {}

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    if (this.tail) {
      const nl = buf.indexOf(10)
      if (nl < 0) {
        this.tail = Buffer.concat([this.tail, buf])
        return
      }
      this.line(Buffer.concat([this.tail, buf.subarray(0, nl)]), 0, this.tail.length + nl)
      this.tail = undefined
      start = nl + 1
    }
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) break
      this.line(buf, start, nl)
      start = nl + 1
    }
    // A copy: the caller's buffer is reused by the next read.
    if (start < buf.length) this.tail = Buffer.from(buf.subarray(start))
  }

  end(): void {
    if (this.tail) this.line(this.tail, 0, this.tail.length)
    this.tail = undefined
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 13) end-- // CRLF
    if (end > start) this.onEvent(buf.toString('utf8', start, end), 'message')
  }
}
