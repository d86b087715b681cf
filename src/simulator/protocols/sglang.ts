/**
 * SGLang's native API: `POST /generate` with `{"text"|"input_ids", "sampling_params", "stream"}`
 * (told apart from TGI's `/generate` by the body). Each event carries the cumulative `text` and
 * `meta_info.completion_tokens`, then `data: [DONE]`; `GET /get_model_info`.
 * Errors are `{"error":{"message":"…"}}`.
 */
import type { Batch, FinalText, GetRoute, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { countField, hexId, isObject, jsonReply, seedOf } from '../protocol.js'
import { IM_END, textPromptTokens } from '../prompt.js'
import { frame, makeFraming, type Framing } from '../quirks.js'

const error = (status: number, message: string): Reply => ({ status, body: JSON.stringify({ error: { message } }) })

/** An SGLang body rather than TGI's: it has `text`, `input_ids` or `sampling_params`. */
export const isSglangBody = (b: unknown): boolean =>
  isObject(b) && !('inputs' in b) && ('text' in b || 'input_ids' in b || 'sampling_params' in b)

export const sglang: Protocol = {
  error,
  parse(body, { opts }): Parsed | Reply {
    if (!isObject(body)) return error(400, 'The request body must be a JSON object.')
    const promptTokens = typeof body.text === 'string' ? textPromptTokens(body.text) : textPromptTokens(body.input_ids)
    if (promptTokens === null) return error(400, 'Either text or input_ids should be provided.')
    const sp = isObject(body.sampling_params) ? body.sampling_params : {}
    const maxTokens = countField(sp.max_new_tokens, opts.defaultMaxTokens)
    if (maxTokens === null) return error(400, `max_new_tokens must be at least 1, got ${String(sp.max_new_tokens)}.`)
    if (promptTokens + maxTokens > opts.maxModelLen) {
      return error(400, `Requested token count exceeds the model's maximum context length of ${opts.maxModelLen} tokens. ` +
        `You requested a total of ${promptTokens + maxTokens} tokens: ${promptTokens} tokens from the input messages and ` +
        `${maxTokens} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`)
    }
    const minTokens = sp.ignore_eos === true ? maxTokens : countField(sp.min_new_tokens, 0, 0) ?? 0
    const rid = typeof body.rid === 'string' ? body.rid : hexId()
    return {
      gen: { stream: body.stream === true, promptTokens, maxTokens, minTokens, seed: seedOf(sp.sampling_seed, sp.seed), simQuirks: body.sim_quirks },
      wire: (ctx) => new SglangWire(ctx, rid),
    }
  },
}

export const sglangGet: GetRoute = (path, o) =>
  path === '/get_model_info' ? jsonReply({ model_path: o.model, tokenizer_path: o.model, is_generation: true, preferred_sampling_params: null }) : null

class SglangWire implements Wire {
  readonly contentType = 'text/event-stream'
  readonly reasoningTokens = 0
  private readonly f: Framing
  private text = ''

  constructor(private readonly c: WireContext, private readonly rid: string) {
    this.f = makeFraming(c.quirks)
  }

  private finishReason(n: number): Record<string, unknown> {
    return this.c.stopped ? { type: 'stop', matched: IM_END } : { type: 'length', length: n }
  }
  private meta(n: number, finish: string): string {
    return `"meta_info":{"id":"${this.rid}","finish_reason":${finish},"prompt_tokens":${this.c.promptTokens},"completion_tokens":${n},"cached_tokens":0}`
  }

  admit(): string { return '' }
  tokens(b: Batch): string {
    this.text += b.cJson
    const finish = b.last ? JSON.stringify(this.finishReason(b.generated)) : 'null'
    return frame(this.f, `{"text":"${this.text}",${this.meta(b.generated, finish)}}`)
  }
  finish(): string { return this.c.quirks.has('no-done') ? '' : frame(this.f, '[DONE]') }
  error(message: string): string { return frame(this.f, JSON.stringify({ error: { message } })) }
  malformed(b: Batch): string { return frame(this.f, '{"text":"' + b.cJson.slice(0, 3)) }
  body(t: FinalText, n: number): string {
    return JSON.stringify({
      text: t.content,
      meta_info: { id: this.rid, finish_reason: this.finishReason(n), prompt_tokens: this.c.promptTokens, completion_tokens: n, cached_tokens: 0 },
    })
  }
}
