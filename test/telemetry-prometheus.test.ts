import { describe, expect, it } from 'vitest'
import { MAX_EXPOSITION_BYTES, MAX_SAMPLES, parsePrometheus, parseValue } from '../src/telemetry/prometheus.js'
import { compareServerTtft, histogramDelta, histogramOf, histogramQuantile } from '../src/telemetry/histogram.js'
import { acceptServerSample } from '../src/telemetry/server-metrics.js'

// Shaped like vLLM 0.10's page: prometheus_client's float formatting, two engines, process metrics.
const VLLM = `# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 12345.0
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-14B"} 12.0
vllm:num_requests_running{engine="1",model_name="Qwen/Qwen3-14B"} 3.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-14B"} 0.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-14B"} 0.4375
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="Qwen/Qwen3-14B"} 1.2e+06
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_sum{engine="0",model_name="Qwen/Qwen3-14B"} 9.5
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.04",model_name="Qwen/Qwen3-14B"} 0.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="Qwen/Qwen3-14B"} 40.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.25",model_name="Qwen/Qwen3-14B"} 90.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-14B"} 100.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="Qwen/Qwen3-14B"} 100.0
`

describe('Prometheus text parser', () => {
  it('reads a vLLM page: gauges, counters, histogram lines, TYPE lines, and drops what was not asked for', () => {
    const exp = parsePrometheus(VLLM, { accept: acceptServerSample })
    expect(exp.badLines).toBe(0)
    expect(exp.sampleLines).toBe(12)
    expect(exp.samples.some((s) => s.name.startsWith('python_'))).toBe(false)
    expect(exp.samples[0]).toEqual({ name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'Qwen/Qwen3-14B' }, value: 12 })
    expect(exp.samples.find((s) => s.name === 'vllm:generation_tokens_total')?.value).toBe(1.2e6)
    expect(exp.types.get('vllm:time_to_first_token_seconds')).toBe('histogram')
    expect(exp.types.has('python_gc_objects_collected_total')).toBe(false)
    expect(parsePrometheus(VLLM).samples).toHaveLength(12)
  })

  it('unescapes label values and reads NaN, ±Inf, timestamps, CRLF, spacing and exemplars', () => {
    const text = [
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'a{} NaN',
      'b +Inf 1395066363000',
      'c{x="}{,=#"  ,  y = "2",} -Inf',
      'd_total 17 # {trace_id="abc"} 1.0 1700000000.0',
      '   e\t42\r',
    ].join('\n')
    const exp = parsePrometheus(text)
    expect(exp.badLines).toBe(0)
    const [m, a, b, c, d, e] = exp.samples
    expect(m.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' })
    expect(m.value).toBe(1458255915)
    expect(a.value).toBeNaN()
    expect(b).toEqual({ name: 'b', labels: {}, value: Infinity, timestampMs: 1395066363000 })
    expect(c.labels).toEqual({ x: '}{,=#', y: '2' })
    expect(c.value).toBe(-Infinity)
    expect(d.value).toBe(17)
    expect(e).toEqual({ name: 'e', labels: {}, value: 42 })
  })

  it('skips garbage lines and keeps the good ones around them', () => {
    const text = [
      '<html><body>404</body></html>', 'ok 1', 'x{a="unterminated} 1', 'y{a=1} 2', 'z 1 2 3', 'w abc',
      '{"detail":"Not Found"}', 'v{__proto__="p"} 3', `t{${Array.from({ length: 70 }, (_, i) => `l${i}="v"`).join(',')}} 1`, 'q 0x1F', 'u 1e400', '\u0000\u0001', '# TYPE', 'r{a="b"}',
    ].join('\n')
    const exp = parsePrometheus(text)
    expect(exp.samples.map((s) => s.name)).toEqual(['ok', 'v', 'u'])
    expect(exp.samples[1].labels.__proto__).toBe('p')
    expect(({} as Record<string, unknown>).p).toBeUndefined()
    expect(exp.samples[2].value).toBe(Infinity)
    expect(exp.badLines).toBe(10)
    expect(parseValue('')).toBeUndefined()
    expect(parsePrometheus('{"error": "nope"}').sampleLines).toBe(0)
  })

  it('caps a 10 MB body at whole lines before the cap', () => {
    const line = 'vllm:num_requests_running{model_name="m"} 1\n'
    const huge = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))
    const started = performance.now()
    const exp = parsePrometheus(huge, { accept: acceptServerSample, maxSamples: Infinity })
    expect(performance.now() - started).toBeLessThan(5000)
    expect(exp.truncated).toBe(true)
    expect(exp.samples.length).toBe(Math.floor(MAX_EXPOSITION_BYTES / line.length))
    expect(exp.badLines).toBe(0)
    // A page with more known samples than any server has stops being read at MAX_SAMPLES.
    const capped = parsePrometheus(huge, { accept: acceptServerSample })
    expect(capped.samples).toHaveLength(MAX_SAMPLES)
    expect(capped.truncated).toBe(true)
    const oneLine = parsePrometheus('x'.repeat(10 * 1024 * 1024))
    expect(oneLine.truncated).toBe(true)
    expect(oneLine.samples).toHaveLength(0)
  })
})

