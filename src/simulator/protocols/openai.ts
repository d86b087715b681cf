/**
 * OpenAI-compatible chat and text completions as vLLM serves them (`POST /v1/chat/completions`,
 * `/v1/completions`): request validation with vLLM's error bodies, chunks built from per-request
 * string templates (no JSON.stringify per token), and the non-streamed bodies.
 */
import type { Batch, FinalText, GetRoute, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, hexId, isObject, jsonReply, seedOf } from '../protocol.js'
import { chatPrompt, isMessages, textPrompt } from '../prompt.js'
import { frame, makeFraming, type Framing } from '../quirks.js'
import { requestKinds } from '../kinds.js'
import { argumentsFragment, chatTools, toolArguments, type ToolCall } from '../tools.js'

export type Kind = 'chat' | 'completion'

/** vLLM's error body: `{"object":"error","message":…,"type":…,"param":null,"code":…}`. */
export function vllmError(status: number, type: string, message: string): Reply {
  return { status, body: JSON.stringify({ object: 'error', message, type, param: null, code: status }) }
}

/** OpenAI's error body: `{"error":{"message":…,"type":…,"code":…}}`. */
export function openaiError(status: number, type: string, message: string): Reply {
  return { status, body: JSON.stringify({ error: { message, type, code: status } }) }
}

export const modelNotFound = (model: string): Reply => vllmError(404, 'NotFoundError', `The model \`${model}\` does not exist.`)

const TYPES: Record<number, string> = {
  400: 'BadRequestError', 404: 'NotFoundError', 413: 'BadRequestError', 429: 'RateLimitError', 500: 'InternalServerError', 503: 'ServiceUnavailableError',
}
/** Request errors in vLLM's shape; rate limits and server faults in OpenAI's (as vLLM's proxies answer). */
export function vllmStyleError(status: number, message: string): Reply {
  const type = TYPES[status] ?? 'InternalServerError'
  return status >= 429 ? openaiError(status, type, message) : vllmError(status, type, message)
}

export const badRequest = (message: string): Reply => vllmError(400, 'BadRequestError', message)

