/**
 * How an open-loop level kept to its schedule (METRICS.md, Validity): the rate it asked for, the
 * rate its random schedule actually drew, the rate it sent, and the client's own lateness apart
 * from waits for a free slot, so a warning can say whose fault a late request was.
 */
import type { RequestRecord, ScheduleSummary, Stats } from '../results/types.js'
import { computeStats, percentile } from './stats.js'

export const SCHEDULE_THRESHOLDS = { rateRatio: 0.95, lateP99Ms: 10 } as const

/** The schedule's figures gathered one measured request at a time: a few numbers each, no record kept. */
export class ScheduleCollector {
  private readonly lag: number[] = []
  private readonly queue: number[] = []
  /** Scheduled, last-token and end times, and which succeeded: whether the server kept up. */
  private readonly arrivals: number[] = []
  private readonly done: number[] = []
  private readonly ends: number[] = []
  private readonly ok: boolean[] = []
  private waited = 0
  private readonly scheduled = { min: Infinity, max: -Infinity }
  private readonly sent = { min: Infinity, max: -Infinity }

  add(r: RequestRecord): void {
    const ready = r.readyAt ?? r.scheduledAt
    this.lag.push(Math.max(0, r.sentAt - ready))
    this.queue.push(r.sentAt - r.scheduledAt)
    this.arrivals.push(r.scheduledAt)
    this.done.push(r.lastTokenAt ?? r.endAt)
    this.ends.push(r.endAt)
    this.ok.push(r.outcome === 'ok')
    if (ready > r.scheduledAt) this.waited++
    widen(this.scheduled, r.scheduledAt)
    widen(this.sent, r.sentAt)
  }

  summarize(targetRate: number, maxConcurrency?: number): { schedule: ScheduleSummary; warnings: string[] } {
    const n = this.lag.length
    const clientLag = computeStats(this.lag) ?? computeStats([0])!
    const scheduledRate = rateOf(n, this.scheduled, targetRate)
    const achievedRate = rateOf(n, this.sent, targetRate)
    const behind = clientLag.p99 > SCHEDULE_THRESHOLDS.lateP99Ms || achievedRate < SCHEDULE_THRESHOLDS.rateRatio * scheduledRate
    const schedule: ScheduleSummary = { targetRate, scheduledRate, achievedRate, clientLag, waitedForSlot: this.waited, behind, ...this.served() }
    return { schedule, warnings: scheduleWarnings(schedule, n, computeStats(this.queue), maxConcurrency) }
  }

  /**
   * Whether the server kept up: a server that keeps up answers the last arrivals as fast as the
   * first, one that does not makes each wait longer than the one before. The median E2E incl.
   * queue (scheduled time to last token) of the last quarter of arrivals over the first quarter's,
   * and the requests not finished when the last one was scheduled.
   */
  private served(): Pick<ScheduleSummary, 'latencyGrowth' | 'waitingAtEnd'> {
    const n = this.arrivals.length
    const last = this.scheduled.max
    if (n < SERVED_MIN_REQUESTS) return {}
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.arrivals[a] - this.arrivals[b])
    const quarter = Math.floor(n / 4)
    const median = (idx: number[]) => {
      const v = idx.filter((i) => this.ok[i]).map((i) => this.done[i] - this.arrivals[i])
      return v.length ? percentile(Float64Array.from(v).sort(), 50) : undefined
    }
    const first = median(order.slice(0, quarter))
    const lastQuarter = median(order.slice(n - quarter))
    let waiting = 0
    for (const end of this.ends) if (end > last) waiting++
    return { ...(first && lastQuarter !== undefined ? { latencyGrowth: lastQuarter / first } : {}), waitingAtEnd: waiting }
  }
}

/** Fewer arrivals than this say nothing about whether the server kept up. */
const SERVED_MIN_REQUESTS = 20

function widen(range: { min: number; max: number }, x: number): void {
  if (x < range.min) range.min = x
  if (x > range.max) range.max = x
}

/** (n − 1) intervals over the span from the first time to the last, per second. */
function rateOf(n: number, range: { min: number; max: number }, fallback: number): number {
  return n >= 2 && range.max > range.min ? ((n - 1) * 1000) / (range.max - range.min) : fallback
}

const f1 = (x: number) => x.toFixed(1)

function scheduleWarnings(s: ScheduleSummary, n: number, queue: Stats | undefined, cap?: number): string[] {
  const warnings: string[] = []
  if (s.achievedRate < SCHEDULE_THRESHOLDS.rateRatio * s.targetRate) {
    const why =
      s.scheduledRate < SCHEDULE_THRESHOLDS.rateRatio * s.targetRate && s.achievedRate >= SCHEDULE_THRESHOLDS.rateRatio * s.scheduledRate
        ? `its random arrivals themselves came at ${f1(s.scheduledRate)} req/s over ${n} requests (more requests make the draw closer to the target)`
        : s.waitedForSlot > 0
          ? `${s.waitedForSlot} requests waited for a free slot (maxConcurrency ${cap}): the server could not keep up with the rate`
          : 'the client fell behind its schedule: the load generator was a bottleneck'
    warnings.push(`Sent ${f1(s.achievedRate)} req/s, under ${SCHEDULE_THRESHOLDS.rateRatio * 100}% of the target ${f1(s.targetRate)} req/s: ${why}`)
  }
  if (queue && queue.p99 > SCHEDULE_THRESHOLDS.lateP99Ms) {
    const own = `the client's own lateness p99 was ${f1(s.clientLag.p99)} ms`
    const why = s.waitedForSlot > 0 ? `${s.waitedForSlot} requests waited for a free slot (maxConcurrency ${cap}); ${own}` : own
    warnings.push(`Queue delay p99 was ${f1(queue.p99)} ms (over ${SCHEDULE_THRESHOLDS.lateP99Ms} ms): ${why}`)
  }
  return warnings
}
