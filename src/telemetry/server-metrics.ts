/**
 * The `/metrics` names llmbench samples, per server family, with what they mean. Only these are
 * parsed (a vLLM page has hundreds of lines). Sources: vLLM's metrics docs (names since 0.6, and
 * v1's kv_cache_usage_perc that replaced gpu_cache_usage_perc in 0.10), SGLang's production
 * metrics docs (`--enable-metrics`), TGI's metrics reference. The simulator speaks vLLM's names.
 */

export interface KnownMetric {
  /** The sample name as exposed (counters with their _total suffix). */
  name: string
  label: string
  unit?: string
  /** gauge: recorded as read; rate: a counter, recorded as its increase per second between samples. */
  kind: 'gauge' | 'rate'
  /** Multiplier to the recorded unit (fractions to %). */
  scale?: number
  /** A newer name for the same quantity: when the page has both, this one is dropped. */
  supersededBy?: string
}

const gauge = (name: string, label: string, unit?: string, scale?: number, supersededBy?: string): KnownMetric =>
  ({ name, label, unit, kind: 'gauge', scale, supersededBy })
const rate = (name: string, label: string, unit: string): KnownMetric => ({ name, label, unit, kind: 'rate' })

export const SERVER_METRICS: Record<'vllm' | 'sglang' | 'tgi', KnownMetric[]> = {
  vllm: [
    gauge('vllm:num_requests_running', 'running requests', 'requests'),
    gauge('vllm:num_requests_waiting', 'waiting requests', 'requests'),
    gauge('vllm:kv_cache_usage_perc', 'KV-cache usage', '%', 100),
    gauge('vllm:gpu_cache_usage_perc', 'KV-cache usage', '%', 100, 'vllm:kv_cache_usage_perc'),
    rate('vllm:prompt_tokens_total', 'prompt tokens/s', 'tokens/s'),
    rate('vllm:generation_tokens_total', 'generated tokens/s', 'tokens/s'),
    rate('vllm:num_preemptions_total', 'preemptions/s', '1/s'),
  ],
  sglang: [
    gauge('sglang:num_running_reqs', 'running requests', 'requests'),
    gauge('sglang:num_queue_reqs', 'waiting requests', 'requests'),
    gauge('sglang:token_usage', 'KV-cache usage', '%', 100),
    rate('sglang:prompt_tokens_total', 'prompt tokens/s', 'tokens/s'),
    rate('sglang:generation_tokens_total', 'generated tokens/s', 'tokens/s'),
  ],
  // TGI has no TTFT histogram (tgi_request_queue_duration is only the queue's part of it), and
  // counts generated tokens when a request ends, which makes no per-second rate.
  tgi: [
    gauge('tgi_batch_current_size', 'running requests', 'requests'),
    gauge('tgi_queue_size', 'waiting requests', 'requests'),
  ],
}

/** Server-side TTFT histograms (seconds), in order of preference. */
export const TTFT_HISTOGRAMS = ['vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds']

const BY_NAME = new Map(Object.values(SERVER_METRICS).flat().map((m) => [m.name, m]))
const HISTOGRAM_SAMPLES = new Set(TTFT_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]))

export function knownServerMetric(name: string): KnownMetric | undefined {
  return BY_NAME.get(name)
}

/** The parser's filter: a known gauge, counter or TTFT histogram sample. */
export const acceptServerSample = (name: string): boolean => BY_NAME.has(name) || HISTOGRAM_SAMPLES.has(name)
