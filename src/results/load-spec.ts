import type { Arrival } from '../options/vocabulary.js'

/**
 * What a level is: a concurrency (closed loop: a request is sent when a slot frees) or a request
 * rate (open loop: requests are sent on a schedule, whether or not the server keeps up).
 */
export interface LoadSpec {
  kind: 'concurrency' | 'rate'
  /** Concurrent slots, or requests per second. For a ramp, the value it ends at. */
  value: number
  /** Rate levels: how gaps between arrivals are drawn (gamma with `burstiness`; 1 = Poisson). */
  arrival?: Arrival
  burstiness?: number
  /** Rate levels: the most requests in flight at once; a request waiting for a slot keeps its scheduled time. */
  maxConcurrency?: number
  /** A level whose concurrency or rate grows from `from` to `value` over `overSec`. */
  ramp?: { from: number; overSec: number; shape: 'linear' | 'exponential' }
  /** This level is repeat `index` of `of` (`repeat`): the same load run again, with its own warm-up. */
  repeat?: { index: number; of: number }
}
