/**
 * The summary of one level (METRICS.md, "Per level aggregates" and "Validity"), computed from its
 * request records and nothing else.
 */
import type { FailureKind, LevelSummary, OutputTokenSource, RequestRecord, SloSet, StatName, Stats } from '../results/types.js'
import { evaluateGoodput } from './goodput.js'
import {
  e2e,
  e2eWithQueue,
  isSuccess,
  itlSampleCount,
  maxTokenGap,
  queueDelay,
  tpot,
  ttfc,
  ttft,
  writeItlSamples,
} from './request.js'
import { computeStatsInPlace } from './stats.js'

export interface SummarizeLevelOptions {
  load: LevelSummary['load']
  slo?: SloSet
  client: { eventLoopDelayP99Ms: number; cpuPercent: number }
}

/** Validity thresholds (METRICS.md, "Validity"). */
export const THRESHOLDS = {
  eventLoopDelayP99Ms: 5,
  cpuPercent: 90,
  successRatio: 0.95,
} as const

/** Statistics of one per-request value over `records`, skipping undefined values. */
function statsOf(records: readonly RequestRecord[], value: (r: RequestRecord) => number | undefined): Stats | undefined {
  const buf = new Float64Array(records.length)
  let n = 0
  for (const r of records) {
    const v = value(r)
    if (v !== undefined) buf[n++] = v
  }
  return computeStatsInPlace(buf.subarray(0, n))
}

/** Pooled ITL samples of all `records` (token-weighted), in one preallocated array. */
function itlStats(records: readonly RequestRecord[]): Stats | undefined {
  let count = 0
  for (const r of records) count += itlSampleCount(r)
  const buf = new Float64Array(count)
  let o = 0
  for (const r of records) o = writeItlSamples(r, buf, o)
  return computeStatsInPlace(buf)
}

/**
 * The largest number of requests in flight at once, from an exact sweep over [sentAt, endAt):
 * at equal times an end frees its slot before a start takes one.
 */
export function maxInFlight(records: readonly RequestRecord[]): number {
  const n = records.length
  const starts = new Float64Array(n)
  const ends = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    starts[i] = records[i].sentAt
    ends[i] = records[i].endAt
  }
  starts.sort()
  ends.sort()
  let i = 0
  let j = 0
  let inFlight = 0
  let max = 0
  while (i < n) {
    // (j < n guards records whose endAt precedes sentAt, which would otherwise loop forever.)
    if (j >= n || starts[i] < ends[j]) {
      inFlight++
      i++
      if (inFlight > max) max = inFlight
    } else {
      inFlight--
      j++
    }
  }
  return max
}

/** Per-token (continuous usage counts on every multi-event record), per-event, or a mix. */
function itlGranularity(succeeded: readonly RequestRecord[]): LevelSummary['itlGranularity'] {
  let withCounts = 0
  let without = 0
  for (const r of succeeded) {
    const times = r.tokenTimes
    if (!r.stream || times === undefined || times.length < 2) continue
    if (r.tokenCounts !== undefined && r.tokenCounts.length >= times.length) withCounts++
    else without++
  }
  // No record with a gap: there is no ITL to qualify, and nothing to warn about.
  if (without === 0) return 'token'
  return withCounts === 0 ? 'chunk' : 'mixed'
}

function fmt(x: number, digits: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits)
}

/**
 * Summarizes one level. Warm-up records are counted in `requests.warmup` and left out of
 * everything else. Latency statistics, throughputs and token counts use succeeded requests only;
 * queue delay and max in flight use every measured request; goodput counts every measured request.
 */
