/**
 * Triton's generate extension as served for TensorRT-LLM: `POST /v2/models/{model}/generate_stream`
 * (`.../generate` unstreamed). One `text_output` per token (non-accumulating mode), no usage: the
 * count is the number of token events, or an estimate of the unstreamed text.
 */
import type { Adapter } from './adapter.js'
import { isPlainTokenEvent, jsonRequest, nonEmpty, parseEvent } from './openai-common.js'
import { parseBody } from './native-common.js'

const TEXT = '"text_output":"'

/** A string, or the (string) elements of a batch-of-one tensor. */
const textOutput = (o: Record<string, any>): string | undefined =>
  typeof o.text_output === 'string' ? o.text_output
    : Array.isArray(o.text_output) ? o.text_output.filter((s: unknown) => typeof s === 'string').join('') : undefined

export const tritonAdapter: Adapter = {
  name: 'triton',
  framing: 'sse',
  buildRequest(spec) {
    const body: Record<string, unknown> = { text_input: spec.prompt, max_tokens: spec.maxTokens, stream: spec.stream }
    // TensorRT-LLM has no ignore_eos: a minimum length equal to the maximum forces the length.
    if (spec.ignoreEos) body.min_length = spec.maxTokens
    const path = `/v2/models/${encodeURIComponent(spec.model)}/${spec.stream ? 'generate_stream' : 'generate'}`
    return jsonRequest(path, body, spec)
  },
  onEvent(data, _event, t) {
    if (isPlainTokenEvent(data, TEXT)) return t.token(true)
    const o = parseEvent(data, t)
    if (o && nonEmpty(textOutput(o))) t.token(true)
  },
  onBody(body, t) {
    const o = parseBody(body, t)
    if (o) t.bodyText(textOutput(o) ?? '')
  },
}
