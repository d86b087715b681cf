/** The simulator's numeric options and their command-line flags: one table for the CLI and the spawner. */
import type { SimulatorOptions } from './options.js'

export const NUMERIC_FLAGS: Array<[flag: string, option: keyof SimulatorOptions, describe: string]> = [
  ['seed', 'seed', 'Seed of every random choice'],
  ['max-num-seqs', 'maxNumSeqs', 'Most sequences decoding at once; the rest wait'],
  ['max-num-batched-tokens', 'maxNumBatchedTokens', 'Tokens one step may process (spreads a large prefill over steps)'],
  ['max-model-len', 'maxModelLen', 'Context length (prompt + max_tokens)'],
  ['kv-cache-tokens', 'kvCacheTokens', 'KV-cache capacity in tokens'],
  ['decode-base-ms', 'decodeBaseMs', 'Fixed cost of a decode step (ms)'],
  ['decode-ms-per-seq', 'decodeMsPerSeq', 'Added to a decode step per running sequence (ms)'],
  ['prefill-base-ms', 'prefillBaseMs', 'Fixed cost of a step that prefills new sequences (ms)'],
  ['prefill-ms-per-token', 'prefillMsPerToken', 'Added to that step per prompt token (ms)'],
  ['step-jitter', 'stepJitter', 'Noise: each step takes a seeded lognormal factor of mean 1 and this log-sd (0.1 ≈ ±10%)'],
  ['default-max-tokens', 'defaultMaxTokens', 'Output length when a request sets no max_tokens'],
  ['eos-probability', 'eosProbability', 'Chance per token to stop early (not with ignore_eos)'],
  ['fixed-ttft-ms', 'fixedTtftMs', 'Exact timing: first token this long after receive, whatever the load'],
  ['fixed-itl-ms', 'fixedItlMs', 'Exact timing: one token event every this many ms'],
  ['fault-after-tokens', 'faultAfterTokens', 'Tokens written before an in-stream fault'],
  ['reasoning-tokens', 'reasoningTokens', 'With the reasoning quirk: leading reasoning tokens'],
  ['tokens-per-event', 'tokensPerEvent', 'With the multi-token quirk: tokens per event'],
  ['prefix-cache-tokens', 'prefixCacheTokens', 'Prefix cache capacity in tokens (default: the KV-cache capacity)'],
  ['block-size', 'blockSize', 'Tokens per prefix-cache block'],
  ['tool-call-probability', 'toolCallProbability', 'Chance that a request offering tools (tool_choice auto) is answered with a tool call'],
  ['tool-steps', 'toolSteps', 'Requests a tool-using task needs: each one before the last is answered with a tool call'],
  ['image-base-tokens', 'imageBaseTokens', 'Prompt tokens of every image (OpenAI: 85)'],
  ['image-tile-tokens', 'imageTileTokens', 'Prompt tokens per tile of an image (OpenAI: 170)'],
  ['image-tile-size', 'imageTileSize', 'Side of an image tile in pixels'],
  ['audio-tokens-per-second', 'audioTokensPerSecond', 'Prompt tokens per second of audio'],
  ['invalid-rate', 'invalidRate', 'Chance that a structured answer (response_format, tools) is invalid on purpose'],
]

/** The `llmbench simulate` flags that start a simulator with these options. */
export function simulatorArgs(o: SimulatorOptions): string[] {
  const args: string[] = []
  if (o.port !== undefined) args.push('--port', String(o.port))
  if (o.host !== undefined) args.push('--host', o.host)
  if (o.model !== undefined) args.push('--model', o.model)
  for (const [flag, option] of NUMERIC_FLAGS) {
    const v = o[option]
    if (typeof v === 'number') args.push(`--${flag}`, String(v))
  }
  if (o.reasoningField) args.push('--reasoning-field', o.reasoningField)
  if (o.loraModules?.length) args.push('--lora-modules', o.loraModules.join(','))
  if (o.trace) args.push('--trace')
  if (o.prefixCache === false) args.push('--no-prefix-cache')
  if (o.quirks?.length) args.push('--quirks', o.quirks.join(','))
  for (const [fault, p] of Object.entries(o.faults ?? {})) args.push('--fault', `${fault}=${p}`)
  return args
}
