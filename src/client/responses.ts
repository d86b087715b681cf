/**
 * OpenAI Responses: `POST /v1/responses`, named events. Text deltas are tokens, reasoning deltas
 * are reasoning tokens; `response.completed` (or `response.incomplete`, the usual end when
 * `max_output_tokens` is reached) carries the usage.
 */
import type { Adapter } from './adapter.js'
import { isPlainTokenEvent, jsonRequest, messageText, nonEmpty, parseEvent } from './openai-common.js'
import { count, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'

const TEXT_DELTA = 'response.output_text.delta'

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
    const input = spec.messages?.length ? spec.messages : spec.prompt
    const body = { model: spec.model, input, stream: spec.stream, max_output_tokens: spec.maxTokens }
    return jsonRequest('/v1/responses', body, spec)
  },
  onEvent(data, event, t) {
    if (!t.collecting && event === TEXT_DELTA && isPlainTokenEvent(data, '"delta":"')) return t.token(true)
    const o = parseEvent(data, t) // `{"error":{...}}` becomes a stream-error there
    if (!o) return
    switch (typeof o.type === 'string' ? o.type : event) {
      case TEXT_DELTA:
      case 'response.refusal.delta':
      case 'response.function_call_arguments.delta':
        if (t.collecting) collectDelta(o, t)
        if (nonEmpty(o.delta)) t.token(true)
        return
      case 'response.output_item.added':
        // A function call's name comes with its item, before its arguments.
        if (t.collecting && o.item?.type === 'function_call') t.toolCall(count(o.output_index) ?? 0, o.item.name, '')
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
      if (t.collecting && item?.type === 'function_call') t.toolCall(i, item.name, item.arguments)
      for (const c of Array.isArray(item?.content) ? item.content : []) {
        if (typeof c?.text === 'string') text += c.text
      }
    })
    if (t.collecting) t.content(text)
    t.bodyText(text)
    readUsage(o.usage, t)
  },
}

/** The visible text, or a function call's arguments (by its output index), for the validity check. */
function collectDelta(o: Record<string, any>, t: RequestTracker): void {
  if (typeof o.delta !== 'string') return
  if (o.type === 'response.function_call_arguments.delta') t.toolCall(count(o.output_index) ?? 0, undefined, o.delta)
  else if (o.type === TEXT_DELTA) t.content(o.delta)
}
