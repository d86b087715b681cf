/**
 * Ollama's native API, newline-delimited JSON: `POST /api/chat` (text in `message.content`) and
 * `POST /api/generate` (text in `response`). The `done: true` line carries `eval_count` (output
 * tokens) and `prompt_eval_count`.
 */
import { chatMessages, type Adapter, type RequestSpec } from './adapter.js'
import { isPlainTokenEvent, nonEmpty, parseEvent } from './openai-common.js'
import { count, nestedRequest, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'
import { escapedAfter } from './reply.js'

function readCounts(o: Record<string, any>, t: RequestTracker): void {
  t.usage(count(o.prompt_eval_count), count(o.eval_count))
}

/**
 * `input` gives the prompt fields, `part` the object that holds the generated text under `key`
 * (and `thinking`, `tool_calls`).
 */
function ollamaAdapter(
  name: string,
  path: string,
  key: string,
  input: (spec: RequestSpec) => Record<string, unknown>,
  part: (o: Record<string, any>) => Record<string, any> | undefined,
): Adapter {
  const marker = `"${key}":"`
  return {
    name,
    framing: 'ndjson',
    buildRequest(spec) {
      // Ollama has no ignore_eos; `stream` must be sent either way (it defaults to true).
      const body = { model: spec.model, ...input(spec), stream: spec.stream, options: { num_predict: spec.maxTokens } }
      return nestedRequest(path, body, spec, 'application/x-ndjson')
    },
    onEvent(data, _event, t) {
      if (isPlainTokenEvent(data, marker) && data.includes('"done":false')) {
        if (t.reply) t.reply.escapedText(escapedAfter(data, marker))
        return t.token(true)
      }
      const o = parseEvent(data, t)
      if (!o) return
      const p = part(o)
      if (t.reply && typeof p?.[key] === 'string') t.reply.text(p[key])
      if (p && (nonEmpty(p[key]) || (Array.isArray(p.tool_calls) && p.tool_calls.length > 0))) t.token(true)
      else if (p && nonEmpty(p.thinking)) t.token(false)
      if (o.done === true) {
        t.done = true
        readCounts(o, t)
      }
    },
    onBody(body, t) {
      const o = parseBody(body, t)
      if (!o) return
      const p = part(o)
      const text = (s: unknown) => (typeof s === 'string' ? s : '')
      t.bodyText(text(p?.thinking) + text(p?.[key]))
      t.reply?.text(text(p?.[key]))
      readCounts(o, t)
    },
  }
}

export const ollamaChatAdapter = ollamaAdapter(
  'ollama',
  '/api/chat',
  'content',
  (spec) => ({ messages: chatMessages(spec) }),
  (o) => o.message ?? undefined,
)

export const ollamaGenerateAdapter = ollamaAdapter(
  'ollama-generate',
  '/api/generate',
  'response',
  (spec) => ({ prompt: spec.prompt }),
  (o) => o,
)
