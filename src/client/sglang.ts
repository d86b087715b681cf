/**
 * SGLang's native API: `POST /generate`. Each event carries the cumulative `text` and the running
 * `meta_info.completion_tokens`, so a multi-token event is split per token (SGLang's own ITL method).
 */
import type { Adapter } from './adapter.js'
import { parseEvent } from './openai-common.js'
import { count, nestedRequest, parseBody } from './native-common.js'
import type { RequestTracker } from './tracker.js'

/** Length of the text seen so far, per request: an event whose text did not grow carries no token. */
const seen = new WeakMap<RequestTracker, number>()

export const sglangAdapter: Adapter = {
  name: 'sglang',
  framing: 'sse',
  buildRequest(spec) {
    const body = {
      text: spec.prompt,
      sampling_params: { max_new_tokens: spec.maxTokens, ignore_eos: spec.ignoreEos },
      stream: spec.stream,
    }
    return nestedRequest('/generate', body, spec)
  },
  onEvent(data, _event, t) {
    const o = parseEvent(data, t) // also ends at `[DONE]`
    if (!o) return
    const meta = o.meta_info
    const prompt = count(meta?.prompt_tokens)
    if (prompt !== undefined) t.usage(prompt, undefined)
    const running = count(meta?.completion_tokens)
    // Lengths only: re-slicing the cumulative text on every event would cost O(n²).
    const length = typeof o.text === 'string' ? o.text.length : 0
    if (length > (seen.get(t) ?? 0)) {
      seen.set(t, length)
      return t.token(true, running)
    }
    // Tokens without text yet (a split character, a special token) belong to the next token event.
    if (running !== undefined) t.runningUsage(running)
  },
  onBody(body, t) {
    const o = parseBody(body, t)
    if (!o) return
    t.bodyText(typeof o.text === 'string' ? o.text : '')
    t.usage(count(o.meta_info?.prompt_tokens), count(o.meta_info?.completion_tokens))
  },
}
