/**
 * Comparing one figure of two levels (base and new): the change, its interval and a verdict.
 * Continuous figures compare on the log scale (their ratio), so swapping the sides negates the
 * interval and flips regressed and improved exactly; a tolerance of 5% is a factor of 1.05 either
 * way. Goodput and error rate compare in percentage points with Newcombe's interval for a
 * difference of proportions, on effective sample sizes that carry the requests' dependence.
 */
import type { SloSet } from '../results/types.js'
import { newcombe, normalQuantile, tQuantile } from './distributions.js'
import type { Estimate } from './estimators.js'
import { toleranceOf, type FigureSpec } from './figures.js'
import type { Side } from './side.js'
import type { CompareOptions, FigureComparison, Verdict } from './types.js'

export interface FigureContext {
  /** Confidence of this figure's interval (already adjusted for multiplicity). */
  confidence: number
  tolerance: CompareOptions['tolerance']
  goodput: SloSet | undefined
}

/** Welch–Satterthwaite degrees of freedom of a sum of two variances. */
function satterthwaite(v1: number, df1: number, v2: number, df2: number): number {
  const num = (v1 + v2) ** 2
  const den = (df1 > 0 ? (v1 * v1) / df1 : 0) + (df2 > 0 ? (v2 * v2) / df2 : 0)
  if (!(den > 0)) return Math.max(1, Math.min(df1 || Infinity, df2 || Infinity))
  return Math.max(1, num / den)
}

