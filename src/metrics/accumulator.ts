/**
 * The summary of one level (METRICS.md, "Per level aggregates", "Goodput" and "Validity") built
 * from its records taken one at a time, so a run never has to hold them: each record leaves a few
 * numbers per request (exact statistics stay exact) and its ITL gaps, kept exactly up to a budget
 * and beyond it in a relative-error sketch (sketch.ts) that the summary names in `itlApprox`.
 * The only place a level's figures are computed; summarizeLevel (level.ts) feeds it an array.
 */
import type { FailureKind, GoodputSummary, LevelSummary, OutputTokenSource, RequestRecord, SloKey, SloSet, StatName, Stats } from '../results/types.js'
import { goodputSummary, SLO_KEYS } from './goodput.js'
import { e2e, e2eWithQueue, isSuccess, itlSampleCount, maxTokenGap, queueDelay, tpot, ttfc, ttft, writeItlSamples } from './request.js'
import { DEFAULT_RELATIVE_ACCURACY, QuantileSketch } from './sketch.js'
import { computeStatsInPlace } from './stats.js'
import { Column } from './column.js'
import { KindsTally } from './kinds.js'
import { WorkloadFigures } from './workload.js'

export interface SummarizeLevelOptions {
  load: LevelSummary['load']
  slo?: SloSet
  client: LevelSummary['client']
}

export interface LevelAccumulatorOptions {
  /** Pooled ITL gaps kept exactly (8 bytes each); past it every gap goes to the sketch. */
  itlExactBudget?: number
  /** The sketch's relative accuracy α. */
  itlRelativeAccuracy?: number
}

/** 4 million gaps = 32 MB: about 31,000 requests of 128 tokens summarized exactly. */
export const DEFAULT_ITL_EXACT_BUDGET = 4_000_000

/** Validity thresholds (METRICS.md, "Validity"). */
export const THRESHOLDS = {
  eventLoopDelayP99Ms: 5,
  /** One stall this long delays every request in flight by as much, which a p99 of loop samples hides. */
  eventLoopDelayMaxMs: 50,
  cpuPercent: 90,
  successRatio: 0.95,
} as const

/** Goodput needs to know, for a missing TPOT or max gap, whether the bound counts as met (goodput.ts). */
const TPOT_MISSING_MEETS = 1
const ITL_MISSING_MEETS = 2
/** The request's output failed its validity check (structured outputs): not good under `valid: true`. */
const INVALID_OUTPUT = 4
const absent = (v: number | undefined): number => (v === undefined ? NaN : v)

/**
 * The largest number of requests in flight at once, from an exact sweep over [sentAt, endAt):
 * at equal times an end frees its slot before a start takes one. Sorts both arrays in place.
 */
export function maxInFlightOf(starts: Float64Array, ends: Float64Array): number {
  const n = starts.length
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

/** Statistics of a column's defined values (NaN marks a value the request does not have). */
function statsOf(col: Column): Stats | undefined {
  const src = col.view()
  const buf = new Float64Array(src.length)
  let n = 0
  for (let i = 0; i < src.length; i++) if (src[i] === src[i]) buf[n++] = src[i]
  return computeStatsInPlace(buf.subarray(0, n))
}

function fmt(x: number, digits: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits)
}

/**
 * Takes a level's records one at a time (`add`) and gives the summary summarizeLevel defines
 * (`finish`, which can be called again after more records). Warm-up records are counted in
 * `requests.warmup` and left out of everything else; so are requests cut by Ctrl-C (outcome
 * `aborted`), counted in `requests.interrupted`: they never ended, so they are no failure of the
 * server's and no figure about it. Latency statistics, throughputs and token
 * counts use succeeded requests only; queue delay and max in flight use every measured request;
 * goodput counts every measured request. Memory: about 100 bytes per request plus the ITL budget.
 */
