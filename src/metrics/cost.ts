/**
 * What a level's tokens cost (docs/request-kinds.md, "What tokens cost"): energy integrated from
 * the GPU power samples over the level's measured window, and money from the price given. A level
 * without power samples has no energy figure, and says why: never zero.
 */
import type { CostOptions } from '../options/kinds.js'
import type { CostSummary, EnergySummary, LevelSummary, TelemetrySeries } from '../results/types.js'

/** Output and input tokens of the level's succeeded requests (its throughputs × its duration). */
export function levelTokens(s: LevelSummary): { output: number; input: number } {
  return { output: Math.round(s.throughput.outputTokensPerSec * s.durationSec), input: Math.round(s.throughput.inputTokensPerSec * s.durationSec) }
}

/** The GPU power series of a run's telemetry (nvidia-smi's power.draw, DCGM's POWER_USAGE). */
export function powerSeries(series: readonly TelemetrySeries[]): TelemetrySeries[] {
  return series.filter((s) => s.source === 'gpu' && s.unit === 'W' && s.label === 'GPU power')
}

function medianGap(points: ReadonlyArray<[number, number]>): number {
  if (points.length < 2) return Infinity
  const gaps = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b)
  return gaps[gaps.length >> 1]
}

/** P(t): linear between the samples around t (binary search), the first or last sample beyond them. */
function valueAt(points: ReadonlyArray<[number, number]>, t: number): number {
  if (t <= points[0][0]) return points[0][1]
  if (t >= points[points.length - 1][0]) return points[points.length - 1][1]
  let lo = 0
  let hi = points.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (points[mid][0] <= t) lo = mid
    else hi = mid
  }
  const [t0, v0] = points[lo]
  const [t1, v1] = points[hi]
  return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0)
}

/**
 * ∫ P dt over [a, b] (ms) of one series, P linear between samples and held at the first and last
 * sample beyond them; undefined unless samples reach within 1.5 sampling gaps of both ends.
 */
function integrate(points: ReadonlyArray<[number, number]>, a: number, b: number): { joules: number; inside: number } | undefined {
  if (points.length === 0) return undefined
  const slack = 1.5 * (Number.isFinite(medianGap(points)) ? medianGap(points) : 1000)
  if (points[0][0] > a + slack || points[points.length - 1][0] < b - slack) return undefined
  // Trapezoids between a, the samples inside (a, b), and b.
  let mj = 0
  let inside = 0
  let pt = a
  let pv = valueAt(points, a)
  for (const [t, v] of points) {
    if (t <= a || t >= b) continue
    mj += ((pv + v) / 2) * (t - pt)
    pt = t
    pv = v
    inside++
  }
  mj += ((pv + valueAt(points, b)) / 2) * (b - pt)
  return { joules: mj / 1000, inside }
}

/** The level's energy from the GPU power series, over its measured window (monotonic ms, as the records). */
export function levelEnergy(series: readonly TelemetrySeries[], window: { start: number; end: number }, s: LevelSummary): EnergySummary {
  const power = powerSeries(series)
  if (power.length === 0) return { missing: 'no GPU power samples: no GPU telemetry answered (nvidia-smi or a DCGM exporter, docs/telemetry.md)' }
  const windowSec = (window.end - window.start) / 1000
  if (!(windowSec > 0)) return { missing: 'the level has no measured window' }
  let joules = 0
  let samples = 0
  for (const p of power) {
    const e = integrate(p.points, window.start, window.end)
    if (!e) return { missing: `GPU power samples do not cover the level's ${windowSec.toFixed(2)} s window (GPU ${p.labels?.gpu ?? '?'}): sample more often (telemetry interval) or run longer levels` }
    joules += e.joules
    samples += e.inside
  }
  const { output } = levelTokens(s)
  if (output === 0) return { missing: 'no output token was generated at this level' }
  return { joules, perOutputToken: joules / output, watts: joules / windowSec, gpus: power.length, samples, windowSec }
}

/**
 * The level's cost at the price given: GPU-hours (price × GPUs × duration), or a hosted API's
 * per-token prices. Per million output (input) tokens is the whole cost over the output (input)
 * tokens; undefined without a request that succeeded.
 */
export function levelCost(c: CostOptions, s: LevelSummary): CostSummary | undefined {
  const { output, input } = levelTokens(s)
  const succeeded = s.requests.succeeded
  if (succeeded === 0) return undefined
  const hourly = c.perHour !== undefined
  const total = hourly
    ? (c.perHour! * (c.gpus ?? 1) * s.durationSec) / 3600
    : (input * (c.perMillionInput ?? 0) + output * (c.perMillionOutput ?? 0)) / 1e6
  return {
    basis: hourly ? 'gpu-hours' : 'tokens',
    total,
    ...(output > 0 ? { perMillionOutput: (total / output) * 1e6 } : {}),
    ...(input > 0 ? { perMillionInput: (total / input) * 1e6 } : {}),
    perRequest: total / succeeded,
  }
}