/** The verdict of an interval oriented so that positive is worse, against ±`bound` (same units). */
function decide(worseLo: number, worseHi: number, lowBound: number, highBound: number): Verdict {
  if (worseLo > highBound) return 'regressed'
  if (worseHi < -lowBound) return 'improved'
  if (worseLo >= -lowBound && worseHi <= highBound) return 'equivalent'
  return 'inconclusive'
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(Math.abs(x) < 0.1 ? 1 : 0)}%`

export function compareFigure(base: Side, next: Side, spec: FigureSpec, ctx: FigureContext): FigureComparison {
  const tolerance = toleranceOf(spec, ctx.tolerance)
  const better = spec.better ?? 'lower'
  const alpha = 1 - ctx.confidence
  const row = (fields: Omit<FigureComparison, 'figure' | 'better' | 'changeKind' | 'confidence' | 'tolerance' | 'n'>): FigureComparison => ({
    figure: spec.name,
    better,
    changeKind: spec.changeKind,
    confidence: ctx.confidence,
    tolerance,
    n: { base: base.requests, next: next.requests },
    ...(base.repeats > 1 || next.repeats > 1 ? { repeats: { base: base.repeats, next: next.repeats } } : {}),
    ...fields,
  })
  const b0 = base.value(spec, ctx.goodput)
  const n0 = next.value(spec, ctx.goodput)
  const changeOf = (b: number | null, n: number | null): number => {
    if (b === null || n === null) return 0
    if (spec.changeKind === 'points') return n - b
    if (b === n) return 0
    return b !== 0 ? n / b - 1 : n > 0 ? Infinity : -Infinity
  }
  const open: [number, number] = [-Infinity, Infinity]

  // The same measurements on both sides: no difference, and no doubt about it.
  if (base.fingerprint() === next.fingerprint()) {
    return row({ base: b0, next: n0, change: 0, interval: [0, 0], verdict: 'equivalent', reason: 'the same measurements on both sides' })
  }
  const z = normalQuantile(1 - alpha / 2)
  const eb = base.estimate(spec, z, ctx.goodput)
  const en = next.estimate(spec, z, ctx.goodput)
  const change = changeOf(eb.value, en.value)
  if (!eb.ok || !en.ok) {
    const which = !eb.ok ? (!en.ok && en.reason !== eb.reason ? `base: ${eb.reason}; new: ${en.reason}` : `base: ${eb.reason}`) : `new: ${en.reason}`
    const needed = Math.max(eb.needed ?? 0, en.needed ?? 0)
    return row({ base: eb.value, next: en.value, change, interval: open, verdict: 'inconclusive', reason: which, ...(needed > 0 ? { needed } : {}) })
  }
  return spec.changeKind === 'points'
    ? pointsRow(row, spec, better, eb, en, alpha, tolerance, base, next)
    : relativeRow(row, spec, better, eb, en, alpha, tolerance, base, next)
}

type Row = (fields: Omit<FigureComparison, 'figure' | 'better' | 'changeKind' | 'confidence' | 'tolerance' | 'n'>) => FigureComparison

function relativeRow(row: Row, spec: FigureSpec, better: 'lower' | 'higher', eb: Estimate, en: Estimate, alpha: number, tolerance: number, base: Side, next: Side): FigureComparison {
  const b = eb.value!
  const n = en.value!
  if (b === 0 && n === 0) return row({ base: b, next: n, change: 0, interval: [0, 0], verdict: 'equivalent', reason: 'both are 0' })
  const vb = eb.se ** 2
  const vn = en.se ** 2
  const df = satterthwaite(vb, eb.df, vn, en.df)
  const m = tQuantile(1 - alpha / 2, df)
  const s = Math.sqrt(vb + vn)
  const d = Math.log(n) - Math.log(b)
  const lo = d - m * s
  const hi = d + m * s
  const bound = Math.log1p(tolerance)
  const [wlo, whi] = better === 'lower' ? [lo, hi] : [-hi, -lo]
  const verdict = decide(wlo, whi, bound, bound)
  const change = n / b - 1
  const fields: Parameters<Row>[0] = { base: b, next: n, change, interval: [Math.expm1(lo), Math.expm1(hi)], verdict }
  if (verdict === 'inconclusive') {
    const dw = better === 'lower' ? d : -d
    const target = Math.abs(Math.abs(dw) - bound)
    Object.assign(fields, explainInconclusive(spec, m * s, target, [vb, vn], base, next, `${pct(change)} [${pct(Math.expm1(lo))}, ${pct(Math.expm1(hi))}]`, `×/÷ ${(1 + tolerance).toFixed(3).replace(/0+$/, '')}`))
  }
  return row(fields)
}

function pointsRow(row: Row, spec: FigureSpec, better: 'lower' | 'higher', eb: Estimate, en: Estimate, alpha: number, tolerance: number, base: Side, next: Side): FigureComparison {
  const pb = eb.value!
  const pn = en.value!
  const nb = eb.neff!
  const nn = en.neff!
  const vb = (pb * (1 - pb)) / nb
  const vn = (pn * (1 - pn)) / nn
  const df = satterthwaite(vb, eb.df, vn, en.df)
  const m = tQuantile(1 - alpha / 2, df)
  const d = pn - pb
  const [lo, hi] = newcombe(pb, nb, pn, nn, m)
  const [wlo, whi] = better === 'lower' ? [lo, hi] : [-hi, -lo]
  const verdict = decide(wlo, whi, tolerance, tolerance)
  const fields: Parameters<Row>[0] = { base: pb, next: pn, change: d, interval: [lo, hi], verdict }
  if (verdict === 'inconclusive') {
    const dw = better === 'lower' ? d : -d
    const pp = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pp`
    Object.assign(fields, explainInconclusive(spec, (hi - lo) / 2, Math.abs(Math.abs(dw) - tolerance), [vb, vn], base, next, `${pp(d)} [${pp(lo)}, ${pp(hi)}]`, `± ${(tolerance * 100).toFixed(1)} pp`))
  }
  return row(fields)
}

/**
 * Why an interval straddles a tolerance line, and how many requests per level (each side) would
 * narrow it enough if the change stayed as measured: the half-width shrinks as 1/√requests.
 */
function explainInconclusive(
  spec: FigureSpec, half: number, target: number, variances: [number, number], base: Side, next: Side, measured: string, band: string,
): Pick<FigureComparison, 'reason' | 'needed'> {
  const reason = `${spec.name} ${measured} spans the tolerance ${band}`
  if (!(target > half * 1e-6)) return { reason: `${reason}: the change sits on the tolerance, so no sample size decides it` }
  if (base.repeats > 1 || next.repeats > 1) {
    const k = Math.max(base.repeats, next.repeats)
    const more = Math.ceil(k * (half / target) ** 2)
    return { reason: `${reason}: about ${more} repeats per side would decide it` }
  }
  // Each side's variance scales as 1/requests: at N requests per side the half-width is
  // half · sqrt((v_b·n_b + v_n·n_n) / N / (v_b + v_n)).
  const [vb, vn] = variances
  const nb = base.requests
  const nn = next.requests
  const weighted = vb + vn > 0 ? (vb * nb + vn * nn) / (vb + vn) : Math.max(nb, nn)
  const needed = Math.max(Math.ceil(weighted * (half / target) ** 2), Math.max(nb, nn) + 1)
  return { reason: `${reason}: about ${needed} measured requests per level would decide it`, needed }
}
