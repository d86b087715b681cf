/**
 * How an open-loop level kept to its schedule (METRICS.md, Validity): the rate it asked for, the
 * rate its random schedule actually drew, the rate it sent, and the client's own lateness apart
 * from waits for a free slot, so a warning can say whose fault a late request was.
 */
import type { RequestRecord, ScheduleSummary } from '../results/types.js'
import { computeStats } from './stats.js'

export const SCHEDULE_THRESHOLDS = { rateRatio: 0.95, lateP99Ms: 10 } as const

export interface ScheduleInput {
  /** Measured requests (no warm-up or cool-down), in index order. */
  measured: readonly RequestRecord[]
  targetRate: number
  maxConcurrency?: number
}

export function summarizeSchedule(input: ScheduleInput): { schedule: ScheduleSummary; warnings: string[] } {
  const { measured, targetRate } = input
  const lag: number[] = []
  let waited = 0
  for (const r of measured) {
    const ready = r.readyAt ?? r.scheduledAt
    lag.push(Math.max(0, r.sentAt - ready))
    if (ready > r.scheduledAt) waited++
  }
  const clientLag = computeStats(lag) ?? computeStats([0])!
  const scheduledRate = rateOf(measured.map((r) => r.scheduledAt), targetRate)
  const achievedRate = rateOf(measured.map((r) => r.sentAt), targetRate)
  const behind = clientLag.p99 > SCHEDULE_THRESHOLDS.lateP99Ms || achievedRate < SCHEDULE_THRESHOLDS.rateRatio * scheduledRate
  const schedule: ScheduleSummary = { targetRate, scheduledRate, achievedRate, clientLag, waitedForSlot: waited, behind }
  return { schedule, warnings: scheduleWarnings(schedule, measured, input.maxConcurrency) }
}

/** (n − 1) intervals over the span from the first time to the last, per second. */
function rateOf(times: number[], fallback: number): number {
  if (times.length < 2) return fallback
  let min = Infinity
  let max = -Infinity
  for (const t of times) {
    if (t < min) min = t
    if (t > max) max = t
  }
  return max > min ? ((times.length - 1) * 1000) / (max - min) : fallback
}

const f1 = (x: number) => x.toFixed(1)

function scheduleWarnings(s: ScheduleSummary, measured: readonly RequestRecord[], cap?: number): string[] {
  const warnings: string[] = []
  if (s.achievedRate < SCHEDULE_THRESHOLDS.rateRatio * s.targetRate) {
    const why =
      s.scheduledRate < SCHEDULE_THRESHOLDS.rateRatio * s.targetRate && s.achievedRate >= SCHEDULE_THRESHOLDS.rateRatio * s.scheduledRate
        ? `its random arrivals themselves came at ${f1(s.scheduledRate)} req/s over ${measured.length} requests (more requests make the draw closer to the target)`
        : s.waitedForSlot > 0
          ? `${s.waitedForSlot} requests waited for a free slot (maxConcurrency ${cap}): the server could not keep up with the rate`
          : 'the client fell behind its schedule: the load generator was a bottleneck'
    warnings.push(`Sent ${f1(s.achievedRate)} req/s, under ${SCHEDULE_THRESHOLDS.rateRatio * 100}% of the target ${f1(s.targetRate)} req/s: ${why}`)
  }
  const queue = computeStats(measured.map((r) => r.sentAt - r.scheduledAt))
  if (queue && queue.p99 > SCHEDULE_THRESHOLDS.lateP99Ms) {
    const own = `the client's own lateness p99 was ${f1(s.clientLag.p99)} ms`
    const why = s.waitedForSlot > 0 ? `${s.waitedForSlot} requests waited for a free slot (maxConcurrency ${cap}); ${own}` : own
    warnings.push(`Queue delay p99 was ${f1(queue.p99)} ms (over ${SCHEDULE_THRESHOLDS.lateP99Ms} ms): ${why}`)
  }
  return warnings
}
