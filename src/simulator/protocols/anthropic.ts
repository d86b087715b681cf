/**
 * Anthropic Messages API (`POST /v1/messages`; `x-api-key` and `anthropic-version` accepted, not
 * required): named SSE events message_start, content_block_start, ping, one content_block_delta
 * per token event (a first thinking block with the `reasoning` quirk), content_block_stop,
 * message_delta with usage, message_stop; or one message object. Errors in Anthropic's shape.
 */
import type { Batch, FinalText, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, hexId, isObject, jsonReply, seedOf, type GetRoute } from '../protocol.js'
import { chatPromptTokens, contentText, isMessages, type Message } from '../prompt.js'
import { frame, makeFraming, type Framing } from '../quirks.js'

const TYPES: Record<number, string> = {
  400: 'invalid_request_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 503: 'overloaded_error',
}
const errorJson = (status: number, message: string): string =>
  JSON.stringify({ type: 'error', error: { type: TYPES[status] ?? 'api_error', message } })
const error = (status: number, message: string): Reply => ({ status, body: errorJson(status, message) })
const SIGNATURE = 'c2ltdWxhdGVkIHRoaW5raW5n' // base64 "simulated thinking"

export const anthropic: Protocol = {
  error,
  parse(body, { opts }): Parsed | Reply {
    if (!isObject(body)) return error(400, 'The request body must be a JSON object.')
    if (typeof body.model !== 'string') return error(400, 'model: Field required')
    if (body.model !== opts.model) return error(404, `model: ${body.model}`)
    if (body.max_tokens === undefined) return error(400, 'max_tokens: Field required')
    const maxTokens = countField(body.max_tokens, 0)
    if (!maxTokens) return error(400, 'max_tokens: Input should be greater than or equal to 1')
    if (!isMessages(body.messages)) return error(400, 'messages: Field required to be a non-empty list')
    const system = contentText(body.system)
    const messages: Message[] = system ? [{ role: 'system', content: system }, ...body.messages] : body.messages
    const promptTokens = chatPromptTokens(messages)
    if (promptTokens + maxTokens > opts.maxModelLen) {
      return error(400, `prompt is too long: ${promptTokens} tokens + ${maxTokens} max_tokens > ${opts.maxModelLen} maximum`)
    }
    return {
      gen: { stream: body.stream === true, promptTokens, maxTokens, minTokens: 0, seed: seedOf(body.seed), simQuirks: body.sim_quirks },
      wire: (ctx) => new AnthropicWire(ctx),
    }
  },
}

/** `GET /v1/models` with an `anthropic-version` header: Anthropic's model list. */
export const anthropicGet: GetRoute = (path, o, headers) => path !== '/v1/models' || !headers['anthropic-version'] ? null : jsonReply({
  data: [{ type: 'model', id: o.model, display_name: o.model, created_at: '2025-01-01T00:00:00Z' }],
  has_more: false, first_id: o.model, last_id: o.model,
})

class AnthropicWire implements Wire {
  readonly contentType = 'text/event-stream; charset=utf-8'
  readonly reasoningTokens: number
  private readonly f: Framing
  private readonly id = 'msg_' + hexId().slice(0, 24)
  /** The text block's index (1 after a thinking block), and the open block's index. */
  private readonly textIndex: number
  private open = 0

  constructor(private readonly c: WireContext) {
    this.reasoningTokens = c.quirks.has('reasoning') ? c.opts.reasoningTokens : 0
    this.textIndex = this.reasoningTokens > 0 ? 1 : 0
    this.f = makeFraming(c.quirks, { named: true })
  }

  private ev(type: string, json: string): string { return frame(this.f, json, type) }
  private stopReason(): string { return this.c.stopped ? 'end_turn' : 'max_tokens' }
  private delta(index: number, delta: string): string {
    return this.ev('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":${delta}}`)
  }
  private blockStart(index: number): string {
    const block = index < this.textIndex ? '{"type":"thinking","thinking":"","signature":""}' : '{"type":"text","text":""}'
    return this.ev('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${block}}`)
  }
  /** Closes the thinking block (with its signature) and opens the text block. */
  private toText(): string {
    this.open = this.textIndex
    return this.delta(0, `{"type":"signature_delta","signature":"${SIGNATURE}"}`) +
      this.ev('content_block_stop', '{"type":"content_block_stop","index":0}') + this.blockStart(this.textIndex)
  }

  admit(): string {
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.c.opts.model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: this.c.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } }
    return this.ev('message_start', JSON.stringify({ type: 'message_start', message })) + this.blockStart(0) + this.ev('ping', '{"type": "ping"}')
  }

  tokens(b: Batch): string {
    let out = b.r > 0 ? this.delta(0, `{"type":"thinking_delta","thinking":"${b.rJson}"}`) : ''
    if (b.ids.length > b.r) {
      if (this.open !== this.textIndex) out += this.toText()
      out += this.delta(this.textIndex, `{"type":"text_delta","text":"${b.cJson}"}`)
    }
    return out
  }

  finish(n: number): string {
    const out = this.open !== this.textIndex ? this.toText() : ''
    return out + this.ev('content_block_stop', `{"type":"content_block_stop","index":${this.textIndex}}`) +
      this.ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${this.stopReason()}","stop_sequence":null},"usage":{"output_tokens":${n}}}`) +
      this.ev('message_stop', '{"type":"message_stop"}')
  }

  error(message: string): string { return this.ev('error', errorJson(500, message)) }
  malformed(b: Batch): string {
    return this.ev('content_block_delta', `{"type":"content_block_delta","index":${this.textIndex},"delta":{"type":"text_delta","text":"` + b.cJson.slice(0, 3))
  }
  body(t: FinalText, n: number): string {
    const content: unknown[] = this.reasoningTokens > 0 ? [{ type: 'thinking', thinking: t.reasoning, signature: SIGNATURE }] : []
    content.push({ type: 'text', text: t.content })
    return JSON.stringify({
      id: this.id, type: 'message', role: 'assistant', model: this.c.opts.model, content, stop_reason: this.stopReason(), stop_sequence: null,
      usage: { input_tokens: this.c.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: n },
    })
  }
}
