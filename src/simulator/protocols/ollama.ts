/**
 * Ollama's native API: `POST /api/chat` and `/api/generate`, streamed by default as
 * newline-delimited JSON (not SSE: framing quirks do not apply), one line per token event, then a
 * `"done":true` line with the counts and durations (ns); `"stream": false` gives one object.
 * `GET /api/tags`, `/api/version`. No ignore_eos: `options.num_predict` bounds the output.
 * Errors are `{"error":"…"}`.
 */
import { now } from '../../clock.js'
import type { Batch, FinalText, GetRoute, Parsed, Protocol, Reply, Wire, WireContext } from '../protocol.js'
import { isObject, jsonReply, seedOf } from '../protocol.js'
import { chatPromptTokens, isMessages } from '../prompt.js'
import { countTokens } from '../../data/tokenizer.js'

const error = (status: number, message: string): Reply => ({ status, body: JSON.stringify({ error: message }) })
const VERSION = '0.9.0'

export function ollama(kind: 'chat' | 'generate'): Protocol {
  return {
    error,
    parse(body, { opts }): Parsed | Reply {
      if (!isObject(body)) return error(400, 'invalid request body')
      if (typeof body.model !== 'string' || !body.model) return error(400, 'model is required')
      if (body.model !== opts.model) return error(404, `model "${body.model}" not found, try pulling it first`)
      let promptTokens: number
      if (kind === 'chat') {
        if (!isMessages(body.messages)) return error(400, 'messages must be a non-empty list of messages')
        promptTokens = chatPromptTokens(body.messages)
      } else {
        if (typeof body.prompt !== 'string') return error(400, 'prompt must be a string')
        promptTokens = countTokens(body.prompt)
      }
      const o = isObject(body.options) ? body.options : {}
      if (o.num_predict !== undefined && !Number.isInteger(o.num_predict)) return error(400, 'option "num_predict" must be an integer')
      // num_predict -1 (infinite) or -2 (fill the context): the simulator's default length.
      const np = o.num_predict as number | undefined
      const maxTokens = np !== undefined && np > 0 ? np : opts.defaultMaxTokens
      return {
        gen: { stream: body.stream !== false, promptTokens, maxTokens, minTokens: 0, seed: seedOf(o.seed), simQuirks: body.sim_quirks },
        wire: (ctx) => new OllamaWire(kind, ctx),
      }
    },
  }
}

export const ollamaGet: GetRoute = (path, o) => {
  if (path === '/api/version') return jsonReply({ version: VERSION })
  if (path !== '/api/tags') return null
  return jsonReply({
    models: [{
      name: o.model, model: o.model, modified_at: new Date().toISOString(), size: 1, digest: '0'.repeat(64),
      details: { parent_model: '', format: 'gguf', family: 'sim', families: ['sim'], parameter_size: '14B', quantization_level: 'F16' },
    }],
  })
}

class OllamaWire implements Wire {
  readonly contentType = 'application/x-ndjson'
  readonly reasoningTokens: number
  private readonly head: string
  private firstAt = 0

  constructor(private readonly kind: 'chat' | 'generate', private readonly c: WireContext) {
    this.reasoningTokens = c.quirks.has('reasoning') ? c.opts.reasoningTokens : 0
    this.head = `{"model":${JSON.stringify(c.opts.model)},"created_at":"`
  }

  /** The text fields of one line: `message` (chat) or `response` (generate), with `thinking`. */
  private text(content: string, thinking: string): string {
    const th = thinking ? `,"thinking":"${thinking}"` : ''
    return this.kind === 'chat' ? `"message":{"role":"assistant","content":"${content}"${th}}` : `"response":"${content}"${th}`
  }

  private stats(n: number, firstAt: number): Record<string, unknown> {
    const t = now()
    const ns = (ms: number): number => Math.round(ms * 1e6)
    const first = firstAt || t
    return {
      done_reason: this.c.stopped ? 'stop' : 'length', done: true,
      total_duration: ns(t - this.c.receivedAt), load_duration: 0,
      prompt_eval_count: this.c.promptTokens, prompt_eval_duration: ns(first - this.c.receivedAt),
      eval_count: n, eval_duration: ns(t - first),
    }
  }

  admit(): string { return '' }
  tokens(b: Batch): string {
    if (b.before === 0) this.firstAt = now()
    return this.head + new Date().toISOString() + '",' + this.text(b.cJson, b.rJson) + ',"done":false}\n'
  }
  finish(n: number): string {
    const last = JSON.stringify(this.stats(n, this.firstAt))
    return this.head + new Date().toISOString() + '",' + this.text('', '') + ',' + last.slice(1) + '\n'
  }
  error(message: string): string { return JSON.stringify({ error: message }) + '\n' }
  malformed(b: Batch): string { return this.head + new Date().toISOString() + '",' + this.text(b.cJson.slice(0, 3), '').slice(0, -2) + '\n' }
  body(t: FinalText, n: number): string {
    const text = this.kind === 'chat'
      ? { message: { role: 'assistant', content: t.content, ...(t.reasoning ? { thinking: t.reasoning } : {}) } }
      : { response: t.content, ...(t.reasoning ? { thinking: t.reasoning } : {}) }
    return JSON.stringify({ model: this.c.opts.model, created_at: new Date().toISOString(), ...text, ...this.stats(n, t.firstAt) })
  }
}
