/**
 * Hugging Face text-generation-inference: `POST /generate_stream` (SSE with no space after
 * `data:`, one event per token, the last with `generated_text` and `details`) and `POST /generate`
 * (`{"generated_text"}`, plus `details` when asked), `GET /info`. TGI has no ignore_eos.
 * Errors are `{"error":"…","error_type":"…"}`.
 */
import type { Batch, FinalText, GetRoute, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, isObject, jsonReply, seedOf } from '../protocol.js'
import { countTokens } from '../../data/tokenizer.js'
import { frame, makeFraming, type Framing } from '../quirks.js'
import { PIECES_JSON } from '../text.js'

const ERROR_TYPES: Record<number, string> = { 429: 'overloaded', 500: 'generation', 503: 'overloaded' }
export const tgiError = (status: number, message: string): Reply =>
  ({ status, body: JSON.stringify({ error: message, error_type: ERROR_TYPES[status] ?? 'validation' }) })
const invalid = (message: string): Reply => tgiError(422, `Input validation error: ${message}`)

/** `stream`: `/generate_stream` or `/generate`. */
export function tgi(stream: boolean): Protocol {
  return {
    error: tgiError,
    parse(body, { opts }): Parsed | Reply {
      if (!isObject(body) || typeof body.inputs !== 'string') {
        return tgiError(422, 'Failed to deserialize the JSON body into the target type: missing field `inputs`')
      }
      const p = isObject(body.parameters) ? body.parameters : {}
      const maxTokens = countField(p.max_new_tokens, opts.defaultMaxTokens)
      if (maxTokens === null) return invalid('`max_new_tokens` must be strictly positive')
      const promptTokens = countTokens(body.inputs)
      if (promptTokens + maxTokens > opts.maxModelLen) {
        return invalid(`\`inputs\` tokens + \`max_new_tokens\` must be <= ${opts.maxModelLen}. Given: ${promptTokens} \`inputs\` tokens and ${maxTokens} \`max_new_tokens\``)
      }
      const seed = seedOf(p.seed)
      const details = p.details === true
      return {
        gen: { stream, promptTokens, maxTokens, minTokens: 0, seed, simQuirks: body.sim_quirks },
        wire: (ctx) => new TgiWire(ctx, seed ?? null, details),
      }
    },
  }
}

export const tgiGet: GetRoute = (path, o) => path !== '/info' ? null : jsonReply({
  model_id: o.model, model_sha: null, model_pipeline_tag: 'text-generation', model_dtype: 'float16', model_device_type: 'cuda',
  max_concurrent_requests: 128, max_best_of: 2, max_stop_sequences: 4, max_input_tokens: o.maxModelLen - 1, max_total_tokens: o.maxModelLen,
  validation_workers: 2, max_client_batch_size: 4, router: 'text-generation-router', version: '3.0.0', sha: null, docker_label: null,
})

class TgiWire implements Wire {
  readonly contentType = 'text/event-stream'
  readonly reasoningTokens = 0
  private readonly f: Framing
  private text = ''

  constructor(private readonly c: WireContext, private readonly seed: number | null, private readonly details: boolean) {
    this.f = makeFraming(c.quirks, { space: false })
  }

  private finishReason(): string { return this.c.stopped ? 'eos_token' : 'length' }

  private event(index: number, id: number, tail: string): string {
    return frame(this.f, `{"index":${index},"token":{"id":${id},"text":"${PIECES_JSON[id]}","logprob":-0.1,"special":false},${tail}}`)
  }

  admit(): string { return '' }
  /** One event per token; with multi-token, several in one write. */
  tokens(b: Batch): string {
    this.text += b.cJson
    let out = ''
    const n = b.ids.length
    for (let j = 0; j < n; j++) {
      const end = b.last && j === n - 1
      const tail = end
        ? `"generated_text":"${this.text}","details":{"finish_reason":"${this.finishReason()}","generated_tokens":${b.generated},"seed":${this.seed},"input_length":${this.c.promptTokens}}`
        : '"generated_text":null,"details":null'
      out += this.event(b.before + j + 1, b.ids[j], tail)
    }
    return out
  }
  finish(): string { return '' }
  error(message: string): string { return frame(this.f, JSON.stringify({ error: message, error_type: 'generation' })) }
  malformed(b: Batch): string { return frame(this.f, `{"index":${b.generated},"token":{"id":${b.ids[0]},"text":"` + b.cJson.slice(0, 3)) }
  body(t: FinalText, generated: number): string {
    if (!this.details) return JSON.stringify({ generated_text: t.content })
    return JSON.stringify({ generated_text: t.content, details: { finish_reason: this.finishReason(), generated_tokens: generated, seed: this.seed } })
  }
}
