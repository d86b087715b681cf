/** Scales and ticks for the charts (d3-scale, which LayerCake itself is built on). */
import { scaleLinear, scaleLog, scaleTime } from 'd3-scale'

export type Scale = ReturnType<typeof scaleLinear<number>> | ReturnType<typeof scaleLog<number>> | ReturnType<typeof scaleTime<number>>

/** A log axis when every value is positive and they span a factor of 8 or more (concurrency 1, 10, 100). */
export function wantsLog(values: number[]): boolean {
  if (!values.length || values.some((v) => !(v > 0))) return false
  return Math.max(...values) / Math.min(...values) >= 8
}

export function makeScale(log: boolean, time = false): Scale {
  if (time) return scaleTime<number>()
  return log ? scaleLog<number>().clamp(true) : scaleLinear<number>()
}

/** Pixels per character of a 10 px axis label, on the wide side, and the least gap between two labels. */
const CHAR_PX = 6.4
const GAP_PX = 6

/**
 * The ticks whose labels fit side by side: from the left, each one clear of the last kept; the
 * last tick replaces the one before it when both cannot be shown, so both ends stay labelled.
 */
export function thinTicks<T extends { at: number; text: string }>(ticks: T[]): T[] {
  const half = (t: T) => (t.text.length * CHAR_PX) / 2
  const clear = (a: T, b: T) => Math.abs(b.at - a.at) >= half(a) + half(b) + GAP_PX
  const sorted = [...ticks].sort((a, b) => a.at - b.at)
  const kept: T[] = []
  for (const t of sorted) if (!kept.length || clear(kept[kept.length - 1], t)) kept.push(t)
  const last = sorted[sorted.length - 1]
  if (last && kept[kept.length - 1] !== last && kept.length > 1 && clear(kept[kept.length - 2], last)) kept[kept.length - 1] = last
  return kept
}

/** About `count` ticks; a log scale keeps 1, 2 and 5 of each decade. */
export function ticksOf(scale: Scale, count: number): number[] {
  const t = (scale as { ticks(n: number): Array<number | Date> }).ticks(count).map(Number)
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
