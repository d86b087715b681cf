/**
 * Prompts from the records of a dataset file: which turns become prompts, their output lengths,
 * the length filters, and the seeded order. Records are tokenized only when the order reaches
 * them, and each record's prompts are kept for the next call (the runner loads once per level).
 */
import { datasetError } from './dataset-error.js'
import { SHAREGPT_FILTERS, type ChatMessage, type FileSpec, type LengthFilters, type Prompt } from './prompt.js'
import { mixSeed, mulberry32 } from '../random.js'
import type { Conversation, RecordSource } from './source.js'
import { shuffleInPlace } from './synthetic-set.js'
import type { TextTokenizer } from './tokenizer.js'
import { dirname, isAbsolute, resolve } from 'node:path'
import { isUrl } from './media.js'

interface Turn {
  messages: ChatMessage[]
  reply?: string
  maxTokens?: number
}

/**
 * single-turn ShareGPT: leading system messages and the first user message, the message after it
 * as the reply; single-turn JSONL: all the messages, a last assistant message being the reply;
 * multi-turn: every user message with all that comes before it, the next assistant message as its reply.
 */
export function turnsOf(c: Conversation, format: RecordSource['format'], multiTurn: boolean): Turn[] {
  const m = c.messages
  const replyAt = (k: number) => (m[k]?.role === 'assistant' ? m[k].content : undefined)
  if (multiTurn) {
    const turns: Turn[] = []
    m.forEach((msg, k) => {
      if (msg.role !== 'user') return
      const reply = replyAt(k + 1)
      turns.push({ messages: m.slice(0, k + 1), ...(reply !== undefined ? { reply } : { maxTokens: c.maxTokens }) })
    })
    return turns
  }
  if (format === 'sharegpt') {
    const k = m.findIndex((msg) => msg.role === 'user')
    if (k < 0) return []
    const systems = m.slice(0, k).filter((msg) => msg.role === 'system')
    return [{ messages: [...systems, m[k]], reply: replyAt(k + 1) }]
  }
  const last = m[m.length - 1]
  return last.role === 'assistant'
    ? [{ messages: m.slice(0, -1), reply: last.content, maxTokens: c.maxTokens }]
    : [{ messages: m, maxTokens: c.maxTokens }]
}

export function filtersOf(spec: FileSpec): LengthFilters {
  return spec.format === 'sharegpt' ? { ...SHAREGPT_FILTERS, ...spec.filters } : { ...spec.filters }
}

/** Bounds of 0 are off. */
export function passes(f: LengthFilters, input: number, output: number | undefined): boolean {
  if (f.minInput && input < f.minInput) return false
  if (f.maxInput && input > f.maxInput) return false
  if (output === undefined) return true
  if (f.minOutput && output < f.minOutput) return false
  return !(f.maxTotal && input + output > f.maxTotal)
}

function recordPrompts(source: RecordSource, spec: FileSpec, tok: TextTokenizer, index: number): Prompt[] {
  const multiTurn = spec.multiTurn === true
  const filters = filtersOf(spec)
  const kept: Prompt[] = []
  const conversation = source.conversation(index)
  const kinds = rowKinds(conversation, source.path)
  for (const turn of turnsOf(conversation, source.format, multiTurn)) {
    const maxTokens = spec.outputTokens ?? turn.maxTokens ?? (turn.reply !== undefined ? tok.count(turn.reply) : undefined)
    // ShareGPT's output length is its reply's: a turn without one is no benchmark request.
    if (maxTokens === undefined && source.format === 'sharegpt') continue
    const text = turn.messages.map((msg) => msg.content).join('\n')
    const tokens = tok.count(text)
    if (tokens === 0 || !passes(filters, tokens, maxTokens)) continue
    const p: Prompt = { text, tokens }
    if (turn.messages.length > 1 || turn.messages[0].role !== 'user') p.messages = turn.messages
    if (maxTokens !== undefined) p.maxTokens = maxTokens
    // A later turn repeats the earlier messages, the dataset's replies among them: the designed reuse.
    if (multiTurn) p.segments = turn.messages.map((msg, k) => ({ key: `record:${index}:${k}`, tokens: tok.count(msg.content) }))
    Object.assign(p, kinds)
    kept.push(p)
  }
  if (multiTurn) kept.forEach((p, k) => (p.conversation = { id: index, turn: k + 1, turns: kept.length }))
  return kept
}

/** A row's media (paths resolved against the dataset's folder) and adapter, for its prompts. */
function rowKinds(c: Conversation, file: string): Pick<Prompt, 'rowMedia' | 'rowLora'> {
  const resolveRef = (ref: string) => (isUrl(ref) || isAbsolute(ref) ? ref : resolve(dirname(file), ref))
  const out: Pick<Prompt, 'rowMedia' | 'rowLora'> = {}
  if (c.images || c.audio) {
    out.rowMedia = {}
    if (c.images) out.rowMedia.images = c.images.map(resolveRef)
    if (c.audio) out.rowMedia.audio = c.audio.map(resolveRef)
  }
  if (c.lora !== undefined) out.rowLora = c.lora
  return out
}

export interface FileStats {
  records: number
  /** Records the last call went through (the order stops once it has enough prompts). */
  examined: number
  /** Distinct prompts the last call drew. */
  used: number
  /** The last call had to repeat the file's prompts to reach its count. */
  cycled: boolean
}

const cache = new WeakMap<RecordSource, Map<string, Map<number, Prompt[]>>>()
export const fileStats = new Map<string, FileStats>()

/** `pause` is awaited after each record (data/turns.ts): tokenizing a large file takes a while. */
export async function filePrompts(source: RecordSource, spec: FileSpec, count: number, seed: number, tok: TextTokenizer, pause: () => Promise<void> | undefined = () => undefined): Promise<Prompt[]> {
  const key = JSON.stringify([tok.name, spec.multiTurn === true, spec.outputTokens, filtersOf(spec)])
  let bySource = cache.get(source)
  if (!bySource) cache.set(source, (bySource = new Map()))
  let byRecord = bySource.get(key)
  if (!byRecord) bySource.set(key, (byRecord = new Map()))
  const order = Array.from({ length: source.size }, (_, i) => i)
  if (spec.shuffle !== false) shuffleInPlace(order, mulberry32(mixSeed(seed, 0x5eed)))
  const out: Prompt[] = []
  let examined = 0
  for (const index of order) {
    if (out.length >= count) break
    let prompts = byRecord.get(index)
    if (!prompts) byRecord.set(index, (prompts = recordPrompts(source, spec, tok, index)))
    examined++
    out.push(...prompts)
    await pause()
  }
  if (out.length === 0) {
    throw datasetError(source.path, undefined, `no prompt passes the filters among its ${source.size} records`, 'loosen the filters, or check the format')
  }
  const used = out.length
  fileStats.set(source.path, { records: source.size, examined, used: Math.min(used, count), cycled: used < count })
  for (let i = used; i < count; i++) out.push(out[i % used])
  return out.slice(0, count).map((p) => ({ ...p }))
}
