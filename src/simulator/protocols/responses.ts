/**
 * OpenAI Responses API (`POST /v1/responses`) as vLLM serves it: named SSE events
 * (`response.created` … `response.output_text.delta` per token … `response.completed` with usage),
 * reasoning as `response.reasoning_text.delta` in a first output item, or one response object
 * when not streamed. Errors in vLLM's shape, as on the other /v1 routes.
 */
import type { Batch, FinalText, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, hexId, isObject, seedOf } from '../protocol.js'
import { chatPrompt, isMessages, type Message } from '../prompt.js'
import { frame, makeFraming, type Framing } from '../quirks.js'
import { argumentsFragment, responsesTools, toolArguments, type ToolCall } from '../tools.js'
import { badRequest, contextError, vllmStyleError, wrongModel } from './openai.js'

export const responses: Protocol = {
  error: vllmStyleError,
  parse(body, { opts }): Parsed | Reply {
    if (!isObject(body)) return badRequest('The request body must be a JSON object.')
    const wrong = wrongModel(body, opts.model)
    if (wrong) return wrong
    const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input
    if (!isMessages(input)) return badRequest('`input` must be a string or a non-empty list of input items.')
    const messages: Message[] = typeof body.instructions === 'string' ? [{ role: 'system', content: body.instructions }, ...input] : input
    const prompt = chatPrompt(messages, opts.prefixCache)
    const promptTokens = prompt.tokens
    const maxTokens = countField(body.max_output_tokens, opts.defaultMaxTokens)
    if (maxTokens === null) return badRequest('max_output_tokens must be at least 1, got ' + String(body.max_output_tokens) + '.')
    const tooLong = contextError(promptTokens, maxTokens, opts.maxModelLen)
    if (tooLong) return tooLong
    return {
      gen: {
        stream: body.stream === true, promptTokens, maxTokens, minTokens: body.ignore_eos === true ? maxTokens : 0,
        seed: seedOf(body.seed), simQuirks: body.sim_quirks,
        ...(prompt.ids ? { promptIds: prompt.ids } : {}), templated: true, tools: responsesTools(body),
      },
      wire: (ctx) => new ResponsesWire(ctx, maxTokens),
    }
  },
}

class ResponsesWire implements Wire {
  readonly contentType = 'text/event-stream'
  readonly reasoningTokens: number
  private readonly f: Framing
  private readonly id: string
  private readonly msgId: string
  private readonly rsId: string
  private readonly created = Math.floor(Date.now() / 1000)
  private readonly msgIndex: number
  private seq = 0
  private text = ''
  private rText = ''
  private msgOpen = false
  /** The answer is a function call (tools.ts): its item takes the message item's place. */
  private readonly call: ToolCall | null
  private readonly fcId: string

  constructor(private readonly c: WireContext, private readonly maxTokens: number) {
    this.reasoningTokens = c.quirks.has('reasoning') ? c.opts.reasoningTokens : 0
    this.msgIndex = this.reasoningTokens > 0 ? 1 : 0
    this.f = makeFraming(c.quirks, { named: true })
    const hex = hexId()
    this.id = 'resp_' + hex
    this.msgId = 'msg_' + hex
    this.rsId = 'rs_' + hex
    this.call = c.toolCall ?? null
    this.fcId = 'fc_' + hex
  }

  /** A named event whose data starts with its type and ends with its sequence number. */
  private ev(type: string, fields: string): string {
    return frame(this.f, `{"type":"${type}",${fields},"sequence_number":${this.seq++}}`, type)
  }

  private response(status: string, output: string, usage: string): string {
    return `{"id":"${this.id}","object":"response","created_at":${this.created},"status":"${status}","error":null,"incomplete_details":null,` +
      `"model":${JSON.stringify(this.c.opts.model)},"output":[${output}],"max_output_tokens":${this.maxTokens},"usage":${usage}}`
  }
  private reasoningItem(textJson: string | null): string {
    const content = textJson === null ? '' : `{"type":"reasoning_text","text":"${textJson}"}`
    return `{"id":"${this.rsId}","type":"reasoning","summary":[],"content":[${content}]}`
  }
  private messageItem(textJson: string | null): string {
    const status = textJson === null ? 'in_progress' : 'completed'
    const content = textJson === null ? '' : `{"type":"output_text","text":"${textJson}","annotations":[]}`
    return `{"id":"${this.msgId}","type":"message","status":"${status}","role":"assistant","content":[${content}]}`
  }
  private usage(n: number): string {
    const p = this.c.promptTokens
    return `{"input_tokens":${p},"input_tokens_details":{"cached_tokens":0},"output_tokens":${n},` +
      `"output_tokens_details":{"reasoning_tokens":${Math.min(n, this.reasoningTokens)}},"total_tokens":${p + n}}`
  }
  private outputs(textJson: string, rTextJson: string): string {
    return (this.reasoningTokens > 0 ? this.reasoningItem(rTextJson) + ',' : '') + (this.call ? this.callItem(textJson) : this.messageItem(textJson))
  }
  /** A function_call item; `argsJson` its escaped arguments, null while they stream. */
  private callItem(argsJson: string | null): string {
    const c = this.call!
    return `{"id":"${this.fcId}","type":"function_call","status":"${argsJson === null ? 'in_progress' : 'completed'}","call_id":"${c.id}",` +
      `"name":${JSON.stringify(c.name)},"arguments":"${argsJson ?? ''}"}`
  }
  private part(textJson: string): string {
    return `"item_id":"${this.msgId}","output_index":${this.msgIndex},"content_index":0,"part":{"type":"output_text","text":"${textJson}","annotations":[]}`
  }

