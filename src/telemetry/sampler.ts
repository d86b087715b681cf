/**
 * Samples a server's Prometheus `/metrics` and the GPUs at a set interval during a run, into the
 * result's telemetry series (times on clock.ts, as the records'), and scrapes the server's TTFT
 * histogram on demand so a level's server-side TTFT can be set beside the client's.
 *
 * Sampling must not disturb the load: one scrape at a time per source (a tick is skipped while
 * the previous one runs), a short deadline, only the known metric lines parsed, unref'd timers.
 * A source that is missing (404, refused, not Prometheus text, no nvidia-smi) is dropped after
 * one notice; a source that answered before is only dropped after MAX_FAILURES misses in a row.
 */
import type { TelemetrySeries } from '../results/types.js'
import { terminalLine } from '../text/sanitize.js'
import { readDcgm, readNvidiaSmi } from './gpu-sources.js'
import { histogramOf, type Histogram } from './histogram.js'
import { parsePrometheus } from './prometheus.js'
import { scraper, type Scraper } from './scrape.js'
import { SeriesStore, type Reading } from './series.js'
import { acceptServerSample, knownServerMetric, TTFT_HISTOGRAMS } from './server-metrics.js'
import { isPrefixCacheSample, prefixCacheOf, type PrefixCacheReading } from './prefix-cache.js'

export { compareServerTtft, histogramDelta, histogramQuantile, type Histogram } from './histogram.js'
export { prefixCacheShare, type PrefixCacheReading } from './prefix-cache.js'
export type { ServerTtftComparison } from '../results/types.js'

export interface TelemetryOptions {
  /** The server's base URL (a trailing /v1 is dropped): its page is <server>/metrics. */
  server: string
  intervalMs?: number
  /** true: nvidia-smi on this machine; { dcgmUrl }: an NVIDIA DCGM exporter (port 9400, /metrics). */
  gpu?: boolean | { dcgmUrl: string }
  /** Sent with each /metrics request (an API key); never stored. */
  headers?: Record<string, string>
  /** One line per missing or lost source. */
  onNotice?: (line: string) => void
  /** Per-request deadline (default 2000 ms). */
  timeoutMs?: number
  /** Points kept per series before it is thinned by half (default 100,000). */
  maxPoints?: number
}

export interface TelemetrySampler {
  /** Stops sampling (waiting for a scrape under way) and hands back the series that have points. */
  stop(): Promise<TelemetrySeries[]>
  /**
   * Scrapes the server now (after any scrape under way) and returns its cumulative TTFT
   * histogram; null when the server exposes none or its page is not available.
   */
  snapshotTtftHistogram(): Promise<Histogram | null>
  /**
   * Energy (docs/request-kinds.md): samples the GPUs now (after any sample under way) and hands
   * back their series so far, or why there are none (GPU telemetry off, or its source dropped).
   */
  gpuNow(): Promise<{ series: TelemetrySeries[]; missing?: string }>
  /**
   * Scrapes the server now and returns what a level's figures are computed from at its start and
   * end: the TTFT histogram and the prefix cache's counters or gauges (each null when the server
   * has none); null when the page is not available.
   */
  snapshot(): Promise<ServerSnapshot | null>
}

export interface ServerSnapshot {
  ttft: Histogram | null
  prefixCache: PrefixCacheReading | null
}

export const DEFAULT_INTERVAL_MS = 1000
export const MIN_INTERVAL_MS = 100
const MAX_FAILURES = 5

interface Sample { at: number; readings: Reading[]; ttft?: Histogram | null; prefixCache?: PrefixCacheReading | null }

class Source {
  active = true
  samples = 0
  /** The notice that dropped it. */
  dropped: string | undefined
  private failures = 0
  private chain: Promise<unknown> = Promise.resolve()
  private pending = 0

  constructor(
    readonly what: string,
    private readonly read: () => Promise<Sample>,
    readonly store: SeriesStore,
    private readonly notice: (line: string) => void,
  ) {}

  /** A periodic tick: skipped while a scrape is queued or running. */
  tick(): void {
    if (this.active && this.pending === 0) void this.run()
  }

  /** Runs a scrape after those queued; resolves to its sample, or null when it failed. */
  run(): Promise<Sample | null> {
    this.pending++
    const next = this.chain.then(() => this.once()).finally(() => this.pending--)
    this.chain = next
    return next
  }

  idle(): Promise<unknown> {
    return this.chain
  }

  private async once(): Promise<Sample | null> {
    if (!this.active) return null
    try {
      const s = await this.read()
      if (!this.active) return null
      this.store.add(s.at, s.readings)
      this.samples++
      this.failures = 0
      return s
    } catch (e) {
      // A reason may quote the server (its content type): one clean line.
      const reason = terminalLine((e as Error).message, 200)
      if (this.samples === 0) this.drop(`${this.what} not available (${reason}); skipped`)
      else if (++this.failures >= MAX_FAILURES) this.drop(`${this.what} stopped answering (${reason}) after ${this.samples} samples; skipped from here`)
      return null
    }
  }