export function summarizeLevel(records: readonly RequestRecord[], opts: SummarizeLevelOptions): LevelSummary {
  const measured: RequestRecord[] = []
  const succeeded: RequestRecord[] = []
  let warmup = 0
  const errors: LevelSummary['errors'] = {}
  let firstSent = Infinity
  let lastEnd = -Infinity
  for (const r of records) {
    if (r.warmup) {
      warmup++
      continue
    }
    measured.push(r)
    if (r.sentAt < firstSent) firstSent = r.sentAt
    if (r.endAt > lastEnd) lastEnd = r.endAt
    if (isSuccess(r)) succeeded.push(r)
    else {
      const kind = r.outcome as FailureKind
      errors[kind] = (errors[kind] ?? 0) + 1
    }
  }

  const durationMs = measured.length > 0 ? Math.max(0, lastEnd - firstSent) : 0
  const durationSec = durationMs / 1000
  const perSec = (x: number): number => (durationSec > 0 ? x / durationSec : 0)

  let outputTokens = 0
  let inputTokens = 0
  let e2eSum = 0
  const outputTokensSource: LevelSummary['outputTokensSource'] = {}
  for (const r of succeeded) {
    outputTokens += r.outputTokens
    inputTokens += r.inputTokens
    e2eSum += e2e(r) ?? 0
    const src: OutputTokenSource = r.outputTokensSource
    outputTokensSource[src] = (outputTokensSource[src] ?? 0) + 1
  }

  const stats: LevelSummary['stats'] = {}
  const put = (name: StatName, s: Stats | undefined): void => {
    if (s !== undefined) stats[name] = s
  }
  put('ttft', statsOf(succeeded, ttft))
  put('ttfc', statsOf(succeeded, ttfc))
  put('tpot', statsOf(succeeded, tpot))
  put('itl', itlStats(succeeded))
  put('e2e', statsOf(succeeded, e2e))
  put('e2eWithQueue', statsOf(succeeded, e2eWithQueue))
  put('queueDelay', statsOf(measured, queueDelay))
  put('maxTokenGap', statsOf(succeeded, maxTokenGap))
  put('outputTokens', statsOf(succeeded, (r) => r.outputTokens))
  put('inputTokens', statsOf(succeeded, (r) => r.inputTokens))

  const total = measured.length
  const warnings: string[] = []
  const { eventLoopDelayP99Ms, cpuPercent } = opts.client
  if (eventLoopDelayP99Ms > THRESHOLDS.eventLoopDelayP99Ms) {
    warnings.push(
      `Client event-loop delay p99 was ${fmt(eventLoopDelayP99Ms, 1)} ms (over ${THRESHOLDS.eventLoopDelayP99Ms} ms): the load generator was a bottleneck and latencies include its delay`,
    )
  }
  if (cpuPercent > THRESHOLDS.cpuPercent) {
    warnings.push(
      `Client CPU was ${fmt(cpuPercent, 1)}% (over ${THRESHOLDS.cpuPercent}%): the load generator was saturated and may have limited the load`,
    )
  }
  const estimated = outputTokensSource.estimate ?? 0
  if (estimated > 0) {
    warnings.push(
      `Output token counts of ${estimated} of ${succeeded.length} succeeded requests are tokenizer estimates (the server reported no usage): token throughput, TPOT and output token statistics are approximate; enable usage reporting (stream_options.include_usage)`,
    )
  }
  if (total > 0 && succeeded.length < THRESHOLDS.successRatio * total) {
    // Rounded down, so a ratio just under the threshold never prints as 95.0%.
    const pct = Math.floor((succeeded.length / total) * 1000) / 10
    warnings.push(
      `Only ${pct.toFixed(1)}% of requests succeeded (${succeeded.length}/${total}, under ${THRESHOLDS.successRatio * 100}%): figures describe the successful minority; see errors`,
    )
  }
  // Open-loop levels (load.kind 'rate', not yet in LevelSummary) add here: sent rate under 95% of
  // the target rate, and queue delay p99 (stats.queueDelay.p99) over 10 ms.

  const summary: LevelSummary = {
    load: opts.load,
    requests: { total, succeeded: succeeded.length, failed: total - succeeded.length, warmup },
    errors,
    durationSec,
    throughput: {
      requestsPerSec: perSec(succeeded.length),
      outputTokensPerSec: perSec(outputTokens),
      inputTokensPerSec: perSec(inputTokens),
      totalTokensPerSec: perSec(outputTokens + inputTokens),
    },
    concurrency: {
      achieved: durationMs > 0 ? e2eSum / durationMs : 0,
      maxInFlight: maxInFlight(measured),
    },
    stats,
    itlGranularity: itlGranularity(succeeded),
    outputTokensSource,
    ...(opts.slo !== undefined ? { goodput: evaluateGoodput(measured, opts.slo, durationSec) } : {}),
    client: { eventLoopDelayP99Ms, cpuPercent },
    warnings,
  }
  return summary
}