  /** Ends the reasoning item (if any) and opens the message item. */
  private openMessage(): string {
    this.msgOpen = true
    let out = ''
    if (this.reasoningTokens > 0) {
      out += this.ev('response.reasoning_text.done', `"item_id":"${this.rsId}","output_index":0,"content_index":0,"text":"${this.rText}"`)
      out += this.ev('response.output_item.done', `"output_index":0,"item":${this.reasoningItem(this.rText)}`)
    }
    if (this.call) return out + this.ev('response.output_item.added', `"output_index":${this.msgIndex},"item":${this.callItem(null)}`)
    out += this.ev('response.output_item.added', `"output_index":${this.msgIndex},"item":${this.messageItem(null)}`)
    return out + this.ev('response.content_part.added', this.part(''))
  }

  admit(): string {
    let out = this.ev('response.created', `"response":${this.response('in_progress', '', 'null')}`)
    out += this.ev('response.in_progress', `"response":${this.response('in_progress', '', 'null')}`)
    if (this.reasoningTokens === 0) return out + this.openMessage()
    return out + this.ev('response.output_item.added', `"output_index":0,"item":${this.reasoningItem(null)}`)
  }

  tokens(b: Batch): string {
    let out = ''
    if (b.r > 0) {
      this.rText += b.rJson
      out += this.ev('response.reasoning_text.delta', `"item_id":"${this.rsId}","output_index":0,"content_index":0,"delta":"${b.rJson}"`)
    }
    if (b.ids.length > b.r && this.call) {
      const first = !this.msgOpen
      if (first) out += this.openMessage()
      const args = argumentsFragment(b.ids, b.r, first, b.last)
      this.text += args
      out += this.ev('response.function_call_arguments.delta', `"item_id":"${this.fcId}","output_index":${this.msgIndex},"delta":"${args}"`)
    } else if (b.ids.length > b.r) {
      if (!this.msgOpen) out += this.openMessage()
      this.text += b.cJson
      out += this.ev('response.output_text.delta', `"item_id":"${this.msgId}","output_index":${this.msgIndex},"content_index":0,"delta":"${b.cJson}","logprobs":[]`)
    }
    return out
  }

  finish(n: number): string {
    let out = this.msgOpen ? '' : this.openMessage()
    if (this.call) {
      out += this.ev('response.function_call_arguments.done', `"item_id":"${this.fcId}","output_index":${this.msgIndex},"arguments":"${this.text}"`)
      out += this.ev('response.output_item.done', `"output_index":${this.msgIndex},"item":${this.callItem(this.text)}`)
      return out + this.ev('response.completed', `"response":${this.response('completed', this.outputs(this.text, this.rText), this.usage(n))}`)
    }
    out += this.ev('response.output_text.done', `"item_id":"${this.msgId}","output_index":${this.msgIndex},"content_index":0,"text":"${this.text}","logprobs":[]`)
    out += this.ev('response.content_part.done', this.part(this.text))
    out += this.ev('response.output_item.done', `"output_index":${this.msgIndex},"item":${this.messageItem(this.text)}`)
    return out + this.ev('response.completed', `"response":${this.response('completed', this.outputs(this.text, this.rText), this.usage(n))}`)
  }

  error(message: string): string {
    return this.ev('error', `"code":"server_error","message":${JSON.stringify(message)},"param":null`)
  }
  malformed(b: Batch): string {
    return frame(this.f, `{"type":"response.output_text.delta","item_id":"${this.msgId}","delta":"` + b.cJson.slice(0, 3), 'response.output_text.delta')
  }
  body(t: FinalText, n: number): string {
    const esc = (s: string): string => JSON.stringify(s).slice(1, -1)
    const content = this.call ? toolArguments(t.content) : t.content
    return this.response('completed', this.outputs(esc(content), esc(t.reasoning)), this.usage(n))
  }
}