  private drop(line: string): void {
    if (!this.active) return
    this.active = false
    this.dropped = line
    this.notice(line)
  }
}

/** <server>/metrics, whether the user gave the root or the /v1 base. */
export function metricsUrl(server: string): string {
  return `${server.replace(/\/+$/, '').replace(/\/v1$/, '')}/metrics`
}

function dcgmPageUrl(url: string): string {
  return /^[a-z]+:\/\/[^/]+\/?$/i.test(url) ? `${url.replace(/\/$/, '')}/metrics` : url
}

function readServer(page: Scraper): () => Promise<Sample> {
  let family: string | undefined
  return async () => {
    const { at, text } = await page.get()
    const exp = parsePrometheus(text, { accept: (name) => acceptServerSample(name) || isPrefixCacheSample(name) })
    if (!exp.sampleLines) throw new Error('not Prometheus text')
    const readings: Reading[] = []
    for (const s of exp.samples) {
      const metric = knownServerMetric(s.name)
      if (metric) readings.push({ metric, labels: s.labels, value: s.value })
    }
    family ??= TTFT_HISTOGRAMS.find((h) => exp.samples.some((s) => s.name === `${h}_count`))
    const ttft = family ? histogramOf(exp.samples, family) : null
    const prefixCache = prefixCacheOf(exp.samples)
    if (!readings.length && !ttft && !prefixCache) throw new Error('none of the vLLM, SGLang or TGI metrics llmbench knows')
    return { at, readings, ttft, prefixCache }
  }
}

export function startTelemetry(opts: TelemetryOptions): TelemetrySampler {
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS
  if (!(intervalMs >= MIN_INTERVAL_MS) || !Number.isFinite(intervalMs)) {
    throw new RangeError(`telemetry interval must be at least ${MIN_INTERVAL_MS} ms (got ${intervalMs})`)
  }
  const timeoutMs = opts.timeoutMs ?? 2000
  const notice = opts.onNotice ?? (() => {})
  const pages: Scraper[] = []
  const page = (url: string, headers?: Record<string, string>) => {
    const p = scraper(url, { headers, timeoutMs })
    pages.push(p)
    return p
  }

  const serverPage = page(metricsUrl(opts.server), opts.headers)
  const server = new Source(`server telemetry: ${serverPage.shown}`, readServer(serverPage), new SeriesStore('server', opts.maxPoints), notice)
  const sources = [server]
  let gpuSource: Source | undefined
  if (opts.gpu) {
    const store = new SeriesStore('gpu', opts.maxPoints)
    if (opts.gpu === true) {
      gpuSource = new Source('GPU telemetry: nvidia-smi', readNvidiaSmi, store, notice)
    } else {
      const dcgm = page(dcgmPageUrl(opts.gpu.dcgmUrl))
      gpuSource = new Source(`GPU telemetry: ${dcgm.shown}`, () => readDcgm(dcgm), store, notice)
    }
    sources.push(gpuSource)
  }

  const timers = sources.map((s) => {
    s.tick()
    const t = setInterval(() => s.tick(), intervalMs)
    t.unref()
    return t
  })

  let stopping: Promise<TelemetrySeries[]> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t)
        // A scrape under way may end the series; one stuck (nvidia-smi hung) must not hold the run.
        let wait: NodeJS.Timeout | undefined
        const deadline = new Promise((resolve) => { wait = setTimeout(resolve, timeoutMs) })
        await Promise.race([Promise.all(sources.map((s) => s.idle())), deadline])
        clearTimeout(wait)
        for (const s of sources) s.active = false
        await Promise.all(pages.map((p) => p.close()))
        return sources.flatMap((s) => s.store.series())
      })()
      return stopping
    },
    async snapshotTtftHistogram() {
      if (stopping || !server.active) return null
      return (await server.run())?.ttft ?? null
    },
    async gpuNow() {
      if (!gpuSource) return { series: [], missing: 'no GPU telemetry: it samples local GPUs only when the server is on this machine (--gpu-telemetry, or --dcgm-url for another machine)' }
      if (!stopping && gpuSource.active) await gpuSource.run()
      const series = gpuSource.store.series()
      return series.length || !gpuSource.dropped ? { series } : { series, missing: gpuSource.dropped }
    },
    async snapshot() {
      if (stopping || !server.active) return null
      const s = await server.run()
      return s ? { ttft: s.ttft ?? null, prefixCache: s.prefixCache ?? null } : null
    },
  }
}
