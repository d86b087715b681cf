/** Scales and ticks for the charts (d3-scale, which LayerCake itself is built on). */
import { scaleLinear, scaleLog } from 'd3-scale'

export type Scale = ReturnType<typeof scaleLinear<number>> | ReturnType<typeof scaleLog<number>>

/** A log axis when every value is positive and they span a factor of 8 or more (concurrency 1, 10, 100). */
export function wantsLog(values: number[]): boolean {
  if (!values.length || values.some((v) => !(v > 0))) return false
  return Math.max(...values) / Math.min(...values) >= 8
}

export function makeScale(log: boolean): Scale {
  return log ? scaleLog<number>().clamp(true) : scaleLinear<number>()
}

/** About `count` ticks; a log scale keeps 1, 2 and 5 of each decade. */
export function ticksOf(scale: Scale, count: number): number[] {
  const t = (scale as { ticks(n: number): number[] }).ticks(count)
  if (!('base' in scale) || t.length <= count + 2) return t
  const nice = t.filter((v) => {
    const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9)
    return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6)
  })
  return nice.length > count + 2 ? nice.filter((v) => Math.abs(v / 10 ** Math.round(Math.log10(v)) - 1) < 1e-6) : nice
}

/** [min, max] of finite values, widened when flat so a scale never collapses. */
export function extent(values: number[], log = false): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (lo > hi) return log ? [1, 10] : [0, 1]
  if (lo === hi) return log ? [lo / 2, hi * 2] : lo === 0 ? [0, 1] : [Math.min(0, lo), Math.max(0, hi) * 1.1 || 1]
  return [lo, hi]
}

/** An SVG path through the points, skipping gaps (undefined y) by starting a new segment. */
export function linePath(points: Array<[number, number] | undefined>): string {
  let d = ''
  let pen = false
  for (const p of points) {
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      pen = false
      continue
    }
    d += `${pen ? 'L' : 'M'}${Math.round(p[0] * 10) / 10},${Math.round(p[1] * 10) / 10}`
    pen = true
  }
  return d
}
