/**
 * The OpenAI-compatible side: request parsing and validation (vLLM's error bodies), prompt token
 * counting with a chat-template overhead, and the JSON of chunks and bodies.
 */
import { countTokens, encodeText } from '../data/tokenizer.js'

export type Kind = 'chat' | 'completion'

export interface ErrorReply {
  status: number
  body: string
  headers?: Record<string, string>
}

/** vLLM's error body: `{"object":"error","message":…,"type":…,"param":null,"code":…}`. */
export function vllmError(status: number, type: string, message: string): ErrorReply {
  return { status, body: JSON.stringify({ object: 'error', message, type, param: null, code: status }) }
}

/** OpenAI's error body: `{"error":{"message":…,"type":…,"code":…}}`. */
export function openaiError(status: number, type: string, message: string): ErrorReply {
  return { status, body: JSON.stringify({ error: { message, type, code: status } }) }
}

export const modelNotFound = (model: string): ErrorReply =>
  vllmError(404, 'NotFoundError', `The model \`${model}\` does not exist.`)

// Chat template: <|im_start|>role<|im_sep|>content<|im_end|> per message (4 tokens around the
// content), then <|im_start|>assistant<|im_sep|> (3 tokens) to prompt the answer.
const IM_START = 200264
const IM_END = 200265
const IM_SEP = 200266
const ROLE_IDS: Record<string, number> = {}
function roleId(role: string): number {
  return (ROLE_IDS[role] ??= encodeText(role)[0] ?? 0)
}

interface Message { role?: unknown; content?: unknown }

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let s = ''
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') s += (part as { text: string }).text
  }
  return s
}

function isMessages(v: unknown): v is Message[] {
  return Array.isArray(v) && v.length > 0 && v.every((m) => m !== null && typeof m === 'object')
}

/** Prompt tokens of a chat: the contents plus 4 per message and 3 for the answer prompt. */
export function chatPromptTokens(messages: Message[]): number {
  let n = 3
  for (const m of messages) n += 4 + countTokens(contentText(m.content))
  return n
}

/** The token ids of a chat prompt, consistent with chatPromptTokens. */
export function chatPromptIds(messages: Message[]): number[] {
  const ids: number[] = []
  for (const m of messages) {
    ids.push(IM_START, roleId(String(m.role ?? 'user')), IM_SEP, ...encodeText(contentText(m.content)), IM_END)
  }
  ids.push(IM_START, roleId('assistant'), IM_SEP)
  return ids
}

/** Completions prompt: a string, a list of token ids, or a list of one string. */
function completionPrompt(p: unknown): { tokens: number } | null {
  if (typeof p === 'string') return { tokens: countTokens(p) }
  if (Array.isArray(p) && p.length > 0 && p.every((x) => Number.isInteger(x))) return { tokens: p.length }
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return { tokens: countTokens(p[0]) }
  return null
}

export interface GenRequest {
  kind: Kind
  stream: boolean
  includeUsage: boolean
  continuousUsage: boolean
  promptTokens: number
  maxTokens: number
  ignoreEos: boolean
  /** The request's own `seed`, if an integer. */
  seed: number | undefined
  simQuirks: unknown
}

export interface Limits { maxModelLen: number; defaultMaxTokens: number }

/** Validate a parsed body; a string model other than `model` is a 404, bad fields are 400s. */
export function parseGenRequest(kind: Kind, body: unknown, model: string, lim: Limits): GenRequest | ErrorReply {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return vllmError(400, 'BadRequestError', 'The request body must be a JSON object.')
  const b = body as Record<string, unknown>
  if (b.model !== undefined && b.model !== model) return modelNotFound(String(b.model))
  let promptTokens: number
  if (kind === 'chat') {
    if (!isMessages(b.messages)) return vllmError(400, 'BadRequestError', '`messages` must be a non-empty list of messages.')
    promptTokens = chatPromptTokens(b.messages)
  } else {
    const p = completionPrompt(b.prompt)
    if (!p) return vllmError(400, 'BadRequestError', '`prompt` must be a string, a list of token ids, or a list of one string.')
    promptTokens = p.tokens
  }
  const mt = b.max_completion_tokens ?? b.max_tokens
  let maxTokens = lim.defaultMaxTokens
  if (mt !== undefined && mt !== null) {
    if (!Number.isInteger(mt) || (mt as number) < 1) return vllmError(400, 'BadRequestError', 'max_tokens must be at least 1, got ' + String(mt) + '.')
    maxTokens = mt as number
  }
  if (promptTokens + maxTokens > lim.maxModelLen) {
    return vllmError(400, 'BadRequestError',
      `This model's maximum context length is ${lim.maxModelLen} tokens. However, you requested ${promptTokens + maxTokens} tokens ` +
      `(${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`)
  }
  const so = (b.stream_options ?? {}) as Record<string, unknown>
  return {
    kind,
    stream: b.stream === true,
    includeUsage: so.include_usage === true,
    continuousUsage: so.continuous_usage_stats === true,
    promptTokens,
    maxTokens,
    ignoreEos: b.ignore_eos === true,
    seed: Number.isInteger(b.seed) ? (b.seed as number) : undefined,
    simQuirks: b.sim_quirks,
  }
}

/** `,"usage":{…}` with cumulative counts, to append inside a chunk. */
export function usageField(prompt: number, completion: number): string {
  return `,"usage":{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}`
}

export interface FinalText { content: string; reasoning: string; toolArgs: string | null; toolId: string }

/** The non-streamed body (`chat.completion` or `text_completion`). */
export function completionBody(
  kind: Kind, id: string, created: number, model: string, t: FinalText, finish: string,
  prompt: number, completion: number, reasoningField: string,
): string {
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
  if (kind === 'completion') {
    return JSON.stringify({
      id, object: 'text_completion', created, model,
      choices: [{ index: 0, text: t.content, logprobs: null, finish_reason: finish, stop_reason: null }],
      usage,
    })
  }
  const message: Record<string, unknown> = { role: 'assistant', content: t.toolArgs === null ? t.content : null }
  if (t.reasoning) message[reasoningField] = t.reasoning
  message.tool_calls = t.toolArgs === null ? [] : [{ id: t.toolId, type: 'function', function: { name: TOOL_NAME, arguments: t.toolArgs } }]
  return JSON.stringify({
    id, object: 'chat.completion', created, model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish, stop_reason: null }],
    usage,
  })
}

export const TOOL_NAME = 'get_weather'
