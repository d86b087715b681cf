/**
 * How an event is framed on the wire (data prefix, line endings, comments, event lines,
 * multi-line data) and how it is written (at once, or in small pieces for `split`).
 */
import type { ServerResponse } from 'node:http'
import { FAULTS, QUIRKS, type Fault, type Quirk } from './options.js'

/** Split a header value / body field (`"a,b"` or `["a","b"]`) into known quirks and faults. */
export function parseQuirkList(value: unknown): { quirks: Quirk[]; faults: Fault[]; unknown: string[] } {
  const names = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : []
  const out = { quirks: [] as Quirk[], faults: [] as Fault[], unknown: [] as string[] }
  for (const raw of names) {
    const n = raw.trim()
    if (!n) continue
    if ((QUIRKS as readonly string[]).includes(n)) out.quirks.push(n as Quirk)
    else if ((FAULTS as readonly string[]).includes(n)) out.faults.push(n as Fault)
    else out.unknown.push(n)
  }
  return out
}

export interface Framing {
  /** Written before the JSON of every unnamed event: comment block, `event:` line, `data:` prefix. */
  open: string
  /** The comment block alone (before a named event's `event:` line). */
  pre: string
  /** The `data:` prefix alone (for the second line of multi-line data). */
  data: string
  eol: string
  /** Written after the JSON: end of line plus the empty line. */
  close: string
  multiline: boolean
}

export const PING_COMMENT = ': ping - 2025-01-01 00:00:00'

/** SSE framing from the quirks. `space: false`: the protocol never puts a space after `data:`
 * (TGI). `named`: the protocol names its events itself, so `event-lines` adds nothing. */
export function makeFraming(q: ReadonlySet<Quirk>, fo: { space?: boolean; named?: boolean } = {}): Framing {
  const eol = q.has('cr') ? '\r' : q.has('crlf') ? '\r\n' : '\n'
  const data = q.has('no-space') || fo.space === false ? 'data:' : 'data: '
  const pre = q.has('comments') ? PING_COMMENT + eol + eol : ''
  const ev = q.has('event-lines') && !fo.named ? 'event: message' + eol : ''
  return { open: pre + ev + data, pre, data, eol, close: eol + eol, multiline: q.has('multiline-data') }
}

/** One SSE event around `json`, with an `event: name` line if named. Multi-line data cuts the
 * JSON after its first `,` between fields, so that the lines joined with `\n` are the same JSON. */
export function frame(f: Framing, json: string, name?: string): string {
  const open = name === undefined ? f.open : f.pre + 'event: ' + name + f.eol + f.data
  if (f.multiline) {
    const i = json.indexOf(',"')
    if (i > 0) return open + json.slice(0, i + 1) + f.eol + f.data + json.slice(i + 1) + f.close
  }
  return open + json + f.close
}

type Item = Buffer | 'end' | 'destroy'

/**
 * Writes a response body, either straight through or, for `split`, as pieces of 1..maxBytes bytes
 * with a setImmediate gap between them. Split points always include the middle of the first
 * multi-byte character of a write and every `\r|\n` boundary.
 */
export class Writer {
  private queue: Item[] = []
  private qHead = 0
  private pumping = false

  constructor(
    private readonly res: ServerResponse,
    private readonly splitRng: (() => number) | null,
    private readonly maxBytes: number,
  ) {}

  write(s: string): void {
    if (this.splitRng === null) {
      if (!this.res.destroyed) this.res.write(s)
      return
    }
    const buf = Buffer.from(s, 'utf8')
    let forcedMb = -1
    for (let i = 0; i < buf.length; i++) if (buf[i] >= 0xc0) { forcedMb = i + 1; break }
    let start = 0
    while (start < buf.length) {
      let end = Math.min(buf.length, start + 1 + Math.floor(this.splitRng() * this.maxBytes))
      if (forcedMb > start && forcedMb < end) end = forcedMb
      for (let i = start; i < end - 1; i++) if (buf[i] === 0x0d && buf[i + 1] === 0x0a) { end = i + 1; break }
      this.queue.push(buf.subarray(start, end))
      start = end
    }
    this.pump()
  }

  /** Write `last` (if any) and end the response; unsplit, both go out in one write. */
  end(last?: string): void {
    if (this.splitRng === null) {
      if (!this.res.destroyed) this.res.end(last)
      return
    }
    if (last) this.write(last)
    this.queue.push('end')
    this.pump()
  }

  /** Write `last`, then destroy the socket once it is flushed (a cut connection, no end). */
  cut(last: string): void {
    if (this.splitRng === null) {
      if (!this.res.destroyed) this.res.write(last, () => this.res.destroy())
      return
    }
    this.write(last)
    this.queue.push('destroy')
    this.pump()
  }

  private pump(): void {
    if (this.pumping) return
    this.pumping = true
    this.step() // the first piece goes out at once: splitting never delays an event's first byte
  }

  private readonly step = (): void => {
    const item = this.queue[this.qHead++]
    if (this.res.destroyed) { this.queue = []; this.qHead = 0; this.pumping = false; return }
    if (item === 'end') this.res.end()
    else if (item === 'destroy') this.res.destroy()
    else if (item !== undefined) this.res.write(item)
    if (this.qHead < this.queue.length) setImmediate(this.step)
    else { this.queue = []; this.qHead = 0; this.pumping = false }
  }
}
