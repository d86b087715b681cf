/**
 * One HTTP/1.1 connection, read with the least work Node allows per socket read: plain TCP
 * sockets use `onread` with one shared buffer (no Buffer per read, no stream machinery), and
 * each read is stamped with the clock before a byte of it is parsed. Responses are parsed by a
 * small state machine (status line, headers, chunked or length-delimited or close-delimited
 * body) that hands body bytes to a sink as views into the read.
 *
 * Why not undici here: measured at 512 streams (docs/performance.md), undici's stream and
 * llhttp layers cost more per stream event than all of llmbench's own parsing; this path is
 * what lets the client stay below the server's timing error. Everything else uses undici.
 */
import net from 'node:net'
import tls from 'node:tls'
import { now } from '../clock.js'
import { excerpt } from '../results/redact.js'

/** Receives one response. Bytes are only valid during the call: copy what must be kept. */
export interface ResponseSink {
  /** The response head arrived (`at`: the arrival of the read that completed it). */
  onStart(status: number, at: number): void
  /** Body bytes `buf[start, end)`: a view into the read buffer, valid only during the call. */
  onData(buf: Buffer, start: number, end: number, at: number): void
  onEnd(at: number): void
  onError(err: Error, at: number): void
}

export interface Origin {
  host: string
  port: number
  tls: boolean
  /** The Host header. */
  authority: string
}

const enum State {
  Head,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  Length,
  UntilClose,
  Idle,
}

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024)
const MAX_HEAD_BYTES = 64 * 1024
/** A chunk-size or trailer line longer than this is no HTTP: fail instead of growing `line`. */
const MAX_LINE_BYTES = 64 * 1024
const CRLFCRLF = Buffer.from('\r\n\r\n')

export class ProtocolError extends Error {
  readonly code = 'LLMBENCH_HTTP_PROTOCOL'
}
export class ClosedError extends Error {
  readonly code = 'LLMBENCH_CONNECTION_CLOSED'
}

export class Http1Connection {
  readonly socket: net.Socket
  /** Requests this connection has carried; a reused connection skips the TCP connect. */
  uses = 0
  /** Monotonic ms after which the server may have closed it (its Keep-Alive timeout). */
  expiresAt = Infinity
  dead = false
  /** Whether any byte of the current response arrived (a retry is safe only before that). */
  gotBytes = false

  private sink: ResponseSink | undefined
  private state = State.Idle
  private head: Buffer | undefined
  private remaining = 0
  private line = ''
  private keepAlive = true
  private noBody = false