export class LevelAccumulator {
  private readonly itlBudget: number
  private readonly alpha: number
  private warmup = 0
  private cooldown = 0
  private interrupted = 0
  private readonly errors: LevelSummary['errors'] = {}
  private firstSent = Infinity
  private lastEnd = -Infinity
  // Every measured request.
  private readonly sentAt = new Column()
  private readonly endAt = new Column()
  private readonly queueDelay = new Column()
  // Every succeeded request, aligned by position; NaN where the value does not exist.
  private readonly ok: Record<'ttft' | 'ttfc' | 'tpot' | 'e2e' | 'e2eWithQueue' | 'maxTokenGap' | 'outputTokens' | 'inputTokens' | 'flags', Column> = {
    ttft: new Column(), ttfc: new Column(), tpot: new Column(), e2e: new Column(), e2eWithQueue: new Column(),
    maxTokenGap: new Column(), outputTokens: new Column(), inputTokens: new Column(), flags: new Column(),
  }
  private outputTokens = 0
  private inputTokens = 0
  private e2eSum = 0
  private readonly outputTokensSource: LevelSummary['outputTokensSource'] = {}
  private withCounts = 0
  private withoutCounts = 0
  private itlCount = 0
  private itlExact: Column | undefined = new Column()
  private itlSketch: QuantileSketch | undefined
  private scratch = new Float64Array(256)
  /** Media, validity and reasoning (metrics/kinds.ts). */
  private readonly kinds = new KindsTally()
  /** Sessions, tool loops and designed prefix reuse (workload.ts). */
  private readonly workload = new WorkloadFigures()

  constructor(opts: LevelAccumulatorOptions = {}) {
    this.itlBudget = opts.itlExactBudget ?? DEFAULT_ITL_EXACT_BUDGET
    this.alpha = opts.itlRelativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY
  }

  /** The measured part's window on the monotonic clock (first send, last end); undefined before any measured request. */
  window(): { start: number; end: number } | undefined {
    return this.sentAt.length > 0 ? { start: this.firstSent, end: this.lastEnd } : undefined
  }

  /** Output tokens of the succeeded measured requests so far. */
  get outputTokenCount(): number {
    return this.outputTokens
  }

  /** Requests added so far, warm-up included. */
  get added(): number {
    return this.warmup + this.cooldown + this.interrupted + this.sentAt.length
  }

  add(r: RequestRecord): void {
    this.workload.add(r)
    if (r.warmup) {
      this.warmup++
      return
    }
    if (r.cooldown) {
      this.cooldown++
      return
    }
    if (r.outcome === 'aborted') {
      this.interrupted++
      return
    }
    if (r.sentAt < this.firstSent) this.firstSent = r.sentAt
    if (r.endAt > this.lastEnd) this.lastEnd = r.endAt
    this.sentAt.push(r.sentAt)
    this.endAt.push(r.endAt)
    this.queueDelay.push(queueDelay(r))
    this.kinds.add(r)
    if (!isSuccess(r)) {
      const kind = r.outcome as FailureKind
      this.errors[kind] = (this.errors[kind] ?? 0) + 1
      return
    }
    this.outputTokens += r.outputTokens
    this.inputTokens += r.inputTokens
    const end = e2e(r)
    this.e2eSum += end ?? 0
    const src: OutputTokenSource = r.outputTokensSource
    this.outputTokensSource[src] = (this.outputTokensSource[src] ?? 0) + 1
    const ok = this.ok
    ok.ttft.push(absent(ttft(r)))
    ok.ttfc.push(absent(ttfc(r)))
    ok.tpot.push(absent(tpot(r)))
    ok.e2e.push(absent(end))
    ok.e2eWithQueue.push(absent(e2eWithQueue(r)))
    ok.maxTokenGap.push(absent(maxTokenGap(r)))
    ok.outputTokens.push(r.outputTokens)
    ok.inputTokens.push(r.inputTokens)
    const events = r.tokenTimes?.length ?? 0
    ok.flags.push((r.stream && r.outputTokens < 2 ? TPOT_MISSING_MEETS : 0) | (r.stream && events < 2 ? ITL_MISSING_MEETS : 0) | (r.valid === false ? INVALID_OUTPUT : 0))
    if (r.stream && r.tokenTimes !== undefined && events >= 2) {
      if (r.tokenCounts !== undefined && r.tokenCounts.length >= events) this.withCounts++
      else this.withoutCounts++
    }
    this.addItl(r)
  }

