/**
 * What OpenAI-compatible servers (vLLM, SGLang, LMDeploy, TensorRT-LLM, llama.cpp, TGI's
 * Messages API, Ollama's /v1) share: request fields, usage chunks and error shapes.
 * The chat and completions adapters differ only in where the generated text sits.
 */
import type { HttpRequest, RequestSpec } from './adapter.js'
import type { RequestTracker } from './tracker.js'
import { excerpt } from '../results/redact.js'

export interface OpenAIUsage {
  prompt_tokens?: number
  completion_tokens?: number
  completion_tokens_details?: { reasoning_tokens?: number } | null
}

/**
 * Whether `"usage"` or `"error"` occurs: one regular-expression scan costs about a third of the
 * two `indexOf` calls it replaces (bench/client-overhead.js, issue 19), on every stream event.
 */
const USAGE_OR_ERROR = /"(?:usage|error)"/

/**
 * The hot path of a stream: most events are one visible token and nothing else. They are
 * recognised without JSON.parse (which costs more than all the rest of an event's handling).
 * The keys are matched with their quotes: inside a JSON string value a quote is always escaped,
 * so generated text can never fake them. Anything else (usage, errors, reasoning, other
 * spacing) returns false and goes through the full parse.
 */
export function isPlainTokenEvent(data: string, marker: string): boolean {
  const i = data.indexOf(marker)
  return i > 0 && data.charCodeAt(i + marker.length) !== 34 /* " : empty text */ &&
    !USAGE_OR_ERROR.test(data) &&
    data.charCodeAt(0) === 123 /* { */ && data.charCodeAt(data.length - 1) === 125 /* } */
}

/** A parsed event, or undefined after recording why it could not be read. */
export function parseEvent(data: string, t: RequestTracker): Record<string, any> | undefined {
  if (data === '[DONE]') {
    t.done = true
    return undefined
  }
  let obj: unknown
  try {
    obj = JSON.parse(data)
  } catch {
    t.fail('parse', `malformed stream event: ${excerpt(data, 120)}`)
    return undefined
  }
  if (obj === null || typeof obj !== 'object') {
    t.fail('parse', `stream event is not a JSON object: ${excerpt(data, 120)}`)
    return undefined
  }
  const o = obj as Record<string, any>
  const error = errorMessage(o)
  if (error !== undefined) {
    t.fail('stream-error', error)
    return undefined
  }
  return o
}

/** The message of an error object in either shape servers use, or undefined. */
export function errorMessage(o: Record<string, any>): string | undefined {
  if (o.error) {
    const e = o.error
    return typeof e === 'string' ? e : messageText(e.message ?? e)
  }
  if (o.object === 'error') return messageText(o.message ?? 'error')
  return undefined
}

/**
 * Any JSON value as text for an error message. Never String() on a server's object: one with a
 * `toString` key that is not a function makes String() throw.
 */
export function messageText(x: unknown): string {
  return typeof x === 'string' ? x : (JSON.stringify(x) ?? 'error')
}

/**
 * Usage on an event. A usage object on a chunk without choices is the final one
 * (`include_usage`); on a chunk with choices it is a running count (`continuous_usage_stats`).
 * Returns the running completion count, if any, for the caller's token() call.
 */
export function readUsage(o: Record<string, any>, t: RequestTracker): number | undefined {
  const u = o.usage as OpenAIUsage | null | undefined
  if (!u) return undefined
  const hasChoices = Array.isArray(o.choices) && o.choices.length > 0
  if (!hasChoices) {
    t.usage(u.prompt_tokens, u.completion_tokens, u.completion_tokens_details?.reasoning_tokens ?? undefined)
    return undefined
  }
  if (u.prompt_tokens !== undefined) t.usage(u.prompt_tokens, undefined)
  return u.completion_tokens
}

/** Fields both endpoints send. */
export function commonBody(spec: RequestSpec): Record<string, unknown> {
  const body: Record<string, unknown> = { model: spec.model, max_tokens: spec.maxTokens, stream: spec.stream }
  if (spec.ignoreEos) body.ignore_eos = true
  if (spec.stream && (spec.includeUsage || spec.continuousUsage)) {
    const opts: Record<string, boolean> = {}
    if (spec.includeUsage) opts.include_usage = true
    if (spec.continuousUsage) opts.continuous_usage_stats = true
    body.stream_options = opts
  }
  return body
}

export function jsonRequest(path: string, body: Record<string, unknown>, spec: RequestSpec): HttpRequest {
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', accept: spec.stream ? 'text/event-stream' : 'application/json' },
    body: JSON.stringify({ ...body, ...spec.body }),
  }
}

/** A non-streamed body: usage and the generated text (for an estimate when usage is missing). */
export function readBody(body: string, t: RequestTracker, textOf: (choice: any) => string | undefined): void {
  let o: Record<string, any>
  try {
    o = JSON.parse(body)
  } catch {
    t.fail('parse', `malformed response body: ${excerpt(body, 120)}`)
    return
  }
  if (o === null || typeof o !== 'object') {
    t.fail('parse', `response body is not a JSON object: ${excerpt(body, 120)}`)
    return
  }
  const error = errorMessage(o)
  if (error !== undefined) {
    t.fail('stream-error', error)
    return
  }
  const choice = Array.isArray(o.choices) ? o.choices[0] : undefined
  t.bodyText((choice && textOf(choice)) ?? '')
  const u = o.usage as OpenAIUsage | undefined
  if (u) t.usage(u.prompt_tokens, u.completion_tokens, u.completion_tokens_details?.reasoning_tokens ?? undefined)
}

export function nonEmpty(s: unknown): boolean {
  return typeof s === 'string' && s.length > 0
}
