import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { now } from '../src/clock.js'
import { computeStats } from '../src/metrics/stats.js'
import type { TelemetrySeries } from '../src/results/types.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { compareServerTtft, histogramDelta, metricsUrl, startTelemetry } from '../src/telemetry/sampler.js'
import { SeriesStore } from '../src/telemetry/series.js'
import { scraper } from '../src/telemetry/scrape.js'
import { MAX_EXPOSITION_BYTES } from '../src/telemetry/prometheus.js'
import { SERVER_METRICS } from '../src/telemetry/server-metrics.js'
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js'

const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

async function sim(options: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator({ port: 0, ...options })
  closers.push(() => s.close())
  return s
}

/** A plain server on 127.0.0.1 whose every GET is answered by `answer`. */
async function fakeServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer(answer)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A streamed chat request; the client's TTFT is the arrival of the first chunk with content. */
async function chat(url: string, maxTokens: number): Promise<number> {
  const sent = now()
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-model', messages: [{ role: 'user', content: 'Hello' }], max_tokens: maxTokens, ignore_eos: true, stream: true }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  })
  let first: number | undefined
  for await (const chunk of res.body) if (first === undefined && /"content":"[^"]/.test(String(chunk))) first = now()
  expect(res.statusCode).toBe(200)
  return first! - sent
}

/** `n` requests, `parallel` at a time; their client TTFTs. */
async function load(url: string, n: number, parallel: number, maxTokens: number): Promise<number[]> {
  const ttfts: number[] = []
  let next = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) {
      next++
      ttfts.push(await chat(url, maxTokens))
    }
  }))
  return ttfts
}

