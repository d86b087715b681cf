/** Raw HTTP requests (bytes as they arrive) and a reference SSE parser, for tests of the simulator's wire output. */
import http from 'node:http'

export interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  chunks: Buffer[]
  text: string
  /** Set when the response did not end cleanly (cut, reset, timeout). */
  error: string | null
}

export function raw(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 4000): Promise<Raw> {
  return new Promise((resolve) => {
    const out: Raw = { status: 0, headers: {}, chunks: [], text: '', error: null }
    let done = false
    const finish = (error: string | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      out.error = error
      out.text = Buffer.concat(out.chunks).toString('utf8')
      resolve(out)
    }
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const req = http.request(base + path, { method, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      out.status = res.statusCode ?? 0
      out.headers = res.headers
      res.on('data', (c: Buffer) => out.chunks.push(c))
      res.on('end', () => finish(null))
      res.on('error', (e) => finish(e.message || 'error'))
      res.on('close', () => finish(res.complete ? null : 'closed early'))
    })
    const timer = setTimeout(() => { req.destroy(); finish('timeout') }, timeoutMs)
    req.on('error', (e) => finish(e.message || 'error'))
    req.end(payload)
  })
}

export interface Ev { event: string | null; data: string }

/** Reference SSE parser: any line ending, comments, optional space after `data:`, multi-line data. */
export function sse(text: string): Ev[] {
  const events: Ev[] = []
  let data: string[] = []
  let event: string | null = null
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length) events.push({ event, data: data.join('\n') })
      data = []
      event = null
    } else if (line.startsWith(':')) continue
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
    else if (line.startsWith('event:')) event = line.slice(6).trim()
  }
  return events
}
