/**
 * Triton's generate extension as TensorRT-LLM's ensemble serves it:
 * `POST /v2/models/{model}/generate_stream` (SSE, one `text_output` per event, no usage, no [DONE])
 * and `.../generate` (one JSON body), plus the health and metadata routes. Fields may sit at the
 * top level or under `parameters`. Errors are `{"error":"…"}`.
 */
import type { Batch, FinalText, GetRoute, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, isObject, jsonReply, seedOf } from '../protocol.js'
import { countTokens } from '../../data/tokenizer.js'
import { frame, makeFraming, type Framing } from '../quirks.js'

const error = (status: number, message: string): Reply => ({ status, body: JSON.stringify({ error: message }) })
const unknownModel = (m: string): Reply => error(400, `Request for unknown model: '${m}' is not found`)

/** `stream`: the route (`generate_stream` streams whatever the body's `stream` says). */
export function triton(stream: boolean): Protocol {
  return {
    error,
    parse(body, { opts, urlModel }): Parsed | Reply {
      if (urlModel !== opts.model) return unknownModel(String(urlModel))
      if (!isObject(body)) return error(400, 'failed to parse the request JSON buffer: the request must be a JSON object')
      const p = isObject(body.parameters) ? { ...body.parameters, ...body } : body
      if (typeof p.text_input !== 'string') return error(400, "expected 'text_input' to be a string")
      const maxTokens = countField(p.max_tokens, opts.defaultMaxTokens)
      if (maxTokens === null) return error(400, `'max_tokens' must be a positive integer, got ${String(p.max_tokens)}`)
      const minLength = countField(p.min_length, 0, 0)
      if (minLength === null) return error(400, `'min_length' must be a non-negative integer, got ${String(p.min_length)}`)
      if (p.end_id !== undefined && !Number.isInteger(p.end_id)) return error(400, "'end_id' must be an integer")
      const promptTokens = countTokens(p.text_input)
      if (promptTokens + maxTokens > opts.maxModelLen) {
        return error(400, `the prompt (${promptTokens} tokens) plus max_tokens (${maxTokens}) exceeds the maximum sequence length ${opts.maxModelLen}`)
      }
      const accumulate = p.accumulate_tokens === true
      return {
        gen: { stream, promptTokens, maxTokens, minTokens: minLength, seed: seedOf(p.random_seed, p.seed), simQuirks: p.sim_quirks },
        wire: (ctx) => new TritonWire(ctx, accumulate),
      }
    },
  }
}

export const tritonGet: GetRoute = (path, o) => {
  if (path === '/v2/health/ready' || path === '/v2/health/live') return { status: 200, body: '' }
  if (path === '/v2') return jsonReply({ name: 'triton', version: '2.50.0', extensions: ['classification', 'model_repository', 'generate'] })
  const m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?(\/ready)?$/.exec(path)
  if (!m) return null
  let model = m[1]
  try { model = decodeURIComponent(model) } catch { /* as sent */ }
  if (model !== o.model) return unknownModel(model)
  if (m[2]) return { status: 200, body: '' }
  const tensor = (name: string, datatype: string) => ({ name, datatype, shape: [-1, -1] })
  return jsonReply({
    name: o.model, versions: ['1'], platform: 'ensemble',
    inputs: [tensor('text_input', 'BYTES'), tensor('max_tokens', 'INT32'), tensor('min_length', 'INT32'), tensor('end_id', 'INT32'), tensor('stream', 'BOOL')],
    outputs: [tensor('text_output', 'BYTES')],
  })
}

class TritonWire implements Wire {
  readonly contentType = 'text/event-stream; charset=utf-8'
  readonly reasoningTokens = 0
  private readonly f: Framing
  private readonly head: string
  private text = ''

  constructor(private readonly c: WireContext, private readonly accumulate: boolean) {
    this.f = makeFraming(c.quirks)
    this.head = `{"model_name":${JSON.stringify(c.opts.model)},"model_version":"1","sequence_end":false,"sequence_start":false,"text_output":"`
  }

  admit(): string { return '' }
  tokens(b: Batch): string {
    if (this.accumulate) this.text += b.cJson
    return frame(this.f, this.head + (this.accumulate ? this.text : b.cJson) + '"}')
  }
  finish(): string { return '' } // the stream just ends
  error(message: string): string { return frame(this.f, JSON.stringify({ error: message })) }
  malformed(b: Batch): string { return frame(this.f, this.head + b.cJson.slice(0, 3)) }
  body(t: FinalText): string {
    return JSON.stringify({ model_name: this.c.opts.model, model_version: '1', sequence_end: false, sequence_start: false, text_output: t.content })
  }
}
