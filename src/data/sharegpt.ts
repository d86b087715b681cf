/**
 * ShareGPT-style JSON: a list of records (or one record per line), each with a `conversations`
 * list of turns `{"from": "human", "value": "..."}`. `conversation` for the list and `role` /
 * `content` for the turn keys are read too (other ShareGPT exports use them).
 */
import { datasetError } from './dataset-error.js'
import type { ChatMessage } from './prompt.js'
import { firstContent, jsonListSpans, lineSpans } from './records.js'
import { isRecord, jsonRecordSource, type Conversation, type RecordSource } from './source.js'

const FIX = 'ShareGPT records look like {"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}'

const USER = new Set(['human', 'user'])
const SYSTEM = new Set(['system'])

export function readShareGpt(path: string, buf: Buffer): RecordSource {
  const first = buf[firstContent(buf)]
  if (first !== 0x5b && first !== 0x7b) {
    throw datasetError(path, undefined, 'not a ShareGPT file: it is neither a JSON list nor JSON lines of records', FIX)
  }
  const spans = first === 0x5b ? jsonListSpans(buf, path, FIX) : lineSpans(buf, path)
  return jsonRecordSource('sharegpt', path, buf, spans, FIX, (value, line) => conversation(value, path, line))
}

function conversation(value: unknown, path: string, line: number): Conversation {
  if (!isRecord(value)) throw datasetError(path, line, 'record is not a JSON object', FIX)
  const turns = value.conversations ?? value.conversation
  if (!Array.isArray(turns)) throw datasetError(path, line, 'record has no "conversations" list', FIX)
  const messages: ChatMessage[] = []
  turns.forEach((turn, k) => {
    const from = isRecord(turn) ? (turn.from ?? turn.role) : undefined
    const text = isRecord(turn) ? (turn.value ?? turn.content) : undefined
    if (typeof from !== 'string' || typeof text !== 'string') {
      throw datasetError(path, line, `turn ${k + 1} of the record needs a "from" and a string "value"`, FIX)
    }
    const role = from.toLowerCase()
    // Replies come from many model names in ShareGPT exports (gpt, chatgpt, bard, bing): every
    // speaker that is not the user or the system is the assistant.
    messages.push({ role: USER.has(role) ? 'user' : SYSTEM.has(role) ? 'system' : 'assistant', content: text })
  })
  return { messages }
}
