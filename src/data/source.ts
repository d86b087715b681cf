/** A dataset file read into records: what every file format (but a trace) gives the prompt builder. */
import type { ChatMessage, FileFormat } from './prompt.js'
import { parseSpan, type Span } from './records.js'

/** One record: its messages in order and the output length it names, if any. */
export interface Conversation {
  messages: ChatMessage[]
  maxTokens?: number
  /** JSONL rows: images and audio (paths as written, or URLs) and a LoRA adapter (docs/request-kinds.md). */
  images?: string[]
  audio?: string[]
  lora?: string
}

export interface RecordSource {
  format: Exclude<FileFormat, 'trace'>
  path: string
  /** Records in the file. */
  size: number
  line(i: number): number
  conversation(i: number): Conversation
}

/**
 * A source over JSON records that are checked once when the file is read (so a bad record fails
 * the run before it starts, with its line) and parsed again when used.
 */
export function jsonRecordSource(
  format: RecordSource['format'],
  path: string,
  buf: Buffer,
  spans: Span[],
  fix: string,
  convert: (value: unknown, line: number) => Conversation,
): RecordSource {
  for (const span of spans) convert(parseSpan(buf, span, path, fix), span.line)
  return {
    format,
    path,
    size: spans.length,
    line: (i) => spans[i].line,
    conversation: (i) => convert(parseSpan(buf, spans[i], path, fix), spans[i].line),
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A message content: a string, or a list of parts whose `text` fields are joined. */
export function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return undefined
  let text = ''
  for (const part of content) {
    if (!isRecord(part)) return undefined
    if (typeof part.text === 'string') text += part.text
  }
  return text
}
