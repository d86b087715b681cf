/**
 * One generation request on the wire: the Sequence that an engine drives, whatever the protocol.
 * It draws the token text, keeps the counters and the trace, injects faults, and hands each batch
 * of tokens to the protocol's Wire for the bytes (protocol.ts).
 */
import type { ServerResponse } from 'node:http'
import { now } from '../clock.js'
import type { Sequence } from './engine.js'
import type { Fault, Quirk, ResolvedOptions } from './options.js'
import type { Batch, GenRequest, Reply, Wire } from './protocol.js'
import { Writer } from './quirks.js'
import { PIECES, PIECES_JSON, TextSource } from './text.js'
import { mixSeed, mulberry32 } from '../random.js'
import type { Counters, TraceEntry } from './stats.js'

export interface RequestSetup {
  gen: GenRequest
  wire: Wire
  res: ServerResponse
  opts: ResolvedOptions
  counters: Counters
  quirks: ReadonlySet<Quirk>
  fault: Fault | null
  outputTokens: number
  textSeed: number
  receivedAt: number
  trace: TraceEntry | null
  /** Called once when the request leaves early (client gone), to free its engine slot. */
  cancel: (seq: Sequence) => void
  /** The protocol's error answer, for a fault that ends a non-streamed request. */
  errorReply: (status: number, message: string) => Reply
  /** Prompt tokens found in the prefix cache: they skip prefill (engine.ts). */
  cachedTokens?: number
  /** Called with the answer's text (content, not reasoning) when the request completes: the
   * prefix cache keeps its blocks, the trace its text. */
  onComplete?: (text: string) => void
  /** A structured answer's text, one piece per content token (simulator/structured.ts), instead of words. */
  content?: Array<{ raw: string; json: string }>
}

const IN_STREAM_FAULTS: ReadonlySet<Fault> = new Set(['stream-error', 'malformed', 'cut'])
export const GENERATION_ERROR = 'Simulated internal error during generation.'

export class SimRequest implements Sequence {
  readonly promptTokens: number
  readonly outputTokens: number
  readonly tokensPerStep: number
  readonly cachedTokens: number
  generated = 0
  state: Sequence['state'] = 'new'

  private readonly s: RequestSetup
  private readonly wire: Wire
  private readonly stream: boolean
  private readonly text: TextSource
  private readonly writer: Writer
  private readonly faultAt: number
  private readonly batch: Batch = { ids: [], r: 0, rJson: '', cJson: '', before: 0, generated: 0, last: false }
  private faultDone = false
  private ended = false
  // Non-streamed requests keep the text for the body; others when onComplete wants it.
  private readonly keepText: boolean
  private content = ''
  private reasoning = ''
  private firstAt = 0
  /** Content tokens written so far, for a structured answer's pieces. */
  private contentAt = 0

  constructor(setup: RequestSetup) {
    const { gen, opts, quirks: q } = setup
    this.s = setup
    this.wire = setup.wire
    this.stream = gen.stream
    this.promptTokens = gen.promptTokens
    this.outputTokens = setup.outputTokens
    this.tokensPerStep = q.has('multi-token') ? opts.tokensPerEvent : 1
    this.cachedTokens = setup.cachedTokens ?? 0
    this.keepText = !this.stream || setup.onComplete !== undefined
    this.text = new TextSource(setup.textSeed, q.has('unicode'))
    const splitRng = q.has('split') ? mulberry32(mixSeed(setup.textSeed, 0x5b117)) : null
    this.writer = new Writer(setup.res, splitRng, opts.splitMaxBytes)
    this.faultAt = setup.fault !== null && IN_STREAM_FAULTS.has(setup.fault)
      ? Math.min(this.outputTokens, opts.faultAfterTokens ?? Math.max(1, Math.floor(this.outputTokens / 2)))
      : Infinity
    setup.res.on('close', () => {
      if (this.ended) return
      this.ended = true
      setup.counters.aborted++
      setup.cancel(this)
    })
  }

  /** Stream headers, sent at receive (non-streamed bodies send theirs at the end). */
  start(): void {
    if (!this.stream) return
    this.s.res.writeHead(200, { 'content-type': this.wire.contentType, 'cache-control': 'no-cache', connection: 'keep-alive' })
    this.s.res.flushHeaders()
  }

  /** Admission: the protocol's events before any token (e.g. the role-only chat chunk). */
  admit(): void {
    if (!this.stream || this.ended) return
    const out = this.wire.admit()
    if (out) this.writer.write(out)
  }

  emit(k: number, last: boolean): boolean {
    if (this.ended) return false
    const s = this.s
    const b = this.batch
    const before = this.generated - k
    const r = Math.max(0, Math.min(k, this.wire.reasoningTokens - before))
    let rJson = ''
    let cJson = ''
    b.ids.length = 0
    for (let i = 0; i < k; i++) {
      const t = this.text.next()
      b.ids.push(t)
      const piece = i >= r && s.content ? s.content[this.contentAt++] : undefined
      if (i < r) rJson += PIECES_JSON[t]
      else cJson += piece ? piece.json : PIECES_JSON[t]
      if (this.keepText) {
        if (i < r) this.reasoning += PIECES[t]
        else this.content += piece ? piece.raw : PIECES[t]
      }
    }
    s.counters.generationTokens += k
    if (before === 0) {
      this.firstAt = now()
      s.counters.ttft.observe((this.firstAt - s.receivedAt) / 1000)
    }
    const faultNow = this.generated >= this.faultAt && !this.faultDone
    const terminal = faultNow && s.fault !== 'malformed'
    if (faultNow) this.faultDone = true
    b.r = r
    b.rJson = rJson
    b.cJson = cJson
    b.before = before
    b.generated = this.generated
    b.last = last && !terminal
    if (!this.stream) return this.emitBody(last, terminal)

    let out = this.wire.tokens(b)
    if (faultNow && s.fault === 'malformed') out += this.wire.malformed(b)
    if (faultNow && s.fault === 'stream-error') out += this.wire.error(GENERATION_ERROR)
    if (b.last) out += this.wire.finish(this.generated)
    if (s.trace) { s.trace.tokenWrites.push(now()); s.trace.tokensPerWrite.push(k) }
    if (terminal) {
      this.ended = true
      s.counters.failed++
      if (s.fault === 'cut') this.writer.cut(out)
      else this.writer.end(out)
      return false
    }
    if (last) {
      this.ended = true
      s.counters.completed++
      this.writer.end(out)
      s.onComplete?.(this.content)
    } else this.writer.write(out)
    return true
  }

  private emitBody(last: boolean, terminal: boolean): boolean {
    const s = this.s
    if (terminal) {
      this.ended = true
      s.counters.failed++
      if (s.fault === 'cut') s.res.destroy()
      else {
        const e = s.errorReply(500, GENERATION_ERROR)
        s.res.writeHead(e.status, { 'content-type': 'application/json', ...e.headers }).end(e.body)
      }
      return false
    }
    if (!last) return true
    let body = this.wire.body({ content: this.content, reasoning: this.reasoning, firstAt: this.firstAt }, this.generated)
    if (this.faultDone && s.fault === 'malformed') body = body.slice(0, body.length >> 1)
    if (s.trace) { s.trace.tokenWrites.push(now()); s.trace.tokensPerWrite.push(this.generated) }
    this.ended = true
    s.counters.completed++
    s.res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    s.onComplete?.(this.content)
    return true
  }
}
