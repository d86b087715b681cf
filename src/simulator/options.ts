/**
 * Options of the simulated LLM server, their defaults and validation.
 *
 * The timing defaults resemble vLLM serving a 14B dense model (bf16) on one H100: a decode step
 * of ~18 ms plus ~0.12 ms per running sequence, prefill at ~12,500 tokens/s.
 */

/** Wire-format quirks of real servers. None changes the token count or the token timing, except
 * `multi-token`, which makes each step yield `tokensPerEvent` tokens (speculative decoding). */
export const QUIRKS = [
  'no-space', // `data:{…}` with no space after the colon (TGI, Triton)
  'crlf', // lines end in \r\n
  'cr', // lines end in \r
  'comments', // a `: ping - …` comment block before each event (sse-starlette)
  'split', // each event written in small pieces, cut inside JSON, UTF-8 characters and \r\n
  'reasoning', // the first `reasoningTokens` tokens go to delta.<reasoningField> (Responses: reasoning_text, Anthropic: thinking, Ollama: thinking)
  'multi-token', // `tokensPerEvent` tokens per event (and per step)
  'ollama', // no role-only chunk: every chunk has role and content; finish in a last empty chunk
  'tool-calls', // tokens stream as delta.tool_calls[0].function.arguments
  'no-done', // the stream closes without `data: [DONE]`
  'event-lines', // an `event: message` line before each data line
  'multiline-data', // each JSON event spread over two `data:` lines
  'unicode', // half of the tokens carry multi-byte characters (é, 日本, 👍)
  'empty-first', // completions: a first event with empty text at admission (a special token)
] as const
export type Quirk = (typeof QUIRKS)[number]

/** Faults: drawn per request with the probabilities of `faults`, or forced per request. */
export const FAULTS = [
  'http-500', // 500 with an OpenAI-style JSON error body, no stream
  'http-429', // 429 (rate limited) with `retry-after: 1`
  'http-503', // 503 (overloaded)
  'stream-error', // after `faultAfterTokens` tokens: an in-stream error event, then the end
  'malformed', // after `faultAfterTokens` tokens: one extra event with broken JSON
  'cut', // after `faultAfterTokens` tokens: the socket is destroyed, no [DONE]
  'stall', // headers and the role chunk, then nothing until the client or the server closes
] as const
export type Fault = (typeof FAULTS)[number]

export type ReasoningField = 'reasoning_content' | 'reasoning'

