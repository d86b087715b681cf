/**
 * One summary for the repeats of a level (`repeat`): what `result.level(c)` reads when a load ran
 * more than once. Counts add up; a statistic's mean and spread are pooled over every request; its
 * percentiles are the mean of each repeat's (a percentile of a percentile has no pooled form
 * without the samples); throughput is the mean of the repeats' rates.
 */
import type { GoodputSummary, LevelSummary, Stats } from '../results/types.js'

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length
const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0)

export function summaryOfRepeats(repeats: LevelSummary[]): LevelSummary {
  if (repeats.length === 1) return repeats[0]
  // Figures over time and the schedule belong to one run of the load; they are read per repeat.
  const { schedule: _s, timeSlices: _t, serverTtft: _st, ...first } = repeats[0]
  const { repeat: _repeat, ...load } = first.load
  const stats: LevelSummary['stats'] = {}
  for (const name of Object.keys(first.stats) as (keyof LevelSummary['stats'])[]) {
    const each = repeats.map((r) => r.stats[name]).filter((s): s is Stats => s !== undefined)
    if (each.length > 0) stats[name] = pooledStats(each)
  }
  const requests = { ...first.requests }
  for (const k of Object.keys(requests) as (keyof typeof requests)[]) requests[k] = sum(repeats.map((r) => r.requests[k] ?? 0))
  const errors: LevelSummary['errors'] = {}
  for (const r of repeats) for (const [k, n] of Object.entries(r.errors)) errors[k as keyof typeof errors] = (errors[k as keyof typeof errors] ?? 0) + (n ?? 0)
  return {
    ...first,
    load,
    requests,
    errors,
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
    ...(first.goodput ? { goodput: pooledGoodput(repeats.map((r) => r.goodput).filter((g): g is GoodputSummary => g !== undefined)) } : {}),
    client: {
      eventLoopDelayP99Ms: Math.max(...repeats.map((r) => r.client.eventLoopDelayP99Ms)),
      ...(repeats.some((r) => r.client.eventLoopDelayMaxMs !== undefined) ? { eventLoopDelayMaxMs: Math.max(...repeats.map((r) => r.client.eventLoopDelayMaxMs ?? 0)) } : {}),
      cpuPercent: mean(repeats.map((r) => r.client.cpuPercent)),
    },
    warnings: [...new Set(repeats.flatMap((r) => r.warnings))],
  }
}

/** Pooled mean and standard deviation (within and between repeats), extremes, mean percentiles. */
function pooledStats(each: Stats[]): Stats {
  const count = sum(each.map((s) => s.count))
  const m = count > 0 ? sum(each.map((s) => s.mean * s.count)) / count : Number.NaN
  const squares = sum(each.map((s) => (s.count - 1) * s.std ** 2 + s.count * (s.mean - m) ** 2))
  return {
    count,
    mean: m,
    std: count > 1 ? Math.sqrt(squares / (count - 1)) : 0,
    min: Math.min(...each.map((s) => s.min)),
    max: Math.max(...each.map((s) => s.max)),
    p50: mean(each.map((s) => s.p50)),
    p90: mean(each.map((s) => s.p90)),
    p95: mean(each.map((s) => s.p95)),
    p99: mean(each.map((s) => s.p99)),
    p999: mean(each.map((s) => s.p999)),
  }
}

function pooledGoodput(each: GoodputSummary[]): GoodputSummary {
  const good = sum(each.map((g) => g.good))
  const total = sum(each.map((g) => g.total))
  const met: GoodputSummary['met'] = {}
  for (const g of each) for (const [k, n] of Object.entries(g.met)) met[k as keyof typeof met] = (met[k as keyof typeof met] ?? 0) + (n ?? 0)
  return { slo: each[0].slo, good, total, ratio: total > 0 ? good / total : 0, rate: mean(each.map((g) => g.rate)), met }
}
