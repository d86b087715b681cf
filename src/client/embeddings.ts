/**
 * OpenAI embeddings: `POST /v1/embeddings`. Nothing is generated and nothing streams: success is a
 * 2xx with `data`; `usage.prompt_tokens` is the input count and the output count is 0.
 */
import type { Adapter } from './adapter.js'
import { jsonRequest } from './openai-common.js'
import { count, parseBody } from './native-common.js'
import { excerpt } from '../results/redact.js'

export const embeddingsAdapter: Adapter = {
  name: 'embeddings',
  framing: 'sse',
  generates: false,
  streams: false,
  buildRequest(spec) {
    return jsonRequest('/v1/embeddings', { model: spec.model, input: spec.prompt }, { ...spec, stream: false })
  },
  onEvent(data, _event, t) {
    // Never streamed (streams: false); a body handed over as one event is still a body.
    embeddingsAdapter.onBody(data, t)
  },
  onBody(body, t) {
    const o = parseBody(body, t)
    if (!o) return
    if (!Array.isArray(o.data)) return t.fail('parse', `embeddings response without data: ${excerpt(body, 120)}`)
    t.usage(count(o.usage?.prompt_tokens), 0)
  },
}
