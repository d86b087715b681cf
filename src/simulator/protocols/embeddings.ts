/**
 * OpenAI-compatible embeddings (`POST /v1/embeddings`): `input` is a string, a list of strings,
 * a list of token ids or a list of those; the answer comes after the prefill cost of its tokens
 * off the engine, with deterministic unit vectors (8 dimensions unless `dimensions` says otherwise;
 * `encoding_format: "base64"` packs float32 as OpenAI's clients ask by default).
 */
import type { ServerResponse } from 'node:http'
import { now } from '../../clock.js'
import { countTokens } from '../../data/tokenizer.js'
import { mixSeed, mulberry32 } from '../../random.js'
import { clear, schedule } from '../engine.js'
import type { Fault, ResolvedOptions } from '../options.js'
import type { Reply } from '../protocol.js'
import type { Counters, TraceEntry } from '../stats.js'
import { GENERATION_ERROR } from '../stream.js'
import { hexId, isObject } from '../protocol.js'
import { badRequest, vllmStyleError, wrongModel } from './openai.js'

export interface EmbeddingRequest {
  inputs: (string | number[])[]
  tokens: number
  dimensions: number
  base64: boolean
  simQuirks: unknown
}

const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x))

export function parseEmbeddings(body: unknown, model: string, maxModelLen: number): EmbeddingRequest | Reply {
  if (!isObject(body)) return badRequest('The request body must be a JSON object.')
  const wrong = wrongModel(body, model)
  if (wrong) return wrong
  const x = body.input
  const inputs = typeof x === 'string' || isIds(x) ? [x] : Array.isArray(x) && x.length > 0 && x.every((i) => typeof i === 'string' || isIds(i)) ? x as (string | number[])[] : null
  if (!inputs) return badRequest('`input` must be a string, a list of strings, a list of token ids or a list of lists of token ids.')
  let tokens = 0
  for (const i of inputs) {
    const n = typeof i === 'string' ? countTokens(i) : i.length
    if (n > maxModelLen) return badRequest(`This model's maximum context length is ${maxModelLen} tokens. However, you requested ${n} tokens in the input for embedding generation. Please reduce the length of the input.`)
    tokens += n
  }
  const d = body.dimensions
  if (d !== undefined && d !== null && !(Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 4096)) return badRequest('`dimensions` must be an integer from 1 to 4096.')
  return { inputs, tokens, dimensions: (d as number | undefined) ?? 8, base64: body.encoding_format === 'base64', simQuirks: body.sim_quirks }
}

/** A unit vector from the seed and the input (the same input gives the same vector). */
function vector(input: string | number[], seed: number, dims: number): number[] {
  const s = typeof input === 'string' ? input : input.join(',')
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  const rng = mulberry32(mixSeed(seed, h >>> 0))
  const v = Array.from({ length: dims }, () => rng() * 2 - 1)
  const norm = Math.hypot(...v) || 1
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6)
}

export function embeddingsBody(r: EmbeddingRequest, model: string, seed: number): string {
  const data = r.inputs.map((input, index) => {
    const v = vector(input, seed, r.dimensions)
    return { object: 'embedding', index, embedding: r.base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v }
  })
  return JSON.stringify({
    id: 'embd-' + hexId(), object: 'list', created: Math.floor(Date.now() / 1000), model, data,
    usage: { prompt_tokens: r.tokens, total_tokens: r.tokens },
  })
}

export interface EmbeddingCall {
  res: ServerResponse
  receivedAt: number
  opts: ResolvedOptions
  counters: Counters
  trace: TraceEntry | null
  fault: Fault | null
}

/** Answers at receivedAt + prefillBaseMs + prefillMsPerToken × input tokens (never early), off the
 * engine; the trace gets one write of 0 tokens. Faults: stall (no answer), cut, stream-error (500),
 * malformed (half a body). */
export function answerEmbeddings(r: EmbeddingRequest, c: EmbeddingCall): void {
  const { res, opts: o, counters, fault } = c
  counters.promptTokens += r.tokens
  let done = false
  let timer: ReturnType<typeof schedule> | null = null
  res.on('close', () => {
    if (done) return
    done = true
    clear(timer)
    counters.aborted++
  })
  if (fault === 'stall') return void counters.stalled++
  const at = c.receivedAt + o.prefillBaseMs + o.prefillMsPerToken * r.tokens
  const fire = (): void => {
    if (done) return
    if (now() < at) return void (timer = schedule(at, fire))
    done = true
    const json = { 'content-type': 'application/json' }
    if (fault === 'cut' || fault === 'stream-error') {
      counters.failed++
      if (fault === 'cut') return void res.destroy()
      return void res.writeHead(500, json).end(vllmStyleError(500, GENERATION_ERROR).body)
    }
    let body = embeddingsBody(r, o.model, o.seed)
    if (fault === 'malformed') body = body.slice(0, body.length >> 1)
    if (c.trace) { c.trace.tokenWrites.push(now()); c.trace.tokensPerWrite.push(0) }
    counters.completed++
    res.writeHead(200, json).end(body)
  }
  timer = schedule(at, fire)
}
