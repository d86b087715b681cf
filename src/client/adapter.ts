/**
 * The adapter contract: one file per protocol turns a request spec into an HTTP request and
 * tells the tracker what each stream event means. Adapters never compute a metric and never
 * read a clock: the HTTP layer stamps each read before any parsing.
 */
import type { ChatMessage } from '../data/prompt.js'
import type { MediaPart } from '../data/media.js'
import type { RequestTracker } from './tracker.js'
import type { ToolsSpec } from './tool-messages.js'

export interface RequestSpec {
  model: string
  /** The whole prompt as text: what completions-style endpoints send. */
  prompt: string
  /** A system prompt or a conversation's history: chat-style endpoints send these instead of `prompt`. */
  messages?: ChatMessage[]
  /** llmbench's own token count of the prompt (the record prefers the server's). */
  promptTokens: number
  maxTokens: number
  stream: boolean
  ignoreEos: boolean
  includeUsage: boolean
  continuousUsage: boolean
  /** Extra body fields, merged last so a user can override anything. */
  body: Record<string, unknown>
  /** Tools offered (agent tool loops, tool-messages.ts): chat and responses only. */
  tools?: ToolsSpec
  /** Images and audio clips for the last user message (chat only: client/media-parts.ts). */
  media?: readonly MediaPart[]
  /** The index in `messages` of the message the media go into, when not the last user message (a session's first). */
  mediaAt?: number
}

export interface HttpRequest {
  method: 'POST' | 'GET'
  path: string
  headers: Record<string, string>
  body: string
}

export interface Adapter {
  readonly name: string
  /** How a stream is framed: Server-Sent Events, or newline-delimited JSON (Ollama). */
  readonly framing: 'sse' | 'ndjson'
  /** False for endpoints that generate no tokens (embeddings): success needs no token then. */
  readonly generates?: boolean
  /** False when the protocol has no streamed form (embeddings). */
  readonly streams?: boolean
  buildRequest(spec: RequestSpec): HttpRequest
  /** The headers that carry an API key (default: `authorization: Bearer <key>`). */
  authHeaders?(apiKey: string): Record<string, string>
  /** One stream event: SSE `data` and its `event` name, or one NDJSON line (event `message`). */
  onEvent(data: string, event: string, t: RequestTracker): void
  /** A complete non-streamed response body. */
  onBody(body: string, t: RequestTracker): void
}

/** The chat messages of a request: its own, or the prompt as one user message. */
export function chatMessages(spec: RequestSpec): ChatMessage[] {
  return spec.messages?.length ? spec.messages : [{ role: 'user', content: spec.prompt }]
}

export function authHeaders(adapter: Adapter, apiKey: string | undefined): Record<string, string> {
  if (!apiKey) return {}
  return adapter.authHeaders ? adapter.authHeaders(apiKey) : { authorization: `Bearer ${apiKey}` }
}
