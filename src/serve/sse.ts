/** A server-sent event stream on one response: named events, JSON data on one line, a heartbeat. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { BASE_HEADERS } from './http.js'

const HEARTBEAT_MS = 15_000
/** A subscriber this far behind is cut off rather than buffered for without end. */
const MAX_BUFFERED = 4 * 1024 * 1024

export interface EventStream {
  send(event: string, data: unknown): void
  close(): void
  onClose(fn: () => void): void
}

export function openEventStream(req: IncomingMessage, res: ServerResponse): EventStream {
  res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' })
  res.write(': llmbench\n\n')
  let closed = false
  const closers: Array<() => void> = []
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS).unref()
  const finish = () => {
    if (closed) return
    closed = true
    clearInterval(heartbeat)
    for (const fn of closers) fn()
  }
  req.on('close', finish)
  res.on('close', finish)
  return {
    send(event, data) {
      if (closed) return
      if (res.writableLength > MAX_BUFFERED) return void res.destroy()
      // JSON escapes every line break: the data is always a single `data:` line.
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    },
    close() {
      if (!closed) res.end()
      finish()
    },
    onClose(fn) {
      if (closed) fn()
      else closers.push(fn)
    },
  }
}
