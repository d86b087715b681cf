/**
 * Trace replay from Mooncake-style JSON Lines:
 * `{"timestamp": 27482, "input_length": 655, "output_length": 52, "hash_ids": [46, 47]}`.
 * Timestamps are ms; each hash id names a block of `blockTokens` prompt tokens, so lines that share
 * leading hash ids share that many leading tokens of text, as the traced requests shared a cached
 * prefix. A line's text is the blocks of its hash ids, cut or padded with its own words to
 * `input_length`.
 */
import { datasetError } from './dataset-error.js'
import type { Draft } from './draft.js'
import { TRACE_BLOCK_TOKENS, type FileSpec } from './prompt.js'
import { mixSeed, mulberry32 } from '../random.js'
import { lineSpans, parseSpan } from './records.js'
import { isRecord } from './source.js'
import { TokenStream } from './synthetic.js'
import type { TextTokenizer } from './tokenizer.js'

const FIX = 'each line is {"timestamp": <ms>, "input_length": <tokens>, "output_length": <tokens>, "hash_ids": [<block ids>]}'

export interface TraceLine {
  timestamp: number
  input: number
  output: number
  hashIds: number[]
  line: number
}

export interface TraceSource {
  format: 'trace'
  path: string
  lines: TraceLine[]
}

export function readTrace(path: string, buf: Buffer): TraceSource {
  const lines: TraceLine[] = []
  for (const span of lineSpans(buf, path)) {
    const v = parseSpan(buf, span, path, FIX)
    const bad = (what: string) => datasetError(path, span.line, what, FIX)
    if (!isRecord(v)) throw bad('line is not a JSON object')
    const whole = (key: string, min: number) => {
      const n = v[key]
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw bad(`"${key}" must be a whole number of at least ${min}, got ${JSON.stringify(n) ?? 'nothing'}`)
      return n
    }
    const timestamp = v.timestamp
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) throw bad(`"timestamp" must be a number of ms of at least 0, got ${JSON.stringify(timestamp) ?? 'nothing'}`)
    const previous = lines[lines.length - 1]
    if (previous && timestamp < previous.timestamp) {
      throw datasetError(path, span.line, `timestamp ${timestamp} is before the previous line's ${previous.timestamp}`, 'sort the trace by timestamp')
    }
    const hashIds = v.hash_ids ?? []
    if (!Array.isArray(hashIds) || hashIds.some((h) => typeof h !== 'number' || !Number.isInteger(h))) throw bad('"hash_ids" must be a list of whole numbers')
    lines.push({ timestamp, input: whole('input_length', 1), output: whole('output_length', 1), hashIds, line: span.line })
  }
  if (lines.length === 0) throw datasetError(path, undefined, 'the trace has no lines', FIX)
  return { format: 'trace', path, lines }
}

/**
 * `count` drafts in trace order, cycling with a time offset: each pass starts one period after the
 * previous one, a period being the trace's span plus its mean gap between lines (1 s for a
 * one-line trace), so the replayed rate stays the trace's rate.
 */
export function traceDrafts(trace: TraceSource, spec: FileSpec, count: number, seed: number, tok: TextTokenizer): Draft[] {
  const { lines } = trace
  const first = lines[0].timestamp
  const span = lines[lines.length - 1].timestamp - first
  const period = span + (lines.length > 1 ? span / (lines.length - 1) : 1000)
  const speed = spec.speed ?? 1
  const blockTokens = spec.blockTokens ?? TRACE_BLOCK_TOKENS
  const blocks = new Map<number, number[]>()
  const block = (h: number): number[] => {
    let ids = blocks.get(h)
    if (!ids) {
      ids = new TokenStream(tok, mulberry32(mixSeed(mixSeed(seed, 0x7ace), h))).ids(blockTokens)
      blocks.set(h, ids)
    }
    return ids
  }
  const drafts: Draft[] = []
  for (let i = 0; i < count; i++) {
    const pass = Math.floor(i / lines.length)
    const l = lines[i % lines.length]
    const head = l.hashIds.flatMap(block)
    // The last block stays in the stream so that the end of the prompt can be cut or padded
    // without touching the blocks before it.
    const sharedLength = Math.min(l.input, Math.max(0, l.hashIds.length - 1) * blockTokens)
    drafts.push({
      shared: sharedLength > 0 ? tok.decode(head.slice(0, sharedLength)) : '',
      system: false,
      stream: new TokenStream(tok, mulberry32(mixSeed(mixSeed(seed, 0x11e5), i)), head.slice(sharedLength)),
      target: l.input,
      maxTokens: spec.outputTokens ?? l.output,
      at: (l.timestamp - first + pass * period) / speed,
      // Lines sharing leading hash ids share those blocks (the designed prefix reuse).
      segments: l.hashIds.map((h, j) => ({ key: `block:${h}`, tokens: Math.max(0, Math.min(blockTokens, l.input - j * blockTokens)) })).filter((b) => b.tokens > 0),
    })
  }
  return drafts
}
