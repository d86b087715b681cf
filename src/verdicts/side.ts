/**
 * One side of a comparison: a level, or several repeats of it. With repeats, each repeat's figure
 * is one observation of the run-to-run noise: the side's figure is their mean, and its standard
 * error is their spread (never less than what the repeats' own blocks show), with repeats − 1
 * degrees of freedom. Run-to-run variance is then measured, not assumed.
 */
import { evaluateGoodput } from '../metrics/goodput.js'
import type { LevelResult, SloSet } from '../results/types.js'
import { measuredRecords } from './blocks.js'
import { taskEnded } from '../metrics/workload-figures.js'
import { LevelView, sameSlo, summaryValue } from './estimate.js'
import type { Estimate } from './estimators.js'
import type { FigureSpec } from './figures.js'
import type { LevelInput } from './types.js'

export class Side {
  readonly views: LevelView[]
  private print: string | undefined

  constructor(input: LevelInput, maxBlocks?: number) {
    const levels: readonly LevelResult[] = Array.isArray(input) ? input : [input as LevelResult]
    this.views = levels.map((l) => new LevelView(l, maxBlocks))
  }

  get repeats(): number {
    return this.views.length
  }

  /** Measured requests over all repeats. */
  get requests(): number {
    return this.views.reduce((s, v) => s + v.requests, 0)
  }

  /** A digest of every measured record and summary: equal digests mean the same measurements. */
  fingerprint(): string {
    if (this.print === undefined) this.print = this.views.map((v) => digest(v.level)).join('|')
    return this.print
  }

  /** The point value of a figure (mean over repeats), null when a repeat lacks it. */
  value(spec: FigureSpec, slo: SloSet | undefined): number | null {
    const values = this.views.map((v) => pointOf(v, spec, slo))
    if (values.some((v) => v === null)) return null
    return values.reduce<number>((s, v) => s + v!, 0) / values.length
  }

  estimate(spec: FigureSpec, z: number, slo: SloSet | undefined): Estimate {
    const parts = this.views.map((v) => {
      const e = v.estimate(spec, z, slo)
      return { ...e, value: pointOf(v, spec, slo) }
    })
    if (parts.length === 1) return parts[0]
    const bad = parts.find((p) => !p.ok)
    const value = this.value(spec, slo)
    if (bad) return { ...bad, value, reason: `a repeat: ${bad.reason}` }
    const k = parts.length
    const values = parts.map((p) => p.value!)
    const mean = values.reduce((s, v) => s + v, 0) / k
    const between = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (k - 1) / k
    // Within-repeat variances of the mean, in the figure's own unit.
    const abs = (p: Estimate): number => (spec.changeKind === 'relative' ? p.se * p.value! : p.se)
    const withinTerms = parts.map((p) => abs(p) ** 2 / (k * k))
    const within = withinTerms.reduce((s, v) => s + v, 0)
    const useBetween = between >= within
    const variance = useBetween ? between : within
    const df = useBetween ? k - 1 : within ** 2 / withinTerms.reduce((s, w, i) => s + (w * w) / Math.max(1, parts[i].df), 0)
    if (spec.changeKind === 'relative') {
      if (!(mean > 0)) return { value, ok: false, reason: `${spec.name} is 0: no relative change can be measured from it`, se: 0, df: 0 }
      return { value, ok: true, se: Math.sqrt(variance) / mean, df }
    }
    // Proportions: the effective sample size whose binomial variance is the measured one.
    // Answered tasks are a share of the ended tasks, not of the requests.
    const units = (v: LevelView): number => (spec.proportion === 'answered' ? v.blocks.records.filter(taskEnded).length : v.blocks.records.length)
    const n = this.views.reduce((s, v) => s + units(v), 0)
    const neff = mean > 0 && mean < 1 && variance > 0 ? Math.min(n, (mean * (1 - mean)) / variance) : n
    return { value, ok: true, se: Math.sqrt(variance), df, neff }
  }
}

/** The level's own figure: the summary's, or for goodput under other bounds, from its records. */
function pointOf(view: LevelView, spec: FigureSpec, slo: SloSet | undefined): number | null {
  const s = view.level.summary
  if (spec.kind === 'proportion' && spec.proportion === 'goodput') {
    if (slo === undefined) return null
    if (s.goodput && sameSlo(s.goodput.slo, slo)) return s.goodput.ratio
    return evaluateGoodput(measuredRecords(view.level), slo, s.durationSec).ratio
  }
  return summaryValue(view.level, spec, slo)
}

/** A cheap digest of a level: its summary and the timing of every measured record. */
function digest(level: LevelResult): string {
  let h1 = 0x811c9dc5
  let h2 = 0x9e3779b9
  const f = new Float64Array(1)
  const u = new Uint32Array(f.buffer)
  const mix = (x: number): void => {
    f[0] = x
    h1 = Math.imul(h1 ^ u[0], 0x01000193) ^ Math.imul(h2, 0x85ebca6b)
    h2 = Math.imul(h2 ^ u[1], 0xc2b2ae35) ^ (h1 >>> 13)
  }
  for (const r of level.records) {
    if (r.warmup || r.cooldown) continue
    mix(r.index)
    mix(r.sentAt)
    mix(r.endAt)
    mix(r.firstTokenAt ?? -1)
    mix(r.lastTokenAt ?? -1)
    mix(r.outputTokens)
    mix(r.inputTokens)
    mix(r.outcome.length * 31 + r.outcome.charCodeAt(0))
    const t = r.tokenTimes
    if (t && t.length > 0) {
      mix(t.length)
      mix(t[0])
      mix(t[t.length >> 1])
      mix(t[t.length - 1])
    }
  }
  return `${JSON.stringify(level.summary).length}:${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}:${hashString(JSON.stringify(level.summary))}`
}

function hashString(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}
