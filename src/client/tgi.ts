/**
 * Hugging Face TGI's native API: `POST /generate_stream` (`/generate` unstreamed). One token per
 * event; the last event's `details.generated_tokens` is the count (`"details": true` asks for it).
 */
import type { Adapter } from './adapter.js'
import { isPlainTokenEvent, nonEmpty, parseEvent } from './openai-common.js'
import { count, nestedRequest, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'

/**
 * A plain token event without JSON.parse: non-empty text, not special, no details (the last event),
 * no top_tokens (they have their own `text` and `special` keys). Keys are matched with their
 * quotes, which generated text cannot fake (see isPlainTokenEvent).
 */
function isPlainToken(data: string): boolean {
  return isPlainTokenEvent(data, '"text":"') && data.includes('"special":false') &&
    data.includes('"details":null') && !data.includes('"top_tokens"')
}

function readDetails(d: Record<string, any> | null | undefined, t: RequestTracker): void {
  if (!d || typeof d !== 'object') return
  // `prefill` is `[]` unless `decoder_input_details` was asked for: an empty one says nothing.
  const prompt = count(d.input_length) ?? (Array.isArray(d.prefill) && d.prefill.length > 0 ? d.prefill.length : undefined)
  t.usage(prompt, count(d.generated_tokens))
}

export const tgiAdapter: Adapter = {
  name: 'tgi',
  framing: 'sse',
  buildRequest(spec) {
    // TGI has no ignore_eos: the length cannot be forced.
    const body = { inputs: spec.prompt, parameters: { max_new_tokens: spec.maxTokens, details: true } }
    return nestedRequest(spec.stream ? '/generate_stream' : '/generate', body, spec)
  },
  onEvent(data, _event, t) {
    if (isPlainToken(data)) return t.token(true)
    const o = parseEvent(data, t)
    if (!o) return
    const token = o.token
    if (token && !token.special && nonEmpty(token.text)) t.token(true)
    readDetails(o.details, t)
  },
  onBody(body, t) {
    const parsed = parseBody(body, t)
    // The Inference API wraps the answer in a list.
    const o = Array.isArray(parsed) ? parsed[0] : parsed
    if (!o) return
    t.bodyText(typeof o.generated_text === 'string' ? o.generated_text : '')
    readDetails(o.details, t)
  },
}
