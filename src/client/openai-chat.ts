/** OpenAI chat completions: `POST /v1/chat/completions`, text in `choices[0].delta`. */
import { chatMessages, type Adapter } from './adapter.js'
import { withMediaParts } from './media-parts.js'
import type { RequestTracker } from './tracker.js'
import { commonBody, isPlainTokenEvent, jsonRequest, nonEmpty, parseEvent, readBody, readUsage } from './openai-common.js'

const CONTENT = '"delta":{"content":"'

export const chatAdapter: Adapter = {
  name: 'chat',
  framing: 'sse',
  buildRequest(spec) {
    const body = commonBody(spec)
    body.messages = withMediaParts(chatMessages(spec), spec.media)
    return jsonRequest('/v1/chat/completions', body, spec)
  },
  onEvent(data, _event, t) {
    // The fast path skips the text, which a validity check needs (structured outputs).
    if (!t.collecting && isPlainTokenEvent(data, CONTENT)) return t.token(true)
    const o = parseEvent(data, t)
    if (!o) return
    const running = readUsage(o, t)
    const delta = o.choices?.[0]?.delta
    if (delta) {
      if (t.collecting) collect(delta, t)
      // A role-only or empty delta is not a token (METRICS.md, firstTokenAt).
      if (nonEmpty(delta.content)) return t.token(true, running)
      if (nonEmpty(delta.reasoning_content) || nonEmpty(delta.reasoning)) return t.token(false, running)
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.some((c: any) => nonEmpty(c?.function?.arguments))) {
        return t.token(true, running)
      }
    }
    if (running !== undefined) t.runningUsage(running)
  },
  onBody(body, t) {
    readBody(body, t, (c) => {
      if (t.collecting && c.message) collect(c.message, t)
      return c.message?.content ?? c.message?.reasoning_content ?? c.message?.reasoning
    })
  },
}

/** The visible text and tool calls of a delta (or a whole message), for the validity check. */
function collect(d: Record<string, any>, t: RequestTracker): void {
  if (typeof d.content === 'string') t.content(d.content)
  if (Array.isArray(d.tool_calls)) {
    d.tool_calls.forEach((c: any, i: number) => t.toolCall(typeof c?.index === 'number' ? c.index : i, c?.function?.name, c?.function?.arguments))
  }
}
