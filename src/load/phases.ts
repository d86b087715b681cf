/**
 * The phases of a level: warm-up, measured, cool-down, each bounded by a count of requests or a
 * time. Requests are assigned in the order they are scheduled; the level ends when the last phase
 * is full. Warm-up and cool-down requests run at full size and keep the load steady around the
 * measured part, but are left out of every figure.
 */

export type Bound = { count: number } | { ms: number }
export type Phase = 'warmup' | 'measured' | 'cooldown'

export interface PhasePlan {
  warmup: Bound
  measured: Bound
  cooldown: Bound
}

const ORDER: Phase[] = ['warmup', 'measured', 'cooldown']

/** Assigns phases to requests scheduled at non-decreasing times (ms since the level began). */
export class PhaseClock {
  private phase = 0
  private inPhase = 0
  private phaseStart = 0
  /** When the measured phase began and ended (ms since the level began), once known. */
  measuredStart = 0
  measuredEnd = Infinity

  private endRequested = false

  constructor(private readonly plan: PhasePlan) {}

  /** Ends the measured phase at the next request (an early stop): cool-down, if any, follows. */
  endMeasured(): void {
    this.endRequested = true
  }

  /** The phase of a request scheduled at `t`, or null when the level is over. */
  next(t: number): Phase | null {
    if (this.endRequested && ORDER[this.phase] === 'measured') {
      this.endRequested = false
      this.advance(t)
    }
    while (this.phase < ORDER.length) {
      const bound = this.plan[ORDER[this.phase]]
      const full = 'count' in bound ? this.inPhase >= bound.count : t >= this.phaseStart + bound.ms
      if (!full) {
        this.inPhase++
        return ORDER[this.phase]
      }
      this.advance('count' in bound ? t : this.phaseStart + bound.ms)
    }
    return null
  }

  /** The phase `next(t)` would give, without taking a place in it. */
  peek(t: number): Phase | null {
    const saved = [this.phase, this.inPhase, this.phaseStart, this.measuredStart, this.measuredEnd, this.endRequested] as const
    const phase = this.next(t)
    ;[this.phase, this.inPhase, this.phaseStart, this.measuredStart, this.measuredEnd, this.endRequested] = saved
    return phase
  }

  /** A time-bound phase's end: the first request past it may come much later than the bound. */
  private advance(end: number): void {
    if (ORDER[this.phase] === 'warmup') this.measuredStart = end
    if (ORDER[this.phase] === 'measured') this.measuredEnd = end
    this.phase++
    this.inPhase = 0
    this.phaseStart = end
  }

  /** The level's time limit, if every phase has one (ms since the level began). */
  static deadline(plan: PhasePlan): number | undefined {
    let total = 0
    for (const p of ORDER) {
      const b = plan[p]
      if ('count' in b) {
        if (b.count > 0) return undefined
      } else total += b.ms
    }
    return total
  }
}
