/**
 * One generation request on the wire: the Sequence that an engine drives. Chunks are built from
 * per-request string templates (no JSON.stringify per token) and framed per the request's quirks.
 */
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { now } from '../clock.js'
import type { Sequence } from './engine.js'
import type { Fault, Quirk, ResolvedOptions } from './options.js'
import { completionBody, openaiError, TOOL_NAME, usageField, type GenRequest } from './openai.js'
import { frame, makeFraming, Writer, type Framing } from './quirks.js'
import { PIECES, PIECES_JSON, TextSource } from './text.js'
import { mixSeed, mulberry32 } from '../data/random.js'
import type { Counters, TraceEntry } from './stats.js'

export interface RequestSetup {
  req: GenRequest
  res: ServerResponse
  opts: ResolvedOptions
  counters: Counters
  quirks: ReadonlySet<Quirk>
  fault: Fault | null
  outputTokens: number
  /** Finish reason when all outputTokens are out: "stop" (end of sequence) or "length". */
  stopped: boolean
  textSeed: number
  receivedAt: number
  trace: TraceEntry | null
  /** Called once when the request leaves early (client gone), to free its engine slot. */
  cancel: (seq: Sequence) => void
}

const IN_STREAM_FAULTS: ReadonlySet<Fault> = new Set(['stream-error', 'malformed', 'cut'])

export class SimRequest implements Sequence {
  readonly promptTokens: number
  readonly outputTokens: number
  readonly tokensPerStep: number
  generated = 0
  state: Sequence['state'] = 'new'

  private readonly s: RequestSetup
  private readonly id: string
  private readonly created = Math.floor(Date.now() / 1000)
  private readonly text: TextSource
  private readonly framing: Framing
  private readonly writer: Writer
  private readonly chat: boolean
  private readonly ollama: boolean
  private readonly toolCalls: boolean
  private readonly toolId: string
  private readonly reasoningCount: number
  private readonly head: string
  private readonly tailOpen: string
  private readonly usageHead: string
  private readonly finishJson: string
  private readonly faultAt: number
  private faultDone = false
  private ended = false
  // Non-streamed requests keep the text for the body.
  private content = ''
  private reasoning = ''

  constructor(setup: RequestSetup) {
    const { req, opts, quirks: q } = setup
    this.s = setup
    this.promptTokens = req.promptTokens
    this.outputTokens = setup.outputTokens
    this.tokensPerStep = q.has('multi-token') ? opts.tokensPerEvent : 1
    this.chat = req.kind === 'chat'
    this.ollama = this.chat && q.has('ollama')
    this.toolCalls = this.chat && q.has('tool-calls')
    this.reasoningCount = this.chat && q.has('reasoning') ? opts.reasoningTokens : 0
    const hex = randomUUID().replaceAll('-', '')
    this.id = (this.chat ? 'chatcmpl-' : 'cmpl-') + hex
    this.toolId = 'chatcmpl-tool-' + hex.slice(0, 16)
    this.text = new TextSource(setup.textSeed, q.has('unicode'))
    this.framing = makeFraming(q)
    const splitRng = q.has('split') ? mulberry32(mixSeed(setup.textSeed, 0x5b117)) : null
    this.writer = new Writer(setup.res, splitRng, opts.splitMaxBytes)
    const model = JSON.stringify(opts.model)
    if (this.chat) {
      const fp = this.ollama ? '"system_fingerprint":"fp_ollama",' : ''
      this.head = `{"id":"${this.id}","object":"chat.completion.chunk","created":${this.created},"model":${model},${fp}"choices":[{"index":0,"delta":{`
      this.tailOpen = this.ollama ? '},"finish_reason":' : '},"logprobs":null,"finish_reason":'
    } else {
      this.head = `{"id":"${this.id}","object":"text_completion","created":${this.created},"model":${model},"choices":[{"index":0,"text":`
      this.tailOpen = ',"logprobs":null,"finish_reason":'
    }
    this.usageHead = this.head.slice(0, this.head.indexOf('"choices":')) + '"choices":[]'
    const finish = !setup.stopped ? 'length' : this.toolCalls ? 'tool_calls' : 'stop'
    this.finishJson = `"${finish}"`
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
    if (!this.s.req.stream) return
    this.s.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    this.s.res.flushHeaders()
  }

  private chunk(body: string, finish: string): string {
    const usage = this.s.req.continuousUsage ? usageField(this.promptTokens, this.generated) : ''
    return frame(this.framing, this.head + body + this.tailOpen + finish + '}]' + usage + '}')
  }