  constructor(
    origin: Origin,
    private readonly onFree: (c: Http1Connection) => void,
    private readonly onDead: (c: Http1Connection) => void,
  ) {
    if (origin.tls) {
      this.socket = tls.connect({ host: origin.host, port: origin.port, servername: net.isIP(origin.host) ? undefined : origin.host })
      this.socket.on('data', (d: Buffer) => this.feed(d, d.length, now()))
    } else {
      this.socket = net.connect({
        host: origin.host,
        port: origin.port,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number, buf: Uint8Array) => {
            this.feed(buf as Buffer, n, now())
            return true // false would pause the socket
          },
        },
      })
    }
    this.socket.setNoDelay(true)
    this.socket.on('error', (err) => this.fail(err))
    this.socket.on('end', () => this.closed())
    this.socket.on('close', () => this.closed())
  }

  /** Writes a request; the response goes to `sink`. */
  send(request: string, sink: ResponseSink): void {
    this.sink = sink
    this.uses++
    this.gotBytes = false
    this.state = State.Head
    this.head = undefined
    this.keepAlive = true
    this.socket.write(request)
  }

  /** Ends the current response with `err` and drops the connection. */
  destroy(err: Error): void {
    this.fail(err)
  }

  private feed(buf: Buffer, end: number, at: number): void {
    let pos = 0
    if (end > 0) this.gotBytes = true
    // One response per pass: when it completes, the connection may already carry the next request.
    const sink = this.sink
    while (pos < end && this.sink === sink) {
      switch (this.state) {
        case State.Head:
          pos = this.readHead(buf, pos, end, at)
          break
        case State.ChunkSize: {
          const nl = lineFeed(buf, pos, end)
          if (nl < 0) {
            if (this.line.length + end - pos > MAX_LINE_BYTES) return this.fail(new ProtocolError('chunk size line too long in a chunked response'))
            this.line += buf.toString('latin1', pos, end)
            pos = end
            break
          }
          // The size line is read straight from the bytes: it comes once per stream event.
          let size: number
          if (this.line) {
            const whole = Buffer.from(this.line + buf.toString('latin1', pos, nl), 'latin1')
            size = hexSize(whole, 0, whole.length)
          } else size = hexSize(buf, pos, nl)
          this.line = ''
          pos = nl + 1
          if (size < 0) return this.fail(new ProtocolError('bad chunk size line in a chunked response'))
          if (size === 0) this.state = State.Trailer
          else {
            this.remaining = size
            this.state = State.ChunkData
          }
          break
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - pos)
          sink!.onData(buf, pos, pos + n, at)
          pos += n
          this.remaining -= n
          if (this.remaining === 0) {
            this.state = State.ChunkEnd
            this.remaining = 2
          }
          break
        }
        case State.ChunkEnd: {
          // The CRLF after a chunk's data, possibly split across reads.
          const n = Math.min(this.remaining, end - pos)
          pos += n
          this.remaining -= n
          if (this.remaining === 0) this.state = State.ChunkSize
          break
        }
        case State.Trailer: {
          const nl = lineFeed(buf, pos, end)
          if (nl < 0) {
            if (this.line.length + end - pos > MAX_LINE_BYTES) return this.fail(new ProtocolError('trailer line too long in a chunked response'))
            this.line += buf.toString('latin1', pos, end)
            pos = end
            break
          }
          const text = this.line + buf.toString('latin1', pos, nl)
          this.line = ''
          pos = nl + 1
          if (text === '' || text === '\r') this.complete(at)
          break
        }
        case State.Length: {
          const n = Math.min(this.remaining, end - pos)
          if (n > 0) sink!.onData(buf, pos, pos + n, at)
          pos += n
          this.remaining -= n
          if (this.remaining === 0) this.complete(at)
          break
        }
        case State.UntilClose:
          sink!.onData(buf, pos, end, at)
          pos = end
          break
        case State.Idle:
          // Bytes with no request outstanding: the server broke the protocol.
          return this.fail(new ProtocolError('the server sent bytes with no request outstanding'))
      }
    }
    // Bytes after the end of a response (garbage, or a body longer than announced): the
    // connection's framing can no longer be trusted. A request already handed to it is told the
    // connection closed, so it is sent again on a fresh one.
    if (pos < end && !this.dead) this.fail(new ClosedError('the server sent bytes after the end of a response'))
  }

  private readHead(buf: Buffer, pos: number, end: number, at: number): number {
    let data: Buffer
    let base: number
    if (this.head) {
      data = Buffer.concat([this.head, buf.subarray(pos, end)])
      base = this.head.length
    } else {
      data = buf.subarray(pos, end)
      base = 0
    }
    const idx = data.indexOf(CRLFCRLF, Math.max(0, base - 3))
    if (idx < 0) {
      if (data.length > MAX_HEAD_BYTES) {
        this.fail(new ProtocolError(`response headers larger than ${MAX_HEAD_BYTES} bytes`))
        return end
      }
      this.head = Buffer.from(data) // a copy: `buf` is reused by the next read
      return end
    }
    this.head = undefined
    const consumed = pos + (idx + 4 - base)
    if (!this.parseHead(data.toString('latin1', 0, idx), at)) return end
    if (this.state === State.Head) return consumed // a 1xx answer: the real head follows
    if (this.noBody) this.complete(at)
    return consumed
  }

  /** Parses the status line and headers; sets the body state. False after a protocol error. */
  private parseHead(text: string, at: number): boolean {
    const lines = text.split('\r\n')
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0])
    if (!m) {
      this.fail(new ProtocolError(`not an HTTP/1.x response: "${excerpt(lines[0], 60)}"`))
      return false
    }
    const status = Number(m[2])
    if (status >= 100 && status < 200) return true
    let chunked = false
    let length = -1
    this.keepAlive = m[1] === '1'
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]
      const colon = l.indexOf(':')
      if (colon <= 0) continue
      const name = l.slice(0, colon).trim().toLowerCase()
      const value = l.slice(colon + 1).trim()
      if (name === 'transfer-encoding') chunked = /chunked/i.test(value)
      else if (name === 'content-length') {
        length = /^\d{1,15}$/.test(value) ? Number(value) : NaN
        if (Number.isNaN(length)) {
          this.fail(new ProtocolError(`bad content-length: "${excerpt(value, 40)}"`))
          return false
        }
      }
      else if (name === 'connection') this.keepAlive = !/close/i.test(value) && (m[1] === '1' || /keep-alive/i.test(value))
      else if (name === 'keep-alive') {
        const t = /timeout=(\d+)/i.exec(value)
        // Leave a second of margin, as undici does, so the server does not close it under us.
        if (t) this.expiresAt = now() + Math.max(0, Number(t[1]) * 1000 - 1000)
      }
    }
    this.noBody = status === 204 || status === 304 || (!chunked && length === 0)
    if (chunked) this.state = State.ChunkSize
    else if (length > 0) {
      this.state = State.Length
      this.remaining = length
    } else if (length < 0 && !this.noBody) {
      this.state = State.UntilClose
      this.keepAlive = false
    } else this.state = State.Length
    this.line = ''
    this.sink!.onStart(status, at)
    return true
  }

  private complete(at: number): void {
    const sink = this.sink
    this.sink = undefined
    this.state = State.Idle
    sink?.onEnd(at)
    if (this.keepAlive && !this.dead) this.onFree(this)
    else this.kill()
  }

  private closed(): void {
    if (this.sink && this.state === State.UntilClose) return this.complete(now())
    this.fail(new ClosedError('the server closed the connection before the response ended'))
  }

  private fail(err: Error): void {
    const sink = this.sink
    this.sink = undefined
    this.kill()
    sink?.onError(err, now())
  }

  private kill(): void {
    if (this.dead) return
    this.dead = true
    this.state = State.Idle
    this.socket.destroy()
    this.onDead(this)
  }
}

/**
 * The first LF in `buf[from, to)`, or -1. Not `indexOf`: it cannot stop at `to`, and past it the
 * shared read buffer holds bytes of earlier reads, which it would search to the buffer's end.
 */
function lineFeed(buf: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === 10) return i
  return -1
}

/** The hex number at the start of a chunk-size line (extensions after `;` ignored), or -1. */
function hexSize(buf: Buffer, start: number, end: number): number {
  let size = 0
  let digits = 0
  for (let i = start; i < end; i++) {
    const c = buf[i]
    let v: number
    if (c >= 48 && c <= 57) v = c - 48
    else if (c >= 97 && c <= 102) v = c - 87
    else if (c >= 65 && c <= 70) v = c - 55
    else if (c === 59 || c === 13 || c === 32 || c === 9) break
    else return -1
    size = size * 16 + v
    if (++digits > 12) return -1
  }
  return digits === 0 ? -1 : size
}
