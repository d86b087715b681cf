/**
 * What one wire protocol supplies to the simulator: request parsing into a protocol-neutral
 * GenRequest, error bodies in the protocol's own shape, and a Wire that turns the engine's token
 * batches into that protocol's events. The engine, token text, counters, trace and faults are
 * shared by all protocols (stream.ts, server.ts).
 */
import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Quirk, ResolvedOptions } from './options.js'
import type { ToolCall, ToolRequest } from './tools.js'
import type { RequestKinds } from './kinds.js'

/** A complete HTTP answer (errors, metadata routes). */
export interface Reply {
  status: number
  body: string
  headers?: Record<string, string>
}

/** The engine-facing part of a generation request, whatever the protocol. */
export interface GenRequest {
  stream: boolean
  promptTokens: number
  maxTokens: number
  /** No end of sequence before this many tokens (ignore_eos, min_tokens, min_length ≥ max_tokens
   * force maxTokens); the rest follows eosProbability. */
  minTokens: number
  /** The request's own seed, if an integer: its text is then independent of arrival order. */
  seed: number | undefined
  /** The body's `sim_quirks` field. */
  simQuirks: unknown
  /** The prompt's token ids as the template renders them, for the prefix cache (prefix-cache.ts):
   * made only while the cache is on; protocols without them are never cached. */
  promptIds?: number[]
  /** A chat template's prompt: an answer is closed by the end-of-message token in the next turn. */
  templated?: boolean
  /** The tools the request offers (tools.ts). */
  tools?: ToolRequest
  /** A LoRA adapter, images and audio, a structured answer (simulator/kinds.ts). */
  kinds?: RequestKinds
}

export interface WireContext {
  opts: ResolvedOptions
  quirks: ReadonlySet<Quirk>
  promptTokens: number
  /** Finished by end of sequence (true) or by the token limit (false). */
  stopped: boolean
  receivedAt: number
  /** The answer is this tool call (its arguments stream as the tokens), not text (tools.ts). */
  toolCall?: ToolCall | null
  /** The tool a structured answer calls (the tool-calls quirk's name otherwise). */
  toolName?: string
}

/** The tokens of one event (one engine step for one request). Reused between calls. */
export interface Batch {
  /** Token piece indexes (text.ts PIECES), reasoning tokens first. */
  ids: number[]
  /** How many of them are reasoning tokens. */
  r: number
  /** JSON-escaped text (no quotes) of the reasoning and of the content tokens. */
  rJson: string
  cJson: string
  /** Tokens before this batch, and after it. */
  before: number
  generated: number
  /** The last batch of a request that completes (no fault ends it). */
  last: boolean
}

/** A non-streamed request's text, and the now() of its first token. */
export interface FinalText { content: string; reasoning: string; firstAt: number }

/** One request's wire format. Methods return framed bytes ('' for nothing). */
export interface Wire {
  /** content-type of the streamed response. */
  readonly contentType: string
  /** Leading reasoning tokens: the `reasoning` quirk, where the protocol has a place for them. */
  readonly reasoningTokens: number
  /** Events at admission, before any token (role chunk, message_start…). */
  admit(): string
  /** The event(s) carrying one batch of tokens. */
  tokens(b: Batch): string
  /** Events after the last token of a completed stream (finish, usage, [DONE]). */
  finish(generated: number): string
  /** An in-stream error event (the stream then ends). */
  error(message: string): string
  /** One event with broken JSON (the `malformed` fault). */
  malformed(b: Batch): string
  /** The non-streamed JSON body. */
  body(t: FinalText, generated: number): string
}

export interface ParseContext {
  opts: ResolvedOptions
  /** The model named in the URL (Triton). */
  urlModel?: string
}

export interface Parsed { gen: GenRequest; wire(ctx: WireContext): Wire }

export interface Protocol {
  /** An error answer in this protocol's shape; the status picks the error type. */
  error(status: number, message: string): Reply
  /** Validate a parsed JSON body. */
  parse(body: unknown, ctx: ParseContext): Parsed | Reply
}

/** A GET route of a protocol: a Reply for paths it serves, else null. */
export type GetRoute = (path: string, o: ResolvedOptions, headers: IncomingHttpHeaders) => Reply | null

export const isReply = (x: object): x is Reply => 'status' in x && 'body' in x
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
export const jsonReply = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) })
export const hexId = (): string => randomUUID().replaceAll('-', '')
export const seedOf = (...vs: unknown[]): number | undefined => vs.find((v) => Number.isInteger(v)) as number | undefined

/** A token-count field: absent (undefined/null) gives `dflt`; an integer ≥ min is kept; anything
 * else is null (invalid). */
export function countField(v: unknown, dflt: number, min = 1): number | null {
  if (v === undefined || v === null) return dflt
  return Number.isInteger(v) && (v as number) >= min ? (v as number) : null
}
