/**
 * What the native (non OpenAI-compatible) adapters share: a request whose nested option object
 * (TGI `parameters`, SGLang `sampling_params`, Ollama `options`) takes the user's extra fields
 * key by key, and the parse of a non-streamed body.
 */
import type { HttpRequest, RequestSpec } from './adapter.js'
import { errorMessage, jsonRequest } from './openai-common.js'
import type { RequestTracker } from './tracker.js'
import { excerpt } from '../results/redact.js'

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Extra body fields are merged last, as in jsonRequest, except that an extra object for one of our
 * own nested objects is merged into it: `{"parameters":{"temperature":0}}` must not drop
 * `max_new_tokens`. A user can still override any nested key.
 */
export function nestedRequest(path: string, body: Record<string, unknown>, spec: RequestSpec, accept?: string): HttpRequest {
  const merged = { ...body }
  for (const [k, v] of Object.entries(spec.body)) {
    const ours = merged[k]
    merged[k] = isPlainObject(ours) && isPlainObject(v) ? { ...ours, ...v } : v
  }
  const req = jsonRequest(path, merged, { ...spec, body: {} })
  if (accept && spec.stream) req.headers.accept = accept
  return req
}

/** A parsed non-streamed body, or undefined after recording why it is no answer (parse, stream-error). */
export function parseBody(body: string, t: RequestTracker): Record<string, any> | undefined {
  let o: unknown
  try {
    o = JSON.parse(body)
  } catch {
    t.fail('parse', `malformed response body: ${excerpt(body, 120)}`)
    return undefined
  }
  if (o === null || typeof o !== 'object') {
    t.fail('parse', `response body is not a JSON object: ${excerpt(body, 120)}`)
    return undefined
  }
  const error = Array.isArray(o) ? undefined : errorMessage(o as Record<string, any>)
  if (error !== undefined) {
    t.fail('stream-error', error)
    return undefined
  }
  return o as Record<string, any>
}

/** A token count field, when the server sent a number. */
export function count(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined
}