const byName = (series: TelemetrySeries[], name: string) => series.filter((s) => s.name === name)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('telemetry sampler', () => {
  it('samples the simulator during load: running and waiting requests, KV cache, tokens/s on one clock', async () => {
    const s = await sim({ maxNumSeqs: 3, decodeBaseMs: 15, decodeMsPerSeq: 0.1, prefillBaseMs: 2, prefillMsPerToken: 0.01 })
    const notices: string[] = []
    const startedAt = now()
    const sampler = startTelemetry({ server: `${s.url}/v1`, intervalMs: 100, onNotice: (l) => notices.push(l) })
    await load(s.url, 8, 6, 20)
    const series = await sampler.stop()
    const endedAt = now()
    expect(notices).toEqual([])
    for (const one of series) {
      expect(one.source).toBe('server')
      expect(one.points.length).toBeGreaterThan(0)
      for (let i = 0; i < one.points.length; i++) {
        expect(one.points[i][0]).toBeGreaterThanOrEqual(startedAt)
        expect(one.points[i][0]).toBeLessThanOrEqual(endedAt)
        if (i > 0) expect(one.points[i][0]).toBeGreaterThan(one.points[i - 1][0])
      }
    }
    const [running] = byName(series, 'vllm:num_requests_running')
    expect(running).toMatchObject({ label: 'running requests', unit: 'requests', labels: { model_name: 'sim-model' } })
    expect(Math.max(...running.points.map((p) => p[1]))).toBeGreaterThan(0)
    expect(Math.max(...running.points.map((p) => p[1]))).toBeLessThanOrEqual(3)
    expect(Math.max(...byName(series, 'vllm:num_requests_waiting')[0].points.map((p) => p[1]))).toBeGreaterThan(0)
    const [kv] = byName(series, 'vllm:kv_cache_usage_perc')
    expect(kv.unit).toBe('%')
    expect(Math.min(...kv.points.map((p) => p[1]))).toBeGreaterThanOrEqual(0)
    expect(Math.max(...kv.points.map((p) => p[1]))).toBeLessThanOrEqual(100)
    // The old name of the same gauge is dropped when the page has the new one.
    expect(byName(series, 'vllm:gpu_cache_usage_perc')).toEqual([])
    const [tokens] = byName(series, 'vllm:generation_tokens_total')
    expect(tokens.unit).toBe('tokens/s')
    expect(Math.max(...tokens.points.map((p) => p[1]))).toBeGreaterThan(0)
    // 3 sequences of a ~15 ms step make at most ~200 tokens/s; a rate far off would be a unit slip.
    expect(Math.max(...tokens.points.map((p) => p[1]))).toBeLessThan(1000)
  })

  it('takes the server TTFT histogram around a level and sets it beside the client TTFT', async () => {
    // Exact timing: every first token is written 130 ms after receive, in vLLM's (0.1, 0.25] s bucket.
    const s = await sim({ fixedTtftMs: 130, fixedItlMs: 5 })
    const sampler = startTelemetry({ server: s.url, intervalMs: 1000 })
    closers.push(() => sampler.stop())
    await load(s.url, 2, 2, 4) // before the level: must not count
    const start = await sampler.snapshotTtftHistogram()
    const ttfts = await load(s.url, 9, 3, 8)
    const end = await sampler.snapshotTtftHistogram()
    const delta = histogramDelta(start!, end!)
    expect(delta.count).toBe(9)
    const client = computeStats(ttfts)!
    const c = compareServerTtft(delta, client)!
    expect(c.serverCount).toBe(9)
    // Each server TTFT lies inside its client TTFT (received after the send, observed before the
    // write): the exact means order the same way; percentiles share the bucket's resolution.
    expect(c.serverMeanMs).toBeGreaterThanOrEqual(129)
    expect(c.differenceMeanMs).toBeGreaterThanOrEqual(0)
    expect(c.differenceMeanMs).toBeLessThan(100)
    expect(c.serverBucketsMs.p50).toEqual([100, 250])
    expect(c.serverP50Ms).toBeGreaterThanOrEqual(100)
    expect(c.serverP99Ms).toBeLessThanOrEqual(250)
    expect(client.p50).toBeGreaterThanOrEqual(c.serverBucketsMs.p50[0])
    expect(client.p50).toBeLessThanOrEqual(c.serverBucketsMs.p50[1]!)
    expect(c.differenceP50Ms).toBeCloseTo(client.p50 - c.serverP50Ms, 2)
  })

  it('skips a server without /metrics, refusing, or answering HTML with exactly one notice each', async () => {
    const notFound = await fakeServer((_req, res) => res.writeHead(404).end('{"detail":"Not Found"}'))
    const html = await fakeServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'))
    const garbage = await fakeServer((_req, res) => res.writeHead(200).end('<<<>>>\n\0\0\0'))
    const unknown = await fakeServer((_req, res) => res.writeHead(200).end('process_cpu_seconds_total 1.5\n'))
    const refused = await fakeServer(() => {})
    await closers.pop()!()
    const notices: string[][] = []
    const samplers = [notFound, html, garbage, unknown, refused].map((server, i) => {
      notices[i] = []
      return startTelemetry({ server, intervalMs: 100, onNotice: (l) => notices[i].push(l) })
    })
    await sleep(450)
    expect(await samplers[0].snapshotTtftHistogram()).toBeNull()
    for (const sm of samplers) expect(await sm.stop()).toEqual([])
    expect(notices.map((n) => n.length)).toEqual([1, 1, 1, 1, 1])
    expect(notices[0][0]).toBe(`server telemetry: ${notFound}/metrics not available (HTTP 404); skipped`)
    expect(notices[1][0]).toContain('(not Prometheus text: text/html)')
    expect(notices[2][0]).toContain('(not Prometheus text)')
    expect(notices[3][0]).toContain('(none of the vLLM, SGLang or TGI metrics llmbench knows)')
    expect(notices[4][0]).toBe(`server telemetry: ${refused}/metrics not available (connection refused); skipped`)
  })

  it('sends the auth headers to /metrics without keeping them, and reads SGLang names', async () => {
    const seen: string[] = []
    const page = [
      'sglang:num_running_reqs{model_name="m"} 5.0',
      'sglang:num_queue_reqs{model_name="m"} 2.0',
      'sglang:token_usage{model_name="m"} 0.25',
      'sglang:time_to_first_token_seconds_bucket{le="0.1",model_name="m"} 3.0',
      'sglang:time_to_first_token_seconds_bucket{le="+Inf",model_name="m"} 4.0',
      'sglang:time_to_first_token_seconds_sum{model_name="m"} 0.5',
      'sglang:time_to_first_token_seconds_count{model_name="m"} 4.0',
    ].join('\n')
    const url = await fakeServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`)
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(page)
    })
    const secret = 'Bearer sk-telemetry-secret'
    const sampler = startTelemetry({ server: `http://u:pw@${url.slice(7)}/`, intervalMs: 100, headers: { authorization: secret } })
    const hist = await sampler.snapshotTtftHistogram()
    const series = await sampler.stop()
    expect(seen[0]).toBe(`/metrics ${secret}`)
    expect(hist).toEqual({ buckets: [[0.1, 3], [Infinity, 4]], sum: 0.5, count: 4 })
    expect(series.map((s) => [s.label, s.points[0][1]])).toEqual([['running requests', 5], ['waiting requests', 2], ['KV-cache usage', 25]])
    expect(JSON.stringify(series)).not.toContain('sk-telemetry')
    expect(metricsUrl('http://h:8000/v1/')).toBe('http://h:8000/metrics')
  })

  it('samples GPUs through nvidia-smi, or says once that there is none', async () => {
    const s = await sim({})
    const saved = process.env.LLMBENCH_NVIDIA_SMI
    closers.push(async () => { if (saved === undefined) delete process.env.LLMBENCH_NVIDIA_SMI; else process.env.LLMBENCH_NVIDIA_SMI = saved })
    process.env.LLMBENCH_NVIDIA_SMI = fakeNvidiaSmi()
    const sampler = startTelemetry({ server: s.url, intervalMs: 100, gpu: true })
    await sleep(350)
    const gpu = (await sampler.stop()).filter((x) => x.source === 'gpu')
    expect(gpu).toHaveLength(8)
    const util0 = gpu.find((x) => x.name === 'utilization.gpu' && x.labels?.gpu === '0')!
    expect(util0).toMatchObject({ label: 'GPU utilisation', unit: '%' })
    expect(util0.points.length).toBeGreaterThanOrEqual(1)
    expect(util0.points[0][1]).toBe(37)
    expect(gpu.find((x) => x.name === 'power.draw' && x.labels?.gpu === '1')!.points[0][1]).toBe(70.1)

    process.env.LLMBENCH_NVIDIA_SMI = '/nonexistent/nvidia-smi'
    const notices: string[] = []
    const none = startTelemetry({ server: s.url, intervalMs: 100, gpu: true, onNotice: (l) => notices.push(l) })
    await sleep(350)
    expect((await none.stop()).filter((x) => x.source === 'gpu')).toEqual([])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/^GPU telemetry: nvidia-smi not available \(nvidia-smi was not found.*\); skipped$/)
  })

  it('samples GPUs from a DCGM exporter page', async () => {
    const s = await sim({})
    const dcgm = await fakeServer((req, res) => {
      if (req.url !== '/metrics') return res.writeHead(404).end()
      const l = (gpu: number) => `gpu="${gpu}",UUID="GPU-${gpu}",device="nvidia${gpu}",modelName="NVIDIA H100 80GB HBM3",Hostname="node-1"`
      res.writeHead(200).end([0, 1].map((g) => [
        `DCGM_FI_DEV_GPU_UTIL{${l(g)}} ${50 + g}`, `DCGM_FI_DEV_FB_USED{${l(g)}} 40000`,
        `DCGM_FI_DEV_POWER_USAGE{${l(g)}} 350.5`, `DCGM_FI_DEV_GPU_TEMP{${l(g)}} 61`, `DCGM_FI_DEV_SM_CLOCK{${l(g)}} 1980`,
      ].join('\n')).join('\n'))
    })
    const sampler = startTelemetry({ server: s.url, intervalMs: 100, gpu: { dcgmUrl: dcgm } })
    await sleep(250)
    const gpu = (await sampler.stop()).filter((x) => x.source === 'gpu')
    expect(gpu.map((x) => `${x.name} ${x.labels?.gpu} ${x.points[0][1]}`).sort()).toEqual([
      'DCGM_FI_DEV_FB_USED 0 40000', 'DCGM_FI_DEV_FB_USED 1 40000', 'DCGM_FI_DEV_GPU_TEMP 0 61', 'DCGM_FI_DEV_GPU_TEMP 1 61',
      'DCGM_FI_DEV_GPU_UTIL 0 50', 'DCGM_FI_DEV_GPU_UTIL 1 51', 'DCGM_FI_DEV_POWER_USAGE 0 350.5', 'DCGM_FI_DEV_POWER_USAGE 1 350.5',
    ])
  })

  it('reads only the first 4 MiB of a huge page, and a page that never ends costs one deadline', async () => {
    const line = 'vllm:num_requests_running{model_name="m"} 7\n'
    const huge = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))
    const url = await fakeServer((_req, res) => res.writeHead(200).end(huge))
    const page = await scraper(`${url}/metrics`, { timeoutMs: 2000 }).get()
    expect(page.truncated).toBe(true)
    expect(Buffer.byteLength(page.text)).toBe(MAX_EXPOSITION_BYTES)
    const sampler = startTelemetry({ server: url, intervalMs: 200 })
    await sleep(300)
    const [running] = await sampler.stop()
    expect(running.points[0][1]).toBe(7)

    const slow = await fakeServer((_req, res) => { res.writeHead(200); res.write('vllm:num_requests_running 1\n') })
    const notices: string[] = []
    const started = now()
    const stalled = startTelemetry({ server: slow, intervalMs: 100, timeoutMs: 300, onNotice: (l) => notices.push(l) })
    await sleep(100)
    expect(await stalled.stop()).toEqual([])
    expect(now() - started).toBeLessThan(2000)
    expect(notices).toEqual([`server telemetry: ${slow}/metrics not available (no answer within 0.3 s); skipped`])
  })

  it('bounds each series: a full one keeps every other point and stays evenly spaced', () => {
    const store = new SeriesStore('server', 8)
    const gauge = SERVER_METRICS.vllm[0]
    for (let i = 0; i < 100; i++) store.add(i, [{ metric: gauge, labels: {}, value: i }])
    const [one] = store.series()
    expect(one.points.length).toBeLessThanOrEqual(8)
    const gaps = new Set(one.points.slice(1).map((p, i) => p[0] - one.points[i][0]))
    expect(gaps.size).toBe(1)
    expect(one.points[one.points.length - 1][0]).toBeGreaterThanOrEqual(80)
  })
})
