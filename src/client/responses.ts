/**
 * OpenAI Responses: `POST /v1/responses`, named events. Text deltas are tokens, reasoning deltas
 * are reasoning tokens; `response.completed` (or `response.incomplete`, the usual end when
 * `max_output_tokens` is reached) carries the usage.
 */
import type { Adapter } from './adapter.js'
import { isPlainTokenEvent, jsonRequest, messageText, nonEmpty, parseEvent } from './openai-common.js'
import { count, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'
import { escapedAfter } from './reply.js'
import { responsesInput, responsesToolFields } from './tool-messages.js'

const TEXT_DELTA = 'response.output_text.delta'
const DELTA = '"delta":"'

function readUsage(u: Record<string, any> | null | undefined, t: RequestTracker): void {
  if (u && typeof u === 'object') {
    t.usage(count(u.input_tokens), count(u.output_tokens), count(u.output_tokens_details?.reasoning_tokens))
  }
}

export const responsesAdapter: Adapter = {
  name: 'responses',
  framing: 'sse',
  buildRequest(spec) {
    // Input items take the roles of chat messages; a lone prompt stays the plain-string form.
    const input = spec.messages?.length ? (spec.tools ? responsesInput(spec.messages) : spec.messages) : spec.prompt
    const body = { model: spec.model, input, stream: spec.stream, max_output_tokens: spec.maxTokens, ...(spec.tools ? responsesToolFields(spec.tools) : {}) }
    return jsonRequest('/v1/responses', body, spec)
  },
  onEvent(data, event, t) {
    if (event === TEXT_DELTA && isPlainTokenEvent(data, DELTA)) {
      if (t.reply) t.reply.escapedText(escapedAfter(data, DELTA))
      return t.token(true)
    }
    const o = parseEvent(data, t) // `{"error":{...}}` becomes a stream-error there
    if (!o) return
    switch (typeof o.type === 'string' ? o.type : event) {
      case TEXT_DELTA:
        if (typeof o.delta === 'string') t.reply?.text(o.delta)
        if (nonEmpty(o.delta)) t.token(true)
        return
      case 'response.refusal.delta':
        if (nonEmpty(o.delta)) t.token(true)
        return
      case 'response.function_call_arguments.delta':
        t.reply?.toolCall(Number(o.output_index) || 0, undefined, undefined, o.delta)
        if (nonEmpty(o.delta)) t.token(true)
        return
      case 'response.output_item.added':
        if (o.item?.type === 'function_call') t.reply?.toolCall(Number(o.output_index) || 0, o.item.call_id, o.item.name)
        return
      case 'response.reasoning_text.delta':
      case 'response.reasoning_summary_text.delta':
        if (nonEmpty(o.delta)) t.token(false)
        return
      case 'response.completed':
      case 'response.incomplete':
        t.done = true
        return readUsage(o.response?.usage ?? o.usage, t)
      case 'response.failed': {
        const e = o.response?.error
        return t.fail('stream-error', messageText(e?.message ?? e?.code ?? 'response failed'))
      }
      case 'error':
        return t.fail('stream-error', messageText(o.message ?? o.code ?? 'error'))
    }
  },
  onBody(body, t) {
    const o = parseBody(body, t)
    if (!o) return
    let text = ''
    const output: any[] = Array.isArray(o.output) ? o.output : []
    output.forEach((item, i) => {
      if (item?.type === 'function_call') t.reply?.toolCall(i, item.call_id, item.name, item.arguments)
      for (const c of Array.isArray(item?.content) ? item.content : []) {
        if (typeof c?.text !== 'string') continue
        text += c.text
        if (item?.type === 'message') t.reply?.text(c.text)
      }
    })
    t.bodyText(text)
    readUsage(o.usage, t)
  },
}