describe('histograms', () => {
  const page = (b: number[], sum: number) => {
    const les = ['0.04', '0.1', '0.25', '+Inf']
    return les.map((le, i) => `h_bucket{le="${le}",model_name="m"} ${b[i]}`).join('\n') + `\nh_sum{model_name="m"} ${sum}\nh_count{model_name="m"} ${b[3]}\n`
  }

  it('reads a histogram, sums label sets, and finds percentiles as histogram_quantile does', () => {
    const h = histogramOf(parsePrometheus(VLLM).samples, 'vllm:time_to_first_token_seconds')!
    expect(h.count).toBe(100)
    expect(h.buckets).toEqual([[0.04, 0], [0.1, 40], [0.25, 90], [Infinity, 100]])
    // rank 50 falls in (0.1, 0.25]: 10 of its 50 → 0.1 + 0.15 · 10/50
    expect(histogramQuantile(0.5, h)!.value).toBeCloseTo(0.13, 10)
    expect(histogramQuantile(0.2, h)!.value).toBeCloseTo(0.04 + 0.06 * 0.5, 10)
    // In the +Inf bucket: the highest finite bound, as Prometheus answers.
    expect(histogramQuantile(0.99, h)).toEqual({ value: 0.25, lower: 0.25, upper: Infinity })
    const two = histogramOf(parsePrometheus(page([0, 1, 2, 2], 0.3) + page([1, 1, 1, 1], 0.01)).samples, 'h')!
    expect(two.buckets).toEqual([[0.04, 1], [0.1, 2], [0.25, 3], [Infinity, 3]])
    expect(histogramOf([], 'h')).toBeNull()
  })

  it('takes the difference of two scrapes and compares it with the client', () => {
    const a = histogramOf(parsePrometheus(page([5, 10, 10, 10], 0.5)).samples, 'h')!
    const b = histogramOf(parsePrometheus(page([5, 30, 60, 60], 7.5)).samples, 'h')!
    const d = histogramDelta(a, b)
    expect(d).toEqual({ buckets: [[0.04, 0], [0.1, 20], [0.25, 50], [Infinity, 50]], sum: 7, count: 50 })
    const c = compareServerTtft(d, { count: 50, mean: 150, p50: 130, p90: 240, p99: 260 })!
    expect(c.serverMeanMs).toBe(140)
    expect(c.differenceMeanMs).toBe(10)
    expect(c.serverP50Ms).toBeCloseTo(125, 6) // rank 25: 5 of 30 into (0.1, 0.25]
    expect(c.serverBucketsMs.p50).toEqual([100, 250])
    expect(c.serverBucketsMs.p99).toEqual([100, 250])
    expect(c.differenceP50Ms).toBeCloseTo(5, 6)
    expect(compareServerTtft(histogramDelta(a, a), { count: 1, mean: 1, p50: 1, p90: 1, p99: 1 })).toBeNull()
    // A restarted server's counters fall: the later scrape alone is the level.
    expect(histogramDelta(b, a)).toBe(a)
  })
})
