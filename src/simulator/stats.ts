/**
 * Server-side counters, the trace of write times, and the Prometheus text of `GET /metrics` with
 * vLLM's metric names.
 */
import type { PrefixCacheCounters } from './prefix-cache.js'

export interface TraceEntry {
  /** The server's now() when the request arrived. */
  receivedAt: number
  /** now() at each write of a token-carrying event. */
  tokenWrites: number[]
  /** Tokens carried by each of those writes. */
  tokensPerWrite: number[]
  /** Generation requests: the request body as received, its `x-session-id` header, the prompt
   * tokens found in the prefix cache, and (once it completes) the answer as the next turn of the
   * conversation carries it: its text, or its tool call's name and arguments. */
  body?: unknown
  sessionId?: string
  cachedTokens?: number
  reply?: string
  /** Request kinds (docs/request-kinds.md): the adapter named, the images and clips received with their prompt tokens. */
  adapter?: string
  images?: Array<{ width: number; height: number; bytes: number; tokens: number; url?: string }>
  audio?: Array<{ seconds: number; bytes: number; tokens: number; url?: string }>
}

/** vLLM's buckets for time_to_first_token_seconds. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560]

export class Histogram {
  readonly counts = new Array<number>(TTFT_BUCKETS.length).fill(0)
  sum = 0
  count = 0
  observe(v: number): void {
    this.sum += v
    this.count++
    for (let i = 0; i < TTFT_BUCKETS.length; i++) if (v <= TTFT_BUCKETS[i]) { this.counts[i]++; break }
  }
}

export interface Counters {
  /** Generation requests that reached the server, whatever became of them. */
  received: number
  /** Requests that received every token. */
  completed: number
  /** Requests whose client went away early. */
  aborted: number
  /** Requests ended by a fault (HTTP error, stream-error, cut). */
  failed: number
  /** Requests held by the `stall` fault. */
  stalled: number
  promptTokens: number
  generationTokens: number
  ttft: Histogram
}

export function newCounters(): Counters {
  return { received: 0, completed: 0, aborted: 0, failed: 0, stalled: 0, promptTokens: 0, generationTokens: 0, ttft: new Histogram() }
}

export interface Gauges { running: number; waiting: number; kvUsage: number }

/** Prometheus text exposition (format 0.0.4). */
export function prometheusText(model: string, c: Counters, g: Gauges, cache?: PrefixCacheCounters): string {
  const l = `model_name="${model.replace(/["\\\n]/g, '_')}"`
  const lines: string[] = []
  const one = (name: string, type: string, help: string, value: number, sample = name): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${sample}{${l}} ${value}`)
  }
  one('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', g.running)
  one('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', g.waiting)
  one('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', g.kvUsage)
  one('vllm:gpu_cache_usage_perc', 'gauge', 'GPU KV-cache usage (name before vLLM 0.10).', g.kvUsage)
  one('vllm:prompt_tokens', 'counter', 'Number of prefill tokens processed.', c.promptTokens, 'vllm:prompt_tokens_total')
  one('vllm:generation_tokens', 'counter', 'Number of generation tokens processed.', c.generationTokens, 'vllm:generation_tokens_total')
  one('vllm:request_success', 'counter', 'Count of successfully processed requests.', c.completed, 'vllm:request_success_total')
  if (cache) {
    one('vllm:prefix_cache_queries', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', cache.queries, 'vllm:prefix_cache_queries_total')
    one('vllm:prefix_cache_hits', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', cache.hits, 'vllm:prefix_cache_hits_total')
  }
  const h = 'vllm:time_to_first_token_seconds'
  lines.push(`# HELP ${h} Histogram of time to first token in seconds.`, `# TYPE ${h} histogram`)
  let cum = 0
  for (let i = 0; i < TTFT_BUCKETS.length; i++) {
    cum += c.ttft.counts[i]
    lines.push(`${h}_bucket{${l},le="${Number.isInteger(TTFT_BUCKETS[i]) ? TTFT_BUCKETS[i].toFixed(1) : TTFT_BUCKETS[i]}"} ${cum}`)
  }
  lines.push(`${h}_bucket{${l},le="+Inf"} ${c.ttft.count}`, `${h}_sum{${l}} ${c.ttft.sum}`, `${h}_count{${l}} ${c.ttft.count}`)
  return lines.join('\n') + '\n'
}
