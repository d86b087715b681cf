/**
 * Images and audio in a chat request (docs/request-kinds.md): the prompt's media parts go into
 * its last user message as OpenAI content parts, after the text (`[{type: 'text'}, {type:
 * 'image_url'}, …]`), or into the message `at` names: a session's later turns re-send them in
 * its first user message, where its first request had them (runner/session.ts). Only the chat
 * endpoint sends them (client/kinds-check.ts refuses the others).
 */
import type { ChatMessage } from '../data/prompt.js'
import type { MediaPart } from '../data/media.js'

export type ContentPart = { type: 'text'; text: string } | MediaPart
export type ChatMessageWithParts = Omit<ChatMessage, 'content'> & { content: string | ContentPart[] }

export function withMediaParts(messages: ChatMessage[], parts: readonly MediaPart[] | undefined, at?: number): ChatMessageWithParts[] {
  if (!parts?.length) return messages
  const last = at ?? lastUserMessage(messages)
  return messages.map((m, i) => (i === last ? { role: m.role, content: [{ type: 'text', text: m.content }, ...parts] } : m))
}

/** The index of the message withMediaParts puts parts into by default: the last user message. */
export function lastUserMessage(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i
  return -1
}
