/**
 * Where a level's records go as they end, one at a time, whether they come from this thread's
 * loop (level.ts) or from load threads (threads.ts): the records file, the streaming summary
 * (twelve numbers a request), the bounded sample kept in the result, and for open loops and
 * timed levels the schedule and the time slices. Nothing here holds every record.
 */
import { LevelAccumulator } from '../metrics/accumulator.js'
import { ScheduleCollector } from '../metrics/schedule.js'
import { SliceCollector, sliceWidth } from '../metrics/slices.js'
import { levelResultOf, levelSampleSeed, RecordSampler } from '../results/trim.js'
import type { RecordsSink } from '../results/records-file.js'
import type { LevelResult, LevelSummary, RequestRecord } from '../results/types.js'
import type { LevelPlan } from './levels.js'
import type { ScenarioOptions } from './scenario.js'

export class LevelCollector {
  private readonly acc = new LevelAccumulator()
  private readonly sample: RecordSampler
  private readonly schedule: ScheduleCollector | undefined
  private slices: SliceCollector | undefined

  constructor(
    private readonly opts: ScenarioOptions,
    private readonly plan: LevelPlan,
    private readonly index: number,
    private readonly file?: RecordsSink,
  ) {
    this.sample = new RecordSampler({ limit: opts.recordsLimit, seed: levelSampleSeed(opts.seed, index) })
    this.schedule = plan.load.kind === 'rate' ? new ScheduleCollector() : undefined
    file?.level({ index, load: plan.load })
  }

  /** Ramps and timed levels keep figures over time, from the loop's start (`loopStart`, monotonic ms). */
  startSlices(loopStart: number): void {
    const { plan } = this
    const measured = plan.phases.measured
    if (!plan.load.ramp && !('ms' in measured)) return
    const warmMs = 'ms' in plan.phases.warmup ? plan.phases.warmup.ms : 0
    const lengthMs = 'ms' in measured ? measured.ms : plan.load.ramp!.overSec * 1000
    const profile = plan.profile
    this.slices = new SliceCollector(loopStart + warmMs, sliceWidth(lengthMs), loopStart, (t) => (profile ? profile.valueAt(t) : plan.load.value))
  }

  add(r: RequestRecord): void {
    this.file?.record(this.index, r)
    this.acc.add(r)
    this.sample.add(r)
    if (r.warmup || r.cooldown) return
    this.schedule?.add(r)
    this.slices?.add(r)
  }

  /** The level's summary: `meanTarget` is a rate level's mean target over its measured part. */
  summary(client: LevelSummary['client'], meanTarget: number): LevelSummary {
    const summary = this.acc.finish({ load: this.plan.load, slo: this.opts.goodput, client })
    if (this.schedule) {
      const s = this.schedule.summarize(meanTarget, this.plan.load.maxConcurrency)
      summary.schedule = s.schedule
      summary.warnings.push(...s.warnings)
    }
    if (this.slices) summary.timeSlices = this.slices.result()
    return summary
  }

  /** Ends the level in the records file and gives its result: the summary and the kept sample. */
  result(summary: LevelSummary): LevelResult {
    this.file?.levelEnd(this.index, summary)
    return levelResultOf(summary, this.sample)
  }
}
