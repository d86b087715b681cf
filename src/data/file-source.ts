/**
 * Dataset files, read once per process: the runner loads prompts once per level with different
 * seeds, and a large file must not be read and checked again each time. A file changed on disk
 * (size or modification time) is read again.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { readChatJsonl } from './chat-jsonl.js'
import { datasetError } from './dataset-error.js'
import { readCsv, readText } from './plain-files.js'
import type { FileFormat, FileSpec } from './prompt.js'
import { readShareGpt } from './sharegpt.js'
import type { RecordSource } from './source.js'
import { readTrace, type TraceSource } from './trace.js'

export type Source = RecordSource | TraceSource

const FIX = 'give a path to a ShareGPT JSON, JSONL, CSV or text file'
/** A file is read whole into one Buffer, which Node caps at 2 GiB. */
export const MAX_FILE_BYTES = 2 ** 31 - 1

const sources = new Map<string, { stamp: string; source: Source }>()

export function openSource(spec: FileSpec): Source {
  const full = resolve(spec.path)
  const stamp = fileStamp(spec.path, full)
  const key = JSON.stringify([full, spec.format, spec.format === 'csv' ? (spec.column ?? 'prompt') : ''])
  const hit = sources.get(key)
  if (hit && hit.stamp === stamp) return hit.source
  const buf = readFileSync(full)
  const source = readSource(spec, full, buf)
  sources.set(key, { stamp, source })
  return source
}

/** The source a spec names, if it has been read in this process. */
export function cachedSource(spec: FileSpec): Source | undefined {
  const key = JSON.stringify([resolve(spec.path), spec.format, spec.format === 'csv' ? (spec.column ?? 'prompt') : ''])
  return sources.get(key)?.source
}

function fileStamp(path: string, full: string): string {
  try {
    const s = statSync(full)
    if (!s.isFile()) throw datasetError(path, undefined, 'is not a file', FIX)
    if (s.size > MAX_FILE_BYTES) {
      throw datasetError(path, undefined, `the file is ${(s.size / 2 ** 30).toFixed(1)} GB, more than the 2 GB llmbench reads`, 'split it, or keep the records you need')
    }
    return `${s.size}:${s.mtimeMs}`
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw datasetError(path, undefined, 'no such file', FIX)
    throw err
  }
}

function readSource(spec: FileSpec, full: string, buf: Buffer): Source {
  switch (spec.format) {
    case 'sharegpt': return readShareGpt(full, buf)
    case 'jsonl': return readChatJsonl(full, buf)
    case 'csv': return readCsv(full, buf, spec.column)
    case 'text': return readText(full, buf)
    case 'trace': return readTrace(full, buf)
  }
}

/**
 * The format a file's name and first record say: .json ShareGPT, .csv CSV, .txt text; .jsonl a
 * trace when its first record has "timestamp" and "input_length", ShareGPT when it has
 * "conversations", JSONL prompts otherwise.
 * Undefined when neither tells.
 */
export function guessFormat(path: string): FileFormat | undefined {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return 'sharegpt'
  if (ext === '.csv') return 'csv'
  if (ext === '.txt' || ext === '.text') return 'text'
  if (ext !== '.jsonl' && ext !== '.ndjson') return undefined
  const head = readHead(path)
  const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? ''
  const has = (key: string) => new RegExp(`"${key}"\\s*:`).test(firstLine)
  if (has('timestamp') && has('input_length')) return 'trace'
  return has('conversations') || has('conversation') ? 'sharegpt' : 'jsonl'
}

function readHead(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(64 * 1024)
    return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0))
  } finally {
    closeSync(fd)
  }
}
