/**
 * JSON Lines of prompts: `{"prompt": "..."}` or `{"messages": [{"role": "user", "content": "..."}]}`,
 * each with an optional `"max_tokens"`. Other keys are ignored; blank lines are skipped.
 */
import { datasetError } from './dataset-error.js'
import type { ChatMessage } from './prompt.js'
import { lineSpans } from './records.js'
import { contentText, isRecord, jsonRecordSource, type Conversation, type RecordSource } from './source.js'

const FIX = 'each line is {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}, with an optional "max_tokens"'

const ROLES: Record<string, ChatMessage['role']> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' }

export function readChatJsonl(path: string, buf: Buffer): RecordSource {
  return jsonRecordSource('jsonl', path, buf, lineSpans(buf, path), FIX, (value, line) => record(value, path, line))
}

function record(value: unknown, path: string, line: number): Conversation {
  const bad = (what: string) => datasetError(path, line, what, FIX)
  if (!isRecord(value)) throw bad('line is not a JSON object')
  const c: Conversation = { messages: [] }
  if (typeof value.prompt === 'string') {
    c.messages.push({ role: 'user', content: value.prompt })
  } else if (Array.isArray(value.messages) && value.messages.length > 0) {
    value.messages.forEach((m, k) => {
      const role = isRecord(m) && typeof m.role === 'string' ? ROLES[m.role] : undefined
      const content = isRecord(m) ? contentText(m.content) : undefined
      if (!role) throw bad(`messages[${k}] needs a "role" of system, user or assistant`)
      if (content === undefined) throw bad(`messages[${k}] needs a "content" string`)
      c.messages.push({ role, content })
    })
    if (!c.messages.some((m) => m.role === 'user')) throw bad('"messages" has no user message')
  } else {
    throw bad(value.prompt !== undefined ? '"prompt" is not a string' : value.messages !== undefined ? '"messages" is not a non-empty list' : 'record has neither "prompt" nor "messages"')
  }
  if (value.max_tokens !== undefined) {
    const n = value.max_tokens
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw bad(`"max_tokens" must be a whole number of at least 1, got ${JSON.stringify(n)}`)
    c.maxTokens = n
  }
  return c
}
