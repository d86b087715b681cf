/**
 * Prompt token counting shared by the protocols: a chat template overhead around each message,
 * and plain text or token-id prompts.
 */
import { countTokens, encodeText } from '../data/tokenizer.js'
import { toolCallsText } from './tools.js'

// Chat template: <|im_start|>role<|im_sep|>content<|im_end|> per message (4 tokens around the
// content), then <|im_start|>assistant<|im_sep|> (3 tokens) to prompt the answer.
const IM_START = 200264
/** Also the end-of-sequence token id that protocols report (SGLang's `matched`). */
export const IM_END = 200265
const IM_SEP = 200266
const ROLE_IDS: Record<string, number> = {}
function roleId(role: string): number {
  return (ROLE_IDS[role] ??= encodeText(role)[0] ?? 0)
}

export interface Message { role?: unknown; content?: unknown; tool_calls?: unknown; type?: unknown; name?: unknown; arguments?: unknown; output?: unknown }

/**
 * A message's text as the template renders it: its content, then its tool calls (chat), or a
 * Responses `function_call` item's call and a `function_call_output` item's output (tools.ts).
 */
export function messageText(m: Message): string {
  if (m.type === 'function_call') return toolCallsText([m])
  if (m.type === 'function_call_output') return typeof m.output === 'string' ? m.output : contentText(m.output)
  const calls = m.tool_calls === undefined ? '' : toolCallsText(m.tool_calls)
  const content = contentText(m.content)
  return calls ? (content ? `${content}\n${calls}` : calls) : content
}

/** A message's role; Responses tool items take the assistant's and the tool's. */
export function messageRole(m: Message): string {
  if (m.type === 'function_call') return 'assistant'
  if (m.type === 'function_call_output') return 'tool'
  return String(m.role ?? 'user')
}

/** A message content: a string, or a list of parts whose `text` fields are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let s = ''
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') s += (part as { text: string }).text
  }
  return s
}

export function isMessages(v: unknown): v is Message[] {
  return Array.isArray(v) && v.length > 0 && v.every((m) => m !== null && typeof m === 'object')
}

/** Prompt tokens of a chat: the contents plus 4 per message and 3 for the answer prompt (not its media's: media.ts counts those). */
export function chatPromptTokens(messages: Message[]): number {
  let n = 3
  for (const m of messages) {
    const pieces = mediaPieces(m)
    if (!pieces) n += 4 + countTokens(messageText(m))
    else {
      n += 4
      for (const p of pieces) n += countTokens(p)
    }
  }
  return n
}

// ---- Media in the prompt's ids (docs/request-kinds.md, "With sessions") ----

/**
 * The place of one image or clip in a prompt's ids, as vLLM's prefix cache sees it: as many
 * placeholder ids as the part's prompt tokens, all `id`, a hash of the part's bytes or URL
 * (media.ts). The same image at the same place gives the same blocks; another image, other ones.
 */
export interface PlaceholderRun { id: number; tokens: number }

const MEDIA_PARTS = new Set(['image_url', 'input_audio', 'audio_url'])
const isMediaPart = (p: unknown): boolean => p !== null && typeof p === 'object' && MEDIA_PARTS.has((p as { type?: unknown }).type as string)

/**
 * A message's text cut where its media parts sit (one more piece than parts: a part's run goes
 * after the piece of its index); null for a message without media, whose text is messageText's.
 * The pieces joined are messageText's text, so a prompt counts alike with and without ids.
 */
function mediaPieces(m: Message): string[] | null {
  // Told apart before any text is built: a message of text parts only is messageText's to join.
  if (!Array.isArray(m.content) || !m.content.some(isMediaPart)) return null
  const pieces: string[] = []
  let s = ''
  for (const part of m.content) {
    if (isMediaPart(part)) {
      pieces.push(s)
      s = ''
    } else if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') s += (part as { text: string }).text
  }
  const calls = m.tool_calls === undefined ? '' : toolCallsText(m.tool_calls)
  if (calls) s = s || pieces.some(Boolean) ? `${s}\n${calls}` : calls
  pieces.push(s)
  return pieces
}

/**
 * The token ids of a chat prompt, consistent with chatPromptTokens; with `runs` (one per media
 * part, in the order of the messages and their parts), each part's placeholder ids where it sits.
 */
export function chatPromptIds(messages: Message[], runs?: readonly PlaceholderRun[]): number[] {
  const ids: number[] = []
  let r = 0
  for (const m of messages) {
    const pieces = mediaPieces(m)
    if (!pieces) {
      ids.push(IM_START, roleId(messageRole(m)), IM_SEP, ...encodeText(messageText(m)), IM_END)
      continue
    }
    ids.push(IM_START, roleId(messageRole(m)), IM_SEP)
    for (let i = 0; i < pieces.length; i++) {
      if (pieces[i]) ids.push(...encodeText(pieces[i]))
      const run = i < pieces.length - 1 ? runs?.[r++] : undefined
      if (run) for (let k = 0; k < run.tokens; k++) ids.push(run.id)
    }
    ids.push(IM_END)
  }
  ids.push(IM_START, roleId('assistant'), IM_SEP)
  return ids
}

/** A text prompt: a string, a list of token ids, or a list of one string; null if none of these. */
export function textPromptTokens(p: unknown): number | null {
  if (typeof p === 'string') return countTokens(p)
  if (Array.isArray(p) && p.length > 0 && p.every((x) => Number.isInteger(x))) return p.length
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return countTokens(p[0])
  return null
}

/**
 * A prompt's token count and, when `withIds` (the prefix cache looks its ids up), its ids: a text
 * is encoded once and its ids counted, not counted and then encoded again on every request.
 */
export interface PromptTokens { tokens: number; ids?: number[] }

/**
 * A chat's prompt tokens (chatPromptTokens, plus its media's) and, with `withIds`, its ids
 * (chatPromptIds, with the media's placeholder runs), whose number that is.
 */
export function chatPrompt(messages: Message[], withIds: boolean, media?: { tokens: number; runs?: readonly PlaceholderRun[] }): PromptTokens {
  if (!withIds || (media && !media.runs)) return { tokens: chatPromptTokens(messages) + (media?.tokens ?? 0) }
  const ids = chatPromptIds(messages, media?.runs)
  return { tokens: ids.length, ids }
}

/** A text prompt's tokens (textPromptTokens) and, with `withIds`, its ids; null if it is none of the three forms. */
export function textPrompt(p: unknown, withIds: boolean): PromptTokens | null {
  if (!withIds) {
    const tokens = textPromptTokens(p)
    return tokens === null ? null : { tokens }
  }
  let ids: number[]
  if (typeof p === 'string') ids = encodeText(p)
  else if (Array.isArray(p) && p.length > 0 && p.every((x) => Number.isInteger(x))) ids = p as number[]
  else if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') ids = encodeText(p[0])
  else return null
  return { tokens: ids.length, ids }
}
