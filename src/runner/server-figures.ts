/**
 * What the server says about a level, read around it (docs/telemetry.md): its TTFT histogram
 * beside the client's TTFT, and its prefix cache's hit share beside the reuse the workload was
 * designed to have. Also the prefix cache's reset before a level (`resetPrefixCache`), where the
 * server offers one.
 */
import type { LevelSummary, PrefixCacheSummary } from '../results/types.js'
import { compareServerTtft, histogramDelta, prefixCacheShare, type ServerSnapshot, type TelemetrySampler } from '../telemetry/sampler.js'
import { terminalLine } from '../text/sanitize.js'

/** The server's figures at a level's start (with nothing in flight); undefined when telemetry is off. */
export async function serverAtStart(telemetry: TelemetrySampler | undefined): Promise<ServerSnapshot | null | undefined> {
  return telemetry ? await telemetry.snapshot() : undefined
}

/** Adds the server's side to a level's summary, from readings at its start and end. */
export async function serverAtEnd(telemetry: TelemetrySampler | undefined, before: ServerSnapshot | null | undefined, summary: LevelSummary): Promise<void> {
  const after = before ? await telemetry?.snapshot() : undefined
  if (before?.ttft && after?.ttft && summary.stats.ttft) {
    const comparison = compareServerTtft(histogramDelta(before.ttft, after.ttft), summary.stats.ttft)
    if (comparison) summary.serverTtft = comparison
  }
  const p: PrefixCacheSummary = summary.prefixCache ?? { designed: null, measured: null }
  if (before === undefined) p.note = 'telemetry is off: the server\'s prefix-cache metrics were not read'
  else if (!before || !after) p.note = 'the server\'s /metrics page was not available'
  else {
    const found = prefixCacheShare(before.prefixCache, after.prefixCache)
    p.measured = found.measured
    if (found.note) p.note = found.note
    if (found.also.length) p.also = found.also
  }
  summary.prefixCache = p
}

const RESETS = [
  { path: '/reset_prefix_cache', via: 'vLLM POST /reset_prefix_cache' },
  { path: '/flush_cache', via: 'SGLang POST /flush_cache' },
]

/**
 * Empties the server's prefix cache: vLLM's `POST /reset_prefix_cache` (served with
 * VLLM_SERVER_DEV_MODE=1), else SGLang's `POST /flush_cache`. Never throws: a server without either
 * is said so in the level's result.
 */
export async function resetPrefixCache(server: string, headers: Record<string, string>): Promise<NonNullable<PrefixCacheSummary['reset']>> {
  const base = server.replace(/\/+$/, '').replace(/\/v1$/, '')
  const misses: string[] = []
  for (const r of RESETS) {
    try {
      // undici loads on first use, not with every command (docs/performance.md, Start-up).
      const res = await (await import('undici')).request(base + r.path, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) })
      await res.body.text().catch(() => '')
      if (res.statusCode >= 200 && res.statusCode < 300) return { done: true, via: r.via }
      misses.push(`${r.path}: HTTP ${res.statusCode}`)
    } catch (err) {
      misses.push(`${r.path}: ${terminalLine((err as Error).message, 80)}`)
    }
  }
  return { done: false, note: `the server offers no prefix-cache reset (${misses.join('; ')})` }
}
