/**
 * One summary for the repeats of a level (`repeat`): what `result.level(c)`, the console's "mean
 * of N" row and the report's merged level read when a load ran more than once. Every field is
 * pooled over all repeats (docs/verdicts.md, "Repeats"; pool.ts for the request kinds and
 * workloads): counts add up; rates are recomputed from the pooled counts (error, validity and
 * reasoning shares, goodput ratio, cost per token and per request, energy per token); a
 * statistic's mean and spread are pooled over every request and its percentiles are the mean of
 * each repeat's (a percentile of percentiles has no pooled form without the samples); throughput,
 * achieved concurrency and goodput rate are the mean of the repeats' rates; per-adapter figures
 * are pooled the same way, adapter by adapter.
 * Left out, as belonging to one run of the load: the schedule, time slices, the server's TTFT
 * histogram, the prefix cache's `also` readings and `stoppedEarly` (each repeat keeps its own).
 */
import type { GoodputSummary, LevelSummary, Stats } from '../results/types.js'
import { addCounts, mean, pooledCost, pooledEnergy, pooledMedia, pooledPrefixCache, pooledReasoning, pooledSessions, pooledStats, pooledTools, pooledValidity, sum } from './pool.js'

export function summaryOfRepeats(repeats: LevelSummary[]): LevelSummary {
  return repeats.length === 1 ? repeats[0] : pooled(repeats)
}

function pooled(repeats: LevelSummary[]): LevelSummary {
  const first = repeats[0]
  const { repeat: _repeat, ...load } = first.load
  const stats: LevelSummary['stats'] = {}
  for (const name of new Set(repeats.flatMap((r) => Object.keys(r.stats) as (keyof LevelSummary['stats'])[]))) {
    const each = repeats.map((r) => r.stats[name]).filter((s): s is Stats => s !== undefined)
    stats[name] = pooledStats(each)
  }
  const goodputs = repeats.map((r) => r.goodput).filter((g): g is GoodputSummary => g !== undefined)
  const withGaps = new Set(repeats.filter((r) => (r.stats.itl?.count ?? 0) > 0).map((r) => r.itlGranularity))
  const itlApprox = repeats.find((r) => r.itlApprox)?.itlApprox
  const kinds = {
    media: pooledMedia(repeats.map((r) => r.media)),
    validity: pooledValidity(repeats.map((r) => r.validity)),
    reasoning: pooledReasoning(repeats.map((r) => r.reasoning)),
    energy: pooledEnergy(repeats),
    cost: pooledCost(repeats),
    sessions: pooledSessions(repeats.map((r) => r.sessions)),
    tools: pooledTools(repeats.map((r) => r.tools)),
    prefixCache: pooledPrefixCache(repeats.map((r) => r.prefixCache)),
    byAdapter: pooledByAdapter(repeats),
  }
  return {
    load,
    requests: addCounts(repeats.map((r) => r.requests)) as LevelSummary['requests'],
    errors: addCounts(repeats.map((r) => r.errors)),
    durationSec: sum(repeats.map((r) => r.durationSec)),
    throughput: {
      requestsPerSec: mean(repeats.map((r) => r.throughput.requestsPerSec)),
      outputTokensPerSec: mean(repeats.map((r) => r.throughput.outputTokensPerSec)),
      inputTokensPerSec: mean(repeats.map((r) => r.throughput.inputTokensPerSec)),
      totalTokensPerSec: mean(repeats.map((r) => r.throughput.totalTokensPerSec)),
    },
    concurrency: {
      achieved: mean(repeats.map((r) => r.concurrency.achieved)),
      maxInFlight: Math.max(...repeats.map((r) => r.concurrency.maxInFlight)),
    },
    stats,
    // Repeats whose gaps were all of one kind keep it; kinds that differ between repeats are mixed.
    itlGranularity: withGaps.size === 0 ? first.itlGranularity : withGaps.size === 1 ? [...withGaps][0] : 'mixed',
    ...(itlApprox ? { itlApprox } : {}),
    outputTokensSource: addCounts(repeats.map((r) => r.outputTokensSource)),
    ...(goodputs.length ? { goodput: pooledGoodput(goodputs) } : {}),
    client: {
      eventLoopDelayP99Ms: Math.max(...repeats.map((r) => r.client.eventLoopDelayP99Ms)),
      ...(repeats.some((r) => r.client.eventLoopDelayMaxMs !== undefined) ? { eventLoopDelayMaxMs: Math.max(...repeats.map((r) => r.client.eventLoopDelayMaxMs ?? 0)) } : {}),
      cpuPercent: mean(repeats.map((r) => r.client.cpuPercent)),
    },
    warnings: [...new Set(repeats.flatMap((r) => r.warnings))],
    ...(Object.fromEntries(Object.entries(kinds).filter(([, v]) => v !== undefined)) as Partial<typeof kinds>),
  }
}

/** Each adapter's figures pooled over the repeats that sent it requests. */
function pooledByAdapter(repeats: LevelSummary[]): LevelSummary['byAdapter'] {
  const names = [...new Set(repeats.flatMap((r) => Object.keys(r.byAdapter ?? {})))].sort()
  if (!names.length) return undefined
  return Object.fromEntries(names.map((n) => [n, pooled(repeats.flatMap((r) => r.byAdapter?.[n] ?? []))]))
}

function pooledGoodput(each: GoodputSummary[]): GoodputSummary {
  const good = sum(each.map((g) => g.good))
  const total = sum(each.map((g) => g.total))
  return { slo: each[0].slo, good, total, ratio: total > 0 ? good / total : 0, rate: mean(each.map((g) => g.rate)), met: addCounts(each.map((g) => g.met)) }
}
