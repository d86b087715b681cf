/**
 * What a server says about its prefix cache (docs/telemetry.md, Prefix cache): counters of prompt
 * tokens looked up and found, read at a level's start and end so their difference is the level's
 * own hit share, or where a server has only a hit-rate gauge, that gauge at the level's end.
 * Names: vLLM ≥ 0.10 `vllm:prefix_cache_{hits,queries}_total`, vLLM 0.8–0.9 the `gpu_` variants,
 * a KV connector's (LMCache, CPU offloading) `vllm:external_prefix_cache_*`; older vLLM's
 * `vllm:{gpu,cpu}_prefix_cache_hit_rate` gauges; SGLang's `sglang:cache_hit_rate` gauge. TGI has
 * none. A server without any is said to report none, never taken as 0 hits.
 */
import type { PrefixCacheSummary } from '../results/types.js'
import type { Sample } from './prometheus.js'

/** Counter pairs in order of preference: the first found is the level's figure, the others are listed beside it. */
export const PREFIX_CACHE_COUNTERS = [
  { hits: 'vllm:prefix_cache_hits_total', queries: 'vllm:prefix_cache_queries_total', what: 'GPU' },
  { hits: 'vllm:gpu_prefix_cache_hits_total', queries: 'vllm:gpu_prefix_cache_queries_total', what: 'GPU' },
  { hits: 'vllm:external_prefix_cache_hits_total', queries: 'vllm:external_prefix_cache_queries_total', what: 'external (KV connector)' },
] as const

/** Hit-rate gauges (fractions), used when no counter is there. */
export const PREFIX_CACHE_GAUGES = ['vllm:gpu_prefix_cache_hit_rate', 'sglang:cache_hit_rate', 'vllm:cpu_prefix_cache_hit_rate'] as const

const NAMES = new Set<string>([...PREFIX_CACHE_COUNTERS.flatMap((c) => [c.hits, c.queries]), ...PREFIX_CACHE_GAUGES])

export const isPrefixCacheSample = (name: string): boolean => NAMES.has(name)

/** Counters summed over label sets (models, data-parallel engines); gauges averaged. */
export interface PrefixCacheReading {
  counters: Record<string, number>
  gauges: Record<string, number>
}

export function prefixCacheOf(samples: Sample[]): PrefixCacheReading | null {
  const counters: Record<string, number> = {}
  const sums: Record<string, [number, number]> = {}
  let any = false
  for (const s of samples) {
    if (!NAMES.has(s.name) || !Number.isFinite(s.value)) continue
    any = true
    if (s.name.endsWith('_total')) counters[s.name] = (counters[s.name] ?? 0) + s.value
    else {
      const g = (sums[s.name] ??= [0, 0])
      g[0] += s.value
      g[1]++
    }
  }
  if (!any) return null
  const gauges = Object.fromEntries(Object.entries(sums).map(([k, [sum, n]]) => [k, sum / n]))
  return { counters, gauges }
}

type Measured = NonNullable<PrefixCacheSummary['measured']>

/**
 * The level's hit share from readings at its start and end: the first counter pair that counted
 * queries in between, or else the first gauge at the end. Null (with why) when there is neither.
 */
export function prefixCacheShare(before: PrefixCacheReading | null, after: PrefixCacheReading | null): { measured: Measured | null; also: string[]; note?: string } {
  if (!after) return { measured: null, also: [], note: 'the server reports no prefix-cache metric (vLLM prefix_cache_hits/queries, SGLang cache_hit_rate)' }
  const found: Measured[] = []
  for (const c of PREFIX_CACHE_COUNTERS) {
    const q1 = after.counters[c.queries]
    const h1 = after.counters[c.hits]
    if (q1 === undefined || h1 === undefined) continue
    const q0 = before?.counters[c.queries] ?? 0
    const h0 = before?.counters[c.hits] ?? 0
    // A counter that fell: the server restarted in between; its count since then is all there is.
    const queries = q1 >= q0 ? q1 - q0 : q1
    const hits = h1 >= h0 && q1 >= q0 ? h1 - h0 : h1
    if (queries > 0) found.push({ share: hits / queries, source: `${c.hits} / ${c.queries}`, kind: 'counters', hits, queries })
  }
  for (const g of PREFIX_CACHE_GAUGES) {
    const v = after.gauges[g]
    if (v !== undefined) found.push({ share: v, source: g, kind: 'gauge' })
  }
  if (!found.length) {
    return { measured: null, also: [], note: 'the server counted no prefix-cache query during the level' }
  }
  const [measured, ...rest] = found
  return { measured, also: rest.map((m) => `${m.source}: ${(m.share * 100).toFixed(1)}%${m.kind === 'gauge' ? ' (gauge at the level\'s end)' : ''}`) }
}