  private addItl(r: RequestRecord): void {
    const n = itlSampleCount(r)
    if (n === 0) return
    const exact = this.itlExact
    if (exact !== undefined && this.itlCount + n <= this.itlBudget) {
      exact.reserve(n, this.itlBudget)
      exact.length = writeItlSamples(r, exact.buf, exact.length)
      this.itlCount += n
      return
    }
    let sketch = this.itlSketch
    if (sketch === undefined) {
      sketch = this.itlSketch = new QuantileSketch(this.alpha)
      sketch.addAll(exact!.view())
      this.itlExact = undefined
    }
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, this.scratch.length * 2))
    sketch.addAll(this.scratch, writeItlSamples(r, this.scratch, 0))
    this.itlCount += n
  }

  private goodput(slo: SloSet, total: number, durationSec: number): GoodputSummary {
    const keys = SLO_KEYS.filter((k) => slo[k] !== undefined)
    const bounds = keys.map((k) => slo[k] as number)
    const column: Record<SloKey, Column> = { ttft: this.ok.ttft, ttfc: this.ok.ttfc, tpot: this.ok.tpot, itl: this.ok.maxTokenGap, e2e: this.ok.e2e }
    const cols = keys.map((k) => column[k].buf)
    const missingMeets = keys.map((k) => (k === 'tpot' ? TPOT_MISSING_MEETS : k === 'itl' ? ITL_MISSING_MEETS : 0))
    const flags = this.ok.flags.buf
    const metCounts = new Array<number>(keys.length).fill(0)
    let good = 0
    let valid = 0
    for (let i = 0; i < this.ok.flags.length; i++) {
      let all = true
      for (let j = 0; j < keys.length; j++) {
        const v = cols[j][i]
        if (v === v ? v <= bounds[j] : (flags[i] & missingMeets[j]) !== 0) metCounts[j]++
        else all = false
      }
      if (slo.valid) {
        if ((flags[i] & INVALID_OUTPUT) === 0) valid++
        else all = false
      }
      if (all) good++
    }
    return goodputSummary(keys, bounds, metCounts, good, total, durationSec, slo.valid ? valid : undefined)
  }

  finish(opts: SummarizeLevelOptions): LevelSummary {
    const total = this.sentAt.length
    const succeeded = this.ok.flags.length
    const durationMs = total > 0 ? Math.max(0, this.lastEnd - this.firstSent) : 0
    const durationSec = durationMs / 1000
    const perSec = (x: number): number => (durationSec > 0 ? x / durationSec : 0)

    const stats: LevelSummary['stats'] = {}
    const put = (name: StatName, s: Stats | undefined): void => {
      if (s !== undefined) stats[name] = s
    }
    put('ttft', statsOf(this.ok.ttft))
    put('ttfc', statsOf(this.ok.ttfc))
    put('tpot', statsOf(this.ok.tpot))
    put('itl', this.itlSketch !== undefined ? this.itlSketch.stats() : computeStatsInPlace(this.itlExact!.view().slice()))
    put('e2e', statsOf(this.ok.e2e))
    put('e2eWithQueue', statsOf(this.ok.e2eWithQueue))
    put('queueDelay', statsOf(this.queueDelay))
    put('maxTokenGap', statsOf(this.ok.maxTokenGap))
    put('outputTokens', statsOf(this.ok.outputTokens))
    put('inputTokens', statsOf(this.ok.inputTokens))
    const kinds = this.kinds.finish()
    put('reasoningTokens', kinds.stats.reasoningTokens)
    put('visibleTokens', kinds.stats.visibleTokens)

    const warnings: string[] = []
    const { eventLoopDelayP99Ms, eventLoopDelayMaxMs, cpuPercent } = opts.client
    if (eventLoopDelayP99Ms > THRESHOLDS.eventLoopDelayP99Ms) {
      warnings.push(
        `Client event-loop delay p99 was ${fmt(eventLoopDelayP99Ms, 1)} ms (over ${THRESHOLDS.eventLoopDelayP99Ms} ms): the load generator was a bottleneck and latencies include its delay`,
      )
    } else if (eventLoopDelayMaxMs !== undefined && eventLoopDelayMaxMs > THRESHOLDS.eventLoopDelayMaxMs) {
      warnings.push(
        `Client event loop stalled for ${fmt(eventLoopDelayMaxMs, 0)} ms at least once (over ${THRESHOLDS.eventLoopDelayMaxMs} ms): requests in flight then include the stall in their latencies (see max)`,
      )
    }
    if (cpuPercent > THRESHOLDS.cpuPercent) {
      warnings.push(
        `Client CPU was ${fmt(cpuPercent, 1)}% (over ${THRESHOLDS.cpuPercent}%): the load generator was saturated and may have limited the load`,
      )
    }
    const estimated = this.outputTokensSource.estimate ?? 0
    if (estimated > 0) {
      warnings.push(
        `Output token counts of ${estimated} of ${succeeded} succeeded requests are tokenizer estimates (the server reported no usage): token throughput, TPOT and output token statistics are approximate; enable usage reporting (stream_options.include_usage)`,
      )
    }
    if (total > 0 && succeeded < THRESHOLDS.successRatio * total) {
      // Rounded down, so a ratio just under the threshold never prints as 95.0%.
      const pct = Math.floor((succeeded / total) * 1000) / 10
      warnings.push(
        `Only ${pct.toFixed(1)}% of requests succeeded (${succeeded}/${total}, under ${THRESHOLDS.successRatio * 100}%): figures describe the successful minority; see errors`,
      )
    }
    // Open-loop levels (load.kind 'rate') add here: sent rate under 95% of the target rate, and
    // queue delay p99 (stats.queueDelay.p99) over 10 ms.

    return {
      load: opts.load,
      requests: {
        total, succeeded, failed: total - succeeded, warmup: this.warmup,
        ...(this.cooldown ? { cooldown: this.cooldown } : {}),
        ...(this.interrupted ? { interrupted: this.interrupted } : {}),
        ...(kinds.invalid !== undefined ? { invalid: kinds.invalid } : {}),
      },
      errors: { ...this.errors },
      durationSec,
      throughput: {
        requestsPerSec: perSec(succeeded),
        outputTokensPerSec: perSec(this.outputTokens),
        inputTokensPerSec: perSec(this.inputTokens),
        totalTokensPerSec: perSec(this.outputTokens + this.inputTokens),
      },
      concurrency: {
        achieved: durationMs > 0 ? this.e2eSum / durationMs : 0,
        maxInFlight: maxInFlightOf(this.sentAt.view().slice(), this.endAt.view().slice()),
      },
      stats,
      // No record with a gap: there is no ITL to qualify, and nothing to warn about.
      itlGranularity: this.withoutCounts === 0 ? 'token' : this.withCounts === 0 ? 'chunk' : 'mixed',
      ...(this.itlSketch !== undefined ? { itlApprox: { method: 'ddsketch' as const, relativeError: this.alpha } } : {}),
      outputTokensSource: { ...this.outputTokensSource },
      ...(opts.slo !== undefined ? { goodput: this.goodput(opts.slo, total, durationSec) } : {}),
      client: { eventLoopDelayP99Ms, ...(eventLoopDelayMaxMs !== undefined ? { eventLoopDelayMaxMs } : {}), cpuPercent },
      ...this.workload.finish(),
      warnings,
      ...(kinds.media ? { media: kinds.media } : {}),
      ...(kinds.validity ? { validity: kinds.validity } : {}),
      ...(kinds.reasoning ? { reasoning: kinds.reasoning } : {}),
    }
  }
}
