/**
 * The noise of a sum over a level's blocks when neighbouring blocks are alike (a queue that
 * builds over several waves, a slow stretch of the server): the long-run variance of the per-block
 * residual series, from its autocovariances with a bandwidth the data choose (Politis' flat-top
 * window and rule, as in the automatic block length of Politis & White). Independent blocks give
 * the plain variance; blocks that stay alike for many neighbours give several times more, and
 * fewer degrees of freedom. This is what a moving-block bootstrap with a data-chosen block length
 * measures, in closed form.
 */

export interface LongRun {
  /** Variance of the series' sum. */
  variance: number
  /** Degrees of freedom of that variance: about the number of independent stretches, less one. */
  df: number
  /** Lags the window spans (0: the blocks look independent). */
  bandwidth: number
}

/** Lags whose autocorrelation must all look like noise before the window closes (Politis' K_N). */
function quietRun(m: number): number {
  return Math.max(5, Math.ceil(Math.sqrt(Math.log10(Math.max(10, m)))))
}

/**
 * The flat-top (trapezoid) lag window: full weight up to half the bandwidth, then down to 0. It is
 * twice Bartlett's window of the full bandwidth less Bartlett's of half of it, which cancels
 * Bartlett's first-order bias (Bartlett underweights the lags that matter most when neighbours
 * stay alike for long).
 */
function flatTop(t: number): number {
  const a = Math.abs(t)
  return a <= 0.5 ? 1 : a < 1 ? 2 * (1 - a) : 0
}

/**
 * Stretches a level's noise is measured over, at least: each lag window spans at least 1/BATCHES
 * of the level, as in batch means with a fixed number of batches (Schmeiser's 10 to 30), which
 * stays valid (with its t degrees of freedom) however far the likeness of neighbours reaches,
 * including the weak but long likeness that short series cannot show as significant.
 */
export const BATCHES = 16

/**
 * Long-run variance from autocovariances γ(0..H) of a series of `m` terms (`gamma[h]`: the sum of
 * centred lag-h products over m), with the Bartlett window (always positive, and the same as
 * overlapping batch means) over a bandwidth of at least m / BATCHES terms, longer when the
 * autocorrelations say so (Politis' rule: the first run of insignificant lags).
 */
export function fromAutocovariances(gamma: ArrayLike<number>, m: number): LongRun {
  if (m < 2 || !(gamma[0] > 0)) return { variance: 0, df: Math.max(0, m - 1), bandwidth: 0 }
  const h = gamma.length - 1
  const quiet = quietRun(m)
  const threshold = 2 * Math.sqrt(Math.log10(Math.max(10, m)) / m)
  // Smallest lag after which `quiet` autocorrelations in a row are insignificant.
  let lag = -1
  for (let k = 0; k + quiet <= h; k++) {
    let ok = true
    for (let j = 1; j <= quiet && ok; j++) ok = Math.abs(gamma[k + j] / gamma[0]) < threshold
    if (ok) {
      lag = k
      break
    }
  }
  // Too short a series to tell: the floor alone. Never quiet within the lags computed: dependence
  // as long as the data can show; take them all.
  const chosen = h < quiet ? 1 : lag < 0 ? h + 1 : 2 * lag + 1
  const bandwidth = Math.min(h + 1, Math.max(chosen, Math.ceil(m / BATCHES)))
  let s = gamma[0]
  for (let k = 1; k < bandwidth; k++) s += 2 * flatTop(k / bandwidth) * gamma[k]
  // Never claim the blocks vary less than they do one by one (negative correlation is rare and unstable).
  s = Math.max(s, gamma[0])
  // Equivalent degrees of freedom of a lag-window estimate: m / (bandwidth · ∫λ²) (Priestley),
  // and the flat-top window's ∫λ² over [−1, 1] is 4/3: 0.75 per bandwidth's length of series
  // (about 12 at the shortest bandwidth, a sixteenth of the level).
  const df = bandwidth <= 1 ? m - 1 : Math.max(1, Math.floor((0.75 * m) / bandwidth))
  return { variance: (m * m * s) / (m - 1), df: Math.min(m - 1, df), bandwidth }
}

/** Long-run variance of the sum of `x` (centred on its own mean), lags up to a third of its length. */
export function longRunVariance(x: ArrayLike<number>): LongRun {
  const m = x.length
  if (m < 2) return { variance: 0, df: 0, bandwidth: 0 }
  let mean = 0
  for (let i = 0; i < m; i++) mean += x[i]
  mean /= m
  const c = new Float64Array(m)
  for (let i = 0; i < m; i++) c[i] = x[i] - mean
  const h = Math.min(m - 1, Math.max(quietRun(m) + 1, Math.ceil(m / BATCHES), Math.floor(m / 3)))
  const gamma = new Float64Array(h + 1)
  for (let k = 0; k <= h; k++) {
    let s = 0
    for (let i = k; i < m; i++) s += c[i] * c[i - k]
    gamma[k] = s / m
  }
  return fromAutocovariances(gamma, m)
}