/** vLLM's 404 when the body names a model other than the served one. */
export function wrongModel(b: Record<string, unknown>, model: string): Reply | null {
  return b.model !== undefined && b.model !== model ? modelNotFound(String(b.model)) : null
}
/** vLLM's 400 when prompt + max tokens exceed the context length. */
export function contextError(promptTokens: number, maxTokens: number, maxModelLen: number): Reply | null {
  if (promptTokens + maxTokens <= maxModelLen) return null
  return badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptTokens + maxTokens} tokens ` +
    `(${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`)
}

function parse(kind: Kind, body: unknown, opts: WireContext['opts']): Parsed | Reply {
  if (!isObject(body)) return badRequest('The request body must be a JSON object.')
  const b = body
  // Request kinds: a LoRA adapter, images and audio, a structured answer (simulator/kinds.ts).
  if (kind === 'chat' && !isMessages(b.messages)) return badRequest('`messages` must be a non-empty list of messages.')
  const kinds = requestKinds(b, kind === 'chat', opts)
  if ('refuse' in kinds) return kinds.refuse === 404 ? modelNotFound(kinds.model!) : badRequest(kinds.message)
  // Images and clips sit in the prompt's ids as runs of placeholder ids named by their bytes (media.ts).
  const withIds = opts.prefixCache
  let promptTokens: number
  let promptIds: number[] | undefined
  if (kind === 'chat') {
    const messages = b.messages
    if (!isMessages(messages)) return badRequest('`messages` must be a non-empty list of messages.')
    const p = chatPrompt(messages, withIds, kinds.media)
    promptTokens = p.tokens
    promptIds = p.ids
  } else {
    const p = textPrompt(b.prompt, withIds)
    if (p === null) return badRequest('`prompt` must be a string, a list of token ids, or a list of one string.')
    promptTokens = p.tokens
    promptIds = p.ids
  }
  const mt = b.max_completion_tokens ?? b.max_tokens
  const maxTokens = countField(mt, opts.defaultMaxTokens)
  if (maxTokens === null) return badRequest('max_tokens must be at least 1, got ' + String(mt) + '.')
  const tooLong = contextError(promptTokens, maxTokens, opts.maxModelLen)
  if (tooLong) return tooLong
  const so = isObject(b.stream_options) ? b.stream_options : {}
  const usage = { include: so.include_usage === true, continuous: so.continuous_usage_stats === true }
  return {
    gen: {
      stream: b.stream === true, promptTokens, maxTokens,
      minTokens: b.ignore_eos === true ? maxTokens : countField(b.min_tokens, 0, 0) ?? 0,
      seed: seedOf(b.seed), simQuirks: b.sim_quirks,
      ...(promptIds ? { promptIds } : {}), ...(kind === 'chat' ? { templated: true, tools: chatTools(b) } : {}),
      ...(kinds.adapter || kinds.media || kinds.structured ? { kinds } : {}),
    },
    wire: (ctx) => new OpenAIWire(kind, ctx, usage),
  }
}

/** `GET /health` (empty 200) and vLLM's `GET /v1/models`. */
export const openaiGet: GetRoute = (path, o) => {
  if (path === '/health') return { status: 200, body: '' }
  if (path !== '/v1/models') return null
  const created = Math.floor(Date.now() / 1000)
  return jsonReply({
    object: 'list',
    data: [
      { id: o.model, object: 'model', created, owned_by: 'vllm', root: o.model, parent: null, max_model_len: o.maxModelLen, permission: [] },
      // LoRA adapters, as vLLM lists them: after the base model, with it as their parent.
      ...o.loraModules.map((id) => ({ id, object: 'model', created, owned_by: 'vllm', root: id, parent: o.model, max_model_len: o.maxModelLen, permission: [] })),
    ],
  })
}

export const openaiChat: Protocol = { error: vllmStyleError, parse: (b, c) => parse('chat', b, c.opts) }
export const openaiCompletion: Protocol = { error: vllmStyleError, parse: (b, c) => parse('completion', b, c.opts) }

/** `,"usage":{…}` with cumulative counts, to append inside a chunk. */
export function usageField(prompt: number, completion: number): string {
  return `,"usage":{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}`
}

export const TOOL_NAME = 'get_weather'

class OpenAIWire implements Wire {
  readonly contentType = 'text/event-stream'
  readonly reasoningTokens: number
  private readonly chat: boolean
  private readonly ollama: boolean
  private readonly toolCalls: boolean
  /** The answer is a call to one of the request's tools (tools.ts); `toolCalls` is the quirk. */
  private readonly call: ToolCall | null
  private readonly id: string
  private readonly toolId: string
  private readonly created = Math.floor(Date.now() / 1000)
  private readonly f: Framing
  private readonly head: string
  private readonly tailOpen: string
  private readonly usageHead: string
  private readonly finishJson: string
  private n = 0

  constructor(private readonly kind: Kind, private readonly c: WireContext, private readonly usage: { include: boolean; continuous: boolean }) {
    const q = c.quirks
    this.chat = kind === 'chat'
    this.ollama = this.chat && q.has('ollama')
    this.toolCalls = this.chat && q.has('tool-calls')
    this.call = this.chat ? c.toolCall ?? null : null
    this.reasoningTokens = this.chat && q.has('reasoning') ? c.opts.reasoningTokens : 0
    const hex = hexId()
    this.id = (this.chat ? 'chatcmpl-' : 'cmpl-') + hex
    this.toolId = 'chatcmpl-tool-' + hex.slice(0, 16)
    this.f = makeFraming(q)
    const model = JSON.stringify(c.opts.model)
    if (this.chat) {
      const fp = this.ollama ? '"system_fingerprint":"fp_ollama",' : ''
      this.head = `{"id":"${this.id}","object":"chat.completion.chunk","created":${this.created},"model":${model},${fp}"choices":[{"index":0,"delta":{`
      this.tailOpen = this.ollama ? '},"finish_reason":' : '},"logprobs":null,"finish_reason":'
    } else {
      this.head = `{"id":"${this.id}","object":"text_completion","created":${this.created},"model":${model},"choices":[{"index":0,"text":`
      this.tailOpen = ',"logprobs":null,"finish_reason":'
    }
    this.usageHead = this.head.slice(0, this.head.indexOf('"choices":')) + '"choices":[]'
    this.finishJson = `"${this.finishReason()}"`
  }

  private finishReason(): string {
    if (this.call) return 'tool_calls'
    return !this.c.stopped ? 'length' : this.toolCalls ? 'tool_calls' : 'stop'
  }

  private chunk(body: string, finish: string): string {
    const usage = this.usage.continuous ? usageField(this.c.promptTokens, this.n) : ''
    return frame(this.f, this.head + body + this.tailOpen + finish + '}]' + usage + '}')
  }

  /** Chat streams get the role-only chunk (not a token); Ollama style has none. */
  admit(): string {
    if (this.chat && !this.ollama) return this.chunk('"role":"assistant","content":""', 'null')
    if (!this.chat && this.c.quirks.has('empty-first')) return this.chunk('""', 'null')
    return ''
  }

  tokens(b: Batch): string {
    this.n = b.generated
    return this.chunk(this.delta(b), b.last && !this.ollama ? this.finishJson : 'null')
  }

  finish(generated: number): string {
    let out = this.ollama ? this.chunk('"role":"assistant","content":""', this.finishJson) : ''
    if (this.usage.include) {
      const details = this.reasoningTokens ? `,"completion_tokens_details":{"reasoning_tokens":${Math.min(this.reasoningTokens, generated)}}` : ''
      out += frame(this.f, this.usageHead + usageField(this.c.promptTokens, generated).slice(0, -1) + details + '}}')
    }
    if (!this.c.quirks.has('no-done')) out += frame(this.f, '[DONE]')
    return out
  }

  error(message: string): string {
    return frame(this.f, JSON.stringify({ error: { message, type: 'InternalServerError', code: 500 } }))
  }

  malformed(b: Batch): string {
    return frame(this.f, this.head + (this.chat ? '"content":"' : '"') + b.cJson.slice(0, 3))
  }

  /** The delta of a chat chunk (or the text of a completion chunk). */
  private delta(b: Batch): string {
    if (!this.chat) return '"' + b.cJson + '"'
    const c = b.ids.length - b.r
    let d = this.ollama ? '"role":"assistant",' : ''
    if (b.r > 0) d += `"${this.c.opts.reasoningField}":"${b.rJson}"`
    if (c === 0 && !this.ollama) return d
    if (b.r > 0) d += ','
    if (this.call && c > 0) {
      const first = b.before + b.r === this.reasoningTokens
      const args = argumentsFragment(b.ids, b.r, first, b.last)
      d += first
        ? `"tool_calls":[{"index":0,"id":"${this.call.id}","type":"function","function":{"name":${JSON.stringify(this.call.name)},"arguments":"${args}"}}]`
        : `"tool_calls":[{"index":0,"function":{"arguments":"${args}"}}]`
    } else if (this.toolCalls && c > 0) {
      d += b.before + b.r === this.reasoningTokens // the first argument token opens the call
        ? `"tool_calls":[{"index":0,"id":"${this.toolId}","type":"function","function":{"name":${JSON.stringify(this.c.toolName ?? TOOL_NAME)},"arguments":"${b.cJson}"}}]`
        : `"tool_calls":[{"index":0,"function":{"arguments":"${b.cJson}"}}]`
    } else d += `"content":"${b.cJson}"`
    return d
  }

  /** The non-streamed body (`chat.completion` or `text_completion`). */
  body(t: FinalText, generated: number): string {
    const prompt = this.c.promptTokens
    const usage = { prompt_tokens: prompt, completion_tokens: generated, total_tokens: prompt + generated }
    const common = { id: this.id, object: this.chat ? 'chat.completion' : 'text_completion', created: this.created, model: this.c.opts.model }
    const finish_reason = this.finishReason()
    if (this.kind === 'completion') {
      return JSON.stringify({ ...common, choices: [{ index: 0, text: t.content, logprobs: null, finish_reason, stop_reason: null }], usage })
    }
    const message: Record<string, unknown> = { role: 'assistant', content: this.toolCalls || this.call ? null : t.content }
    if (t.reasoning) message[this.c.opts.reasoningField] = t.reasoning
    message.tool_calls = this.call
      ? [{ id: this.call.id, type: 'function', function: { name: this.call.name, arguments: toolArguments(t.content) } }]
      : this.toolCalls ? [{ id: this.toolId, type: 'function', function: { name: this.c.toolName ?? TOOL_NAME, arguments: t.content } }] : []
    return JSON.stringify({ ...common, choices: [{ index: 0, message, logprobs: null, finish_reason, stop_reason: null }], usage })
  }
}
