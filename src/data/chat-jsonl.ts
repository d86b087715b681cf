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
  readKinds(value, c, bad)
  if (value.max_tokens !== undefined) {
    const n = value.max_tokens
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw bad(`"max_tokens" must be a whole number of at least 1, got ${JSON.stringify(n)}`)
    c.maxTokens = n
  }
  return c
}

/**
 * The row's request kinds (docs/request-kinds.md): `"images"` and `"audio"` (lists of file paths
 * or URLs), OpenAI `image_url` parts inside its messages, and `"lora"` (an adapter's name).
 */
function readKinds(value: Record<string, unknown>, c: Conversation, bad: (what: string) => Error): void {
  const list = (key: 'images' | 'audio') => {
    const v = value[key]
    if (v === undefined) return []
    const items = typeof v === 'string' ? [v] : v
    if (!Array.isArray(items) || !items.every((x) => typeof x === 'string' && x.trim() !== '')) throw bad(`"${key}" must be a list of file paths or URLs`)
    return items as string[]
  }
  const images = list('images')
  if (Array.isArray(value.messages)) {
    for (const m of value.messages) {
      if (!isRecord(m) || !Array.isArray(m.content)) continue
      for (const part of m.content) {
        const url = isRecord(part) && part.type === 'image_url' && isRecord(part.image_url) ? part.image_url.url : undefined
        if (typeof url === 'string' && url !== '') images.push(url)
      }
    }
  }
  const audio = list('audio')
  if (images.length) c.images = images
  if (audio.length) c.audio = audio
  if (value.lora !== undefined) {
    if (typeof value.lora !== 'string' || value.lora.trim() === '') throw bad('"lora" must be the name of an adapter')
    c.lora = value.lora
  }
}
