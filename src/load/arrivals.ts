/**
 * Arrival processes in "operational time": gaps with mean 1, which a rate profile (profile.ts)
 * maps onto the clock. Constant gaps are exactly 1; Poisson gaps are exponential; gamma gaps have
 * shape `burstiness` and scale 1/burstiness (vLLM's --burstiness: 1 is Poisson, below 1 burstier,
 * above 1 more regular), so every process keeps the same mean rate.
 */
import type { Arrival } from '../results/types.js'

/** A source of gaps with mean 1, drawn from `rand` (uniform in [0, 1)). */
export type GapSource = () => number

export function gapSource(arrival: Arrival, burstiness: number, rand: () => number): GapSource {
  if (arrival === 'constant') return () => 1
  if (arrival === 'poisson' || burstiness === 1) return () => exponential(rand)
  if (!(burstiness > 0)) throw new Error(`burstiness must be a positive number, got ${burstiness}`)
  return () => gamma(burstiness, rand) / burstiness
}

/** Exp(1). 1 - u lies in (0, 1], so the log is finite. */
function exponential(rand: () => number): number {
  return -Math.log(1 - rand())
}

/** Gamma(shape, 1) by Marsaglia and Tsang's method; shapes below 1 by the boost u^(1/shape). */
function gamma(shape: number, rand: () => number): number {
  if (shape < 1) {
    const u = 1 - rand()
    return gamma(shape + 1, rand) * Math.pow(u, 1 / shape)
  }
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = normal(rand)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = 1 - rand()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** N(0, 1) by Box-Muller (one of the pair; simplicity over speed, arrivals are few). */
function normal(rand: () => number): number {
  const u = 1 - rand()
  const v = rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
