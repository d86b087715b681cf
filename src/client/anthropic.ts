/**
 * Anthropic Messages: `POST /v1/messages`, named events. `content_block_delta` carries text or
 * thinking; `message_start` the input tokens, `message_delta` the (cumulative) output tokens.
 */
import { chatMessages, type Adapter } from './adapter.js'
import { isPlainTokenEvent, jsonRequest, nonEmpty, parseEvent } from './openai-common.js'
import { count, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'
import { escapedAfter } from './reply.js'

const VERSION = '2023-06-01'
const TEXT = '"type":"text_delta","text":"'

/** Input tokens include the cached ones, which Anthropic counts apart from `input_tokens`. */
function readUsage(u: Record<string, any> | null | undefined, t: RequestTracker, final: boolean): void {
  if (!u || typeof u !== 'object') return
  const input = count(u.input_tokens)
  const prompt = input === undefined ? undefined
    : input + (count(u.cache_creation_input_tokens) ?? 0) + (count(u.cache_read_input_tokens) ?? 0)
  // message_start's output_tokens is a placeholder (1): only message_delta's is the count.
  t.usage(prompt, final ? count(u.output_tokens) : undefined)
}

export const anthropicAdapter: Adapter = {
  name: 'anthropic',
  framing: 'sse',
  buildRequest(spec) {
    // Anthropic takes the system prompt as a field of its own, not as a message.
    const all = chatMessages(spec)
    const system = all.filter((m) => m.role === 'system').map((m) => m.content).join('\n')
    const messages = all.filter((m) => m.role !== 'system')
    const body = { model: spec.model, max_tokens: spec.maxTokens, ...(system ? { system } : {}), messages, stream: spec.stream }
    const req = jsonRequest('/v1/messages', body, spec)
    req.headers['anthropic-version'] = VERSION
    return req
  },
  // anthropic-version is already in every request's headers: sending it twice would make an
  // invalid header on the wire (the client does not merge headers of the same name).
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
  onEvent(data, event, t) {
    if (isPlainTokenEvent(data, TEXT)) {
      if (t.reply) t.reply.escapedText(escapedAfter(data, TEXT))
      return t.token(true)
    }
    const o = parseEvent(data, t) // the `error` event has an `error` object: a stream-error there
    if (!o) return
    switch (typeof o.type === 'string' ? o.type : event) {
      case 'content_block_delta': {
        const d = o.delta
        if (d?.type === 'text_delta' && typeof d.text === 'string') t.reply?.text(d.text)
        if (d?.type === 'text_delta' ? nonEmpty(d.text) : d?.type === 'input_json_delta' && nonEmpty(d.partial_json)) {
          t.token(true)
        } else if (d?.type === 'thinking_delta' && nonEmpty(d.thinking)) {
          t.token(false)
        }
        return
      }
      case 'message_start':
        return readUsage(o.message?.usage, t, false)
      case 'message_delta':
        return readUsage(o.usage, t, true)
      case 'message_stop':
        t.done = true
    }
  },
  onBody(body, t) {
    const o = parseBody(body, t)
    if (!o) return
    let text = ''
    for (const b of Array.isArray(o.content) ? o.content : []) {
      if (typeof b?.text === 'string') {
        text += b.text
        t.reply?.text(b.text)
      } else if (typeof b?.thinking === 'string') text += b.thinking
    }
    t.bodyText(text)
    readUsage(o.usage, t, true)
  },
}