export interface SimulatorOptions {
  /** TCP port; 0 picks a free port. Default `0`. */
  port?: number
  /** Address to listen on. Default `'127.0.0.1'`. */
  host?: string
  /** The served model id; requests naming another model get the protocol's not-found error
   * (vLLM's 404 on /v1). Default `'sim-model'`. */
  model?: string
  /** Seed of every random choice (text, output lengths, faults). Default `0`. A request's own
   * `seed` field makes its text independent of arrival order. */
  seed?: number
  /** Most sequences decoding at once (vLLM `--max-num-seqs`); the rest wait. Default `256`. */
  maxNumSeqs?: number
  /** Token budget of one step (vLLM `--max-num-batched-tokens`): each running sequence's decode
   * token counts, and waiting prompts are admitted while their tokens fit (the first prompt of a
   * step always may, standing in for chunked prefill). Default `8192`. */
  maxNumBatchedTokens?: number
  /** Context length: prompt + max_tokens above it is a 400. Default `32768`. */
  maxModelLen?: number
  /** KV-cache capacity in tokens, for `vllm:kv_cache_usage_perc` and admission. Default `240000`. */
  kvCacheTokens?: number
  /** Fixed cost of a decode step, ms. Default `18`. */
  decodeBaseMs?: number
  /** Added to a decode step per running sequence, ms. Default `0.12`. */
  decodeMsPerSeq?: number
  /** Fixed cost added to a step that prefills newly admitted sequences, ms. Default `10`. */
  prefillBaseMs?: number
  /** Added to that step per prompt token prefilled, ms. Default `0.08`. */
  prefillMsPerToken?: number
  /** Noise of a real GPU: each step's duration is multiplied by a seeded lognormal factor of mean 1
   * and this standard deviation of its logarithm (0.1 ≈ ±10%). Default `0`: every step exactly as
   * the cost model says. */
  stepJitter?: number
  /** Output length when the request has no `max_tokens` / `max_completion_tokens`. Default `256`. */
  defaultMaxTokens?: number
  /** Chance per token after the first to stop with `finish_reason: "stop"` (not with
   * `ignore_eos: true`). Default `0`: every request generates exactly max_tokens. */
  eosProbability?: number
  /** Exact-timing mode (with `fixedItlMs`): the first token event is written at receive + this,
   * whatever the load; no batching model. Default `null` (batching model). */
  fixedTtftMs?: number | null
  /** Exact-timing mode: each next token event fixedItlMs after the previous one's target time.
   * Default `null`. */
  fixedItlMs?: number | null
  /** Quirks applied to every request (requests add more with the `x-sim-quirks` header or the
   * `sim_quirks` body field). Default `[]`. */
  quirks?: Quirk[]
  /** Probability per request of each fault, e.g. `{ 'http-429': 0.05 }`. Default `{}`. */
  faults?: Partial<Record<Fault, number>>
  /** Tokens written before an in-stream fault (stream-error, malformed, cut). Default `null`:
   * half the request's output length, at least 1. */
  faultAfterTokens?: number | null
  /** `reasoning` quirk: how many leading tokens are reasoning. Default `8`. */
  reasoningTokens?: number
  /** `reasoning` quirk: the delta field, `reasoning_content` (vLLM < 0.10, SGLang) or
   * `reasoning` (vLLM 0.10+). Default `'reasoning_content'`. */
  reasoningField?: ReasoningField
  /** `multi-token` quirk: tokens per event. Default `3`. */
  tokensPerEvent?: number
  /** `split` quirk: largest piece in bytes. Default `7`. */
  splitMaxBytes?: number
  /** Honour `x-sim-quirks` / `sim_quirks` in requests. Default `true`. */
  allowRequestQuirks?: boolean
  /** Record per-request receive and token write times, see `Simulator.trace()`. Default `false`. */
  trace?: boolean
  /** A prefix cache of hashed token blocks (vLLM's automatic prefix caching, prefix-cache.ts):
   * cached prompt tokens skip prefill time; `/metrics` counts queries and hits. Default `true`. */
  prefixCache?: boolean
  /** The prefix cache's capacity in tokens (least recently used blocks go first). Default `null`:
   * `kvCacheTokens`. */
  prefixCacheTokens?: number | null
  /** Tokens per cached block (vLLM's `--block-size`). Default `16`. */
  blockSize?: number
  /** A request offering `tools` with `tool_choice` auto is answered with a tool call with this
   * probability (tools.ts). Default `0`. */
  toolCallProbability?: number
  /** Instead of a probability: a task needs this many requests, every one before the last answered
   * with a tool call (counted by the tool results since the last user message). Default `null`. */
  toolSteps?: number | null
  // Request kinds (docs/request-kinds.md, simulator/media.ts, simulator/structured.ts).
  /** Prompt tokens of every image, whatever its size (OpenAI's 85). Default `85`. */
  imageBaseTokens?: number
  /** Prompt tokens per tile of an image (OpenAI's 170). Default `170`. */
  imageTileTokens?: number
  /** Side of a tile in pixels. Default `512`. */
  imageTileSize?: number
  /** Prompt tokens per second of audio. Default `25`. */
  audioTokensPerSecond?: number
  /** LoRA adapters served besides the model (vLLM `--lora-modules`): a request may name one as its model or its `lora_path`. Default `[]`. */
  loraModules?: string[]
  /** Chance that a structured answer (response_format or tools) is made invalid on purpose. Default `0`. */
  invalidRate?: number
}

export type ResolvedOptions = Required<SimulatorOptions>

