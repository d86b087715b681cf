/** CSV with a header row (a prompt column, an optional max_tokens column) and plain text, one prompt per line. */
import { createRequire } from 'node:module'
import type { parse as Parse } from 'csv-parse/sync'
import { datasetError } from './dataset-error.js'
import { lineSpans, MAX_RECORD_BYTES, spanText } from './records.js'
import type { Conversation, RecordSource } from './source.js'

const MAX_TOKENS_COLUMN = 'max_tokens'

/** csv-parse, loaded by the first CSV file (its CommonJS build: one file, and synchronous). */
let csvParse: typeof Parse | undefined
const parse: typeof Parse = (...args: Parameters<typeof Parse>) => {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: typeof Parse }).parse
  return csvParse(...args)
}

function storedSource(format: RecordSource['format'], path: string, records: Conversation[], lines: number[]): RecordSource {
  return { format, path, size: records.length, line: (i) => lines[i], conversation: (i) => records[i] }
}

export function readCsv(path: string, buf: Buffer, column = 'prompt'): RecordSource {
  const fix = `a CSV file needs a header row naming a "${column}" column, and one prompt per row; quote fields that hold commas or line breaks`
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>
  try {
    rows = parse(buf, { columns: true, info: true, skip_empty_lines: true, bom: true, relax_column_count: false, max_record_size: MAX_RECORD_BYTES })
  } catch (err) {
    const e = err as { message?: string; lines?: number; code?: string }
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      throw datasetError(path, e.lines, `a row longer than the ${MAX_RECORD_BYTES / 1048576} MB llmbench reads as one prompt`, 'a quote may be left open; split or shorten the row')
    }
    throw datasetError(path, e.lines, `not valid CSV: ${String(e.message).replace(/ (?:at|on) line \d+.*$/s, '')}`, fix)
  }
  if (rows.length === 0) throw datasetError(path, 1, 'no rows below the header', fix)
  const columns = Object.keys(rows[0].record)
  if (!columns.includes(column)) {
    throw datasetError(path, 1, `no "${column}" column (the columns are ${columns.map((c) => JSON.stringify(c)).join(', ')})`, 'name the prompt column with --dataset-column or dataset.column')
  }
  const records: Conversation[] = []
  const lines: number[] = []
  for (const { record, info } of rows) {
    const text = record[column]
    const c: Conversation = { messages: [{ role: 'user', content: text }] }
    const max = record[MAX_TOKENS_COLUMN]
    if (max !== undefined && max.trim() !== '') {
      const n = Number(max)
      if (!Number.isInteger(n) || n < 1) throw datasetError(path, info.lines, `${MAX_TOKENS_COLUMN} must be a whole number of at least 1, got ${JSON.stringify(max)}`, `leave the cell empty to use the scenario's output length`)
      c.maxTokens = n
    }
    if (text.trim() === '') throw datasetError(path, info.lines, `the "${column}" cell is empty`, 'remove the row or write its prompt')
    records.push(c)
    lines.push(info.lines)
  }
  return storedSource('csv', path, records, lines)
}

export function readText(path: string, buf: Buffer): RecordSource {
  const spans = lineSpans(buf, path)
  if (spans.length === 0) throw datasetError(path, undefined, 'the file has no prompts', 'write one prompt per line')
  const records = spans.map((s): Conversation => ({ messages: [{ role: 'user', content: spanText(buf, s) }] }))
  return storedSource('text', path, records, spans.map((s) => s.line))
}
