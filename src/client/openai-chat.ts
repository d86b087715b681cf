/** OpenAI chat completions: `POST /v1/chat/completions`, text in `choices[0].delta`. */
import { chatMessages, type Adapter } from './adapter.js'
import type { ChatMessage } from '../data/prompt.js'
import { withMediaParts } from './media-parts.js'
import { commonBody, isPlainTokenEvent, jsonRequest, nonEmpty, parseEvent, readBody, readUsage } from './openai-common.js'
import { escapedAfter } from './reply.js'
import { captureChatDelta, captureChatMessage, chatToolFields, chatWireMessages } from './tool-messages.js'

const CONTENT = '"delta":{"content":"'

export const chatAdapter: Adapter = {
  name: 'chat',
  framing: 'sse',
  buildRequest(spec) {
    const body = commonBody(spec)
    body.messages = withMediaParts(chatMessages(spec), spec.media, spec.mediaAt)
    // A tool loop's history holds tool calls and results, in the chat wire shape (the media
    // parts sit in a user message, which chatWireMessages passes on as it is).
    if (spec.tools) Object.assign(body, chatToolFields(spec.tools), { messages: chatWireMessages(body.messages as ChatMessage[]) })
    return jsonRequest('/v1/chat/completions', body, spec)
  },
  onEvent(data, _event, t) {
    if (isPlainTokenEvent(data, CONTENT)) {
      if (t.reply) t.reply.escapedText(escapedAfter(data, CONTENT))
      return t.token(true)
    }
    const o = parseEvent(data, t)
    if (!o) return
    const running = readUsage(o, t)
    const delta = o.choices?.[0]?.delta
    if (delta) {
      if (t.reply) captureChatDelta(delta, t.reply)
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
      if (t.reply) captureChatMessage(c.message, t.reply)
      return c.message?.content ?? c.message?.reasoning_content ?? c.message?.reasoning
    })
  },
}