export const SIMULATOR_DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  model: 'sim-model',
  seed: 0,
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  maxModelLen: 32768,
  kvCacheTokens: 240000,
  decodeBaseMs: 18,
  decodeMsPerSeq: 0.12,
  prefillBaseMs: 10,
  prefillMsPerToken: 0.08,
  stepJitter: 0,
  defaultMaxTokens: 256,
  eosProbability: 0,
  fixedTtftMs: null,
  fixedItlMs: null,
  quirks: [],
  faults: {},
  faultAfterTokens: null,
  reasoningTokens: 8,
  reasoningField: 'reasoning_content',
  tokensPerEvent: 3,
  splitMaxBytes: 7,
  allowRequestQuirks: true,
  trace: false,
  prefixCache: true,
  prefixCacheTokens: null,
  blockSize: 16,
  toolCallProbability: 0,
  toolSteps: null,
  imageBaseTokens: 85,
  imageTileTokens: 170,
  imageTileSize: 512,
  audioTokensPerSecond: 25,
  loraModules: [],
  invalidRate: 0,
})

function check(name: string, v: number, min: number, integer = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new RangeError(`simulator option ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${v}`)
  }
}

/** Fill in the defaults and reject impossible values (RangeError). */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const o: ResolvedOptions = { ...SIMULATOR_DEFAULTS }
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v
  for (const k of ['decodeBaseMs', 'decodeMsPerSeq', 'prefillBaseMs', 'prefillMsPerToken', 'stepJitter'] as const) check(k, o[k], 0)
  for (const k of ['maxNumSeqs', 'maxNumBatchedTokens', 'maxModelLen', 'kvCacheTokens', 'defaultMaxTokens', 'tokensPerEvent', 'splitMaxBytes', 'blockSize'] as const) {
    check(k, o[k], 1, true)
  }
  check('port', o.port, 0, true)
  for (const k of ['imageBaseTokens', 'imageTileTokens', 'audioTokensPerSecond'] as const) check(k, o[k], 0)
  check('imageTileSize', o.imageTileSize, 1, true)
  if (!(o.invalidRate >= 0 && o.invalidRate <= 1)) throw new RangeError(`invalidRate must be in [0, 1], got ${o.invalidRate}`)
  if (!Array.isArray(o.loraModules) || !o.loraModules.every((m) => typeof m === 'string' && m !== '')) throw new RangeError('loraModules must be a list of names')
  check('reasoningTokens', o.reasoningTokens, 0, true)
  check('seed', o.seed, -Infinity, true)
  if (!(o.eosProbability >= 0 && o.eosProbability < 1)) throw new RangeError('eosProbability must be in [0, 1)')
  if ((o.fixedTtftMs === null) !== (o.fixedItlMs === null)) throw new RangeError('set both fixedTtftMs and fixedItlMs, or neither')
  if (o.fixedTtftMs !== null) check('fixedTtftMs', o.fixedTtftMs, 0)
  if (o.fixedItlMs !== null) check('fixedItlMs', o.fixedItlMs, 0)
  if (o.faultAfterTokens !== null) check('faultAfterTokens', o.faultAfterTokens, 1, true)
  if (o.prefixCacheTokens !== null) check('prefixCacheTokens', o.prefixCacheTokens, 1, true)
  if (o.toolSteps !== null) check('toolSteps', o.toolSteps, 1, true)
  if (!(o.toolCallProbability >= 0 && o.toolCallProbability <= 1)) throw new RangeError('toolCallProbability must be in [0, 1]')
  if (o.reasoningField !== 'reasoning_content' && o.reasoningField !== 'reasoning') throw new RangeError('bad reasoningField')
  for (const q of o.quirks) if (!(QUIRKS as readonly string[]).includes(q)) throw new RangeError(`unknown quirk ${q}`)
  for (const [f, p] of Object.entries(o.faults)) {
    if (!(FAULTS as readonly string[]).includes(f)) throw new RangeError(`unknown fault ${f}`)
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new RangeError(`fault ${f} probability must be in [0, 1]`)
  }
  return o
}