  /** Admission: chat streams get the role-only chunk (not a token); Ollama style has none. */
  admit(): void {
    if (!this.s.req.stream || this.ended) return
    if (this.chat && !this.ollama) this.writer.write(this.chunk('"role":"assistant","content":""', 'null'))
    else if (!this.chat && this.s.quirks.has('empty-first')) this.writer.write(this.chunk('""', 'null'))
  }

  emit(k: number, last: boolean): boolean {
    if (this.ended) return false
    const s = this.s
    const before = this.generated - k
    const r = Math.max(0, Math.min(k, this.reasoningCount - before))
    let rJson = ''
    let cJson = ''
    for (let i = 0; i < k; i++) {
      const t = this.text.next()
      if (i < r) rJson += PIECES_JSON[t]
      else cJson += PIECES_JSON[t]
      if (!s.req.stream) {
        if (i < r) this.reasoning += PIECES[t]
        else this.content += PIECES[t]
      }
    }
    s.counters.generationTokens += k
    if (before === 0) s.counters.ttft.observe((now() - s.receivedAt) / 1000)
    const faultNow = this.generated >= this.faultAt && !this.faultDone
    const terminal = faultNow && s.fault !== 'malformed'
    if (faultNow) this.faultDone = true
    if (!s.req.stream) return this.emitBody(last, terminal)

    let out = this.chunk(this.delta(rJson, r, cJson, k - r, before), last && !terminal && !this.ollama ? this.finishJson : 'null')
    if (faultNow && s.fault === 'malformed') out += frame(this.framing, this.head + (this.chat ? '"content":"' : '"') + cJson.slice(0, 3))
    if (faultNow && s.fault === 'stream-error') {
      out += frame(this.framing, '{"error":{"message":"Simulated internal error during generation.","type":"InternalServerError","code":500}}')
    }
    if (last && !terminal) {
      if (this.ollama) out += this.chunk('"role":"assistant","content":""', this.finishJson)
      if (s.req.includeUsage) {
        const details = this.reasoningCount ? `,"completion_tokens_details":{"reasoning_tokens":${Math.min(this.reasoningCount, this.generated)}}` : ''
        const usage = usageField(this.promptTokens, this.generated)
        out += frame(this.framing, this.usageHead + usage.slice(0, -1) + details + '}}')
      }
      if (!s.quirks.has('no-done')) out += frame(this.framing, '[DONE]')
    }
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
    } else this.writer.write(out)
    return true
  }

  /** The delta of a chat chunk (or the text of a completion chunk) for k tokens. */
  private delta(rJson: string, r: number, cJson: string, c: number, before: number): string {
    if (!this.chat) return '"' + cJson + '"'
    let d = this.ollama ? '"role":"assistant",' : ''
    if (r > 0) d += `"${this.s.opts.reasoningField}":"${rJson}"`
    if (c === 0 && !this.ollama) return d
    if (r > 0) d += ','
    if (this.toolCalls && c > 0) {
      d += before + r === this.reasoningCount // the first argument token opens the call
        ? `"tool_calls":[{"index":0,"id":"${this.toolId}","type":"function","function":{"name":"${TOOL_NAME}","arguments":"${cJson}"}}]`
        : `"tool_calls":[{"index":0,"function":{"arguments":"${cJson}"}}]`
    } else d += `"content":"${cJson}"`
    return d
  }

  private emitBody(last: boolean, terminal: boolean): boolean {
    const s = this.s
    if (terminal) {
      this.ended = true
      s.counters.failed++
      if (s.fault === 'cut') s.res.destroy()
      else s.res.writeHead(500, { 'content-type': 'application/json' }).end(openaiError(500, 'InternalServerError', 'Simulated internal error during generation.').body)
      return false
    }
    if (!last) return true
    let body = completionBody(s.req.kind, this.id, this.created, s.opts.model,
      { content: this.content, reasoning: this.reasoning, toolArgs: this.toolCalls ? this.content : null, toolId: this.toolId },
      JSON.parse(this.finishJson) as string, this.promptTokens, this.generated, s.opts.reasoningField)
    if (this.faultDone && s.fault === 'malformed') body = body.slice(0, body.length >> 1)
    if (s.trace) { s.trace.tokenWrites.push(now()); s.trace.tokensPerWrite.push(this.generated) }
    this.ended = true
    s.counters.completed++
    s.res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    return true
  }
}
