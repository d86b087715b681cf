/**
 * The floor: the least a Node.js client can do to time a stream, to tell what llmbench adds from
 * what this machine and Node impose on any client (bench/client-overhead.js --clients floor).
 *
 * Raw keep-alive TCP sockets, one per slot, read with `onread` into one shared buffer; each read
 * is stamped and its token events counted by searching for the exact server's token bytes. No
 * HTTP or SSE parsing, no JSON, no records beyond the arrival times. It follows the same policy
 * as llmbench for its sends (reads first: a finished request's successor, and each slot's first
 * request, go out at most 8 per event-loop turn), so the two differ only in what each read costs.
 * It understands only bench/exact-server.js's responses.
 */
import net from 'node:net'
import { now } from '../dist/src/clock.js'

const END = Buffer.from('0\r\n\r\n')
const PER_TURN = 8

/**
 * `concurrency` open connections to the exact server; `run()` drives closed loops over them.
 * `path`: the endpoint; `token`: the bytes that mark one token event in its responses.
 */
export async function floorClient(port, concurrency, { path = '/v1/chat/completions', token = '"delta":{"content":" tok"}' } = {}) {
  const TOKEN = Buffer.from(token)
  const read = Buffer.allocUnsafe(256 * 1024)
  const queue = []
  let scheduled = false
  const drain = () => {
    scheduled = false
    for (let k = 0; k < PER_TURN && queue.length; k++) queue.shift()()
    if (queue.length) {
      scheduled = true
      setImmediate(drain)
    }
  }
  const later = (fn) => {
    queue.push(fn)
    if (!scheduled) {
      scheduled = true
      setImmediate(drain)
    }
  }

  const conns = await Promise.all(
    Array.from({ length: concurrency }, () => new Promise((resolve, reject) => {
      const c = { rec: undefined, onEnd: undefined }
      c.socket = net.connect({
        host: '127.0.0.1',
        port,
        onread: {
          buffer: read,
          callback: (n, buf) => {
            const at = now()
            const rec = c.rec
            if (!rec) return true
            // Search only the n bytes of this read (a view: indexOf cannot stop by itself, and the
            // bytes past n, left over from other reads, would be searched to the buffer's end).
            const got = buf.subarray(0, n)
            for (let p = got.indexOf(TOKEN); p >= 0; p = got.indexOf(TOKEN, p + TOKEN.length)) rec.tokens.push(at)
            if (n >= END.length && got.compare(END, 0, END.length, n - END.length, n) === 0) {
              rec.endAt = at
              rec.ok = rec.tokens.length > 0
              c.rec = undefined
              c.onEnd(rec)
            }
            return true
          },
        },
      })
      c.socket.setNoDelay(true)
      c.socket.once('connect', () => resolve(c))
      c.socket.once('error', reject)
    })),
  )

  const request = (id, body) => {
    const json = JSON.stringify(body)
    return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
      `x-request-id: ${id}\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`
  }

  return {
    /** Closed loop of `total` requests over the connections; resolves with records by index. */
    run({ total, idPrefix, bodyOf, onRecord }) {
      return new Promise((resolve) => {
        const records = new Array(total)
        let next = 0
        let ended = 0
        const send = (c) => {
          if (next >= total) return
          const index = next++
          const id = `${idPrefix}-${index}`
          const text = request(id, bodyOf(index))
          c.rec = { index, id, tokens: [], ok: false, sentAt: now(), endAt: 0 }
          c.socket.write(text)
        }
        for (const c of conns) {
          c.onEnd = (rec) => {
            records[rec.index] = rec
            onRecord?.(rec)
            if (++ended === total) resolve(records)
            else later(() => send(c))
          }
          later(() => send(c))
        }
      })
    },
    close() {
      for (const c of conns) c.socket.destroy()
    },
  }
}
