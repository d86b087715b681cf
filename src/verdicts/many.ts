/**
 * Comparing every figure of two levels, and of two whole results matched by scenario and load,
 * with one correction for testing many figures at once: Bonferroni over every figure of every
 * matched level (so the chance that any decisive verdict is wrong stays under 1 − confidence), or,
 * when primary figures are declared, over those alone while the rest are shown as secondary.
 */
import type { LevelResult, LoadSpec, SloSet } from '../results/types.js'
import { compareFigure } from './compare.js'
import { DEFAULT_FIGURES, figureSpec, requireFigure, type FigureSpec } from './figures.js'
import { Side } from './side.js'
import { summaryValue } from './estimate.js'
import type { CompareOptions, Correction, LevelComparison, LevelInput, Verdict, VerdictDocument } from './types.js'
import { formatChange } from '../results/verdicts.js'

interface Pair {
  note?: string
  scenario?: string
  name?: string
  load: LoadSpec
  base: Side
  next: Side
  figures: FigureSpec[]
  goodput: SloSet | undefined
}

const first = (input: LevelInput): LevelResult => (Array.isArray(input) ? (input as readonly LevelResult[])[0] : (input as LevelResult))
const all = (input: LevelInput): readonly LevelResult[] => (Array.isArray(input) ? (input as readonly LevelResult[]) : [input as LevelResult])

/**
 * TTFT and ITL are stamped by the client, so a client that was busier in one run than in the other
 * moves them without the server changing (bench/verdicts.js found identical runs' itl.p90 and
 * ttft.p50 following the client's event-loop delay on a shared machine). Said, never decided on.
 */
export function clientNote(base: LevelInput, next: LevelInput): string | undefined {
  const delay = (input: LevelInput): number => Math.max(0, ...all(input).map((l) => l.summary.client?.eventLoopDelayP99Ms ?? 0))
  const b = delay(base)
  const n = delay(next)
  const [lo, hi] = b < n ? [b, n] : [n, b]
  if (hi < CLIENT_DELAY_FLOOR_MS || hi < 2 * Math.max(lo, 1)) return undefined
  const busier = n > b ? 'new run' : 'baseline'
  return `the client's event-loop delay p99 was ${hi.toFixed(0)} ms in the ${busier} against ${lo.toFixed(0)} ms in the other: changes in TTFT and ITL may be the client's, not the server's (run both on a quiet machine, or with --repeat)`
}

/** Below this the client's delays are too small to move a TTFT or ITL percentile that matters. */
const CLIENT_DELAY_FLOOR_MS = 10

/** Whether a level has the figure at all (non-streamed levels have no TTFT; goodput needs bounds). */
function has(level: LevelResult, spec: FigureSpec, slo: SloSet | undefined): boolean {
  if (spec.kind === 'rate' || spec.name === 'errors.rate' || spec.name === 'errors.count') return true
  if (spec.proportion === 'goodput') return slo !== undefined
  if (spec.source || spec.proportion === 'answered') return summaryValue(level, spec, slo) !== null
  return level.summary.stats[spec.stat!] !== undefined
}

function pairOf(base: LevelInput, next: LevelInput, opts: CompareOptions, scenario?: string, name?: string): Pair {
  const b = first(base)
  const goodput = opts.goodput ?? b.summary.goodput?.slo ?? first(next).summary.goodput?.slo
  const asked = opts.figures !== undefined
  const names = [...(opts.figures ?? DEFAULT_FIGURES)]
  for (const p of opts.primary ?? []) if (!names.includes(p)) names.push(p)
  const figures = names
    .map((n) => requireFigure(n))
    .filter((s) => s.better !== undefined || asked)
    // Figures a user named are always shown; default ones only where a side has them.
    .filter((s) => (asked && opts.figures!.includes(s.name)) || has(b, s, goodput) || has(first(next), s, goodput))
  const note = clientNote(base, next)
  return { scenario, name, load: b.summary.load, base: new Side(base, opts.maxBlocks), next: new Side(next, opts.maxBlocks), figures, goodput, ...(note ? { note } : {}) }
}

/** Runs the pairs' comparisons under one correction. */
function run(pairs: Pair[], opts: CompareOptions): { correction: Correction; levels: LevelComparison[] } {
  const family = opts.confidence ?? 0.95
  if (!(family > 0 && family < 1)) throw new Error(`confidence must be between 0 and 1 (exclusive), got ${family}: e.g. 0.95`)
  const primary = opts.primary && opts.primary.length > 0 ? new Set(opts.primary) : undefined
  for (const p of primary ?? []) if (!figureSpec(p)) requireFigure(p)
  const tested = (s: FigureSpec): boolean => s.kind !== 'extreme'
  let mainTests = 0
  let secondaryTests = 0
  for (const pair of pairs) for (const s of pair.figures) if (tested(s)) (primary && !primary.has(s.name) ? secondaryTests++ : mainTests++)
  const per = (tests: number): number => 1 - (1 - family) / Math.max(1, tests)
  const correction: Correction = primary
    ? { method: 'primary', familyConfidence: family, tests: mainTests, perFigureConfidence: per(mainTests), primary: [...primary], secondary: { tests: secondaryTests, perFigureConfidence: per(secondaryTests) } }
    : { method: 'bonferroni', familyConfidence: family, tests: mainTests, perFigureConfidence: per(mainTests) }
  const levels = pairs.map((pair) => ({
    ...(pair.scenario !== undefined ? { scenario: pair.scenario } : {}),
    ...(pair.name !== undefined ? { name: pair.name } : {}),
    load: pair.load,
    ...(pair.note !== undefined ? { note: pair.note } : {}),
    figures: pair.figures.map((spec) => {
      const secondary = primary !== undefined && !primary.has(spec.name)
      const row = compareFigure(pair.base, pair.next, spec, {
        confidence: secondary ? per(secondaryTests) : per(mainTests),
        tolerance: opts.tolerance,
        goodput: pair.goodput,
      })
      return secondary ? { ...row, secondary: true as const } : row
    }),
  }))
  return { correction, levels }
}

/** Every figure of one level against the same level of another run (or repeats of each). */
export function compareLevels(base: LevelInput, next: LevelInput, opts: CompareOptions = {}): VerdictDocument {
  return document(run([pairOf(base, next, opts)], opts), [])
}

/** A run result (`llmbench run`) or a suite result (`npx llmbench`), structurally. */
export type ResultLike =
  | { levels: readonly LevelResult[]; files?: undefined }
  | { files: ReadonlyArray<{ file: string; scenarios: ReadonlyArray<{ id: string; name: string; levels: readonly LevelResult[] }> }>; levels?: undefined }

interface ScenarioLevels {
  key: string
  name: string
  /** Levels by load key; several for repeats. */
  loads: Map<string, LevelResult[]>
}

const loadKey = (l: LoadSpec): string => `${l.kind}:${l.value}`
const loadText = (l: LoadSpec): string => (l.kind === 'concurrency' ? `concurrency ${l.value}` : `rate ${l.value}/s`)

/** Scenarios of one or more results (several: repeats), keyed as the report keys them. */
function scenariosOf(results: ResultLike | readonly ResultLike[]): Map<string, ScenarioLevels> {
  const list: readonly ResultLike[] = Array.isArray(results) ? results : [results as ResultLike]
  const out = new Map<string, ScenarioLevels>()
  const add = (key: string, name: string, levels: readonly LevelResult[]): void => {
    let s = out.get(key)
    if (!s) out.set(key, (s = { key, name, loads: new Map() }))
    for (const l of levels) {
      const k = loadKey(l.summary.load)
      const arr = s.loads.get(k)
      if (arr) arr.push(l)
      else s.loads.set(k, [l])
    }
  }
  for (const r of list) {
    if (r.files) for (const f of r.files) for (const sc of f.scenarios) add(`${f.file} > ${sc.id}`, sc.name, sc.levels)
    else add('run', 'run', r.levels ?? [])
  }
  return out
}

/**
 * Every scenario and load present in both results (each side may be several results: repeats,
 * or repeated levels within one), every figure, one correction over all of them. What one side
 * lacks is listed in `unmatched` and decides nothing.
 */
export function compareResults(base: ResultLike | readonly ResultLike[], next: ResultLike | readonly ResultLike[], opts: CompareOptions = {}): VerdictDocument {
  const b = scenariosOf(base)
  const n = scenariosOf(next)
  const pairs: Pair[] = []
  const unmatched: VerdictDocument['unmatched'] = []
  for (const [key, sb] of b) {
    const sn = n.get(key)
    if (!sn) {
      unmatched.push({ side: 'base', scenario: key, message: `scenario "${sb.name}" is only in the baseline: not compared` })
      continue
    }
    for (const [lk, levels] of sb.loads) {
      const other = sn.loads.get(lk)
      const load = levels[0].summary.load
      if (!other) {
        unmatched.push({ side: 'base', scenario: key, load, message: `${loadText(load)} of "${sb.name}" is only in the baseline: not compared` })
        continue
      }
      pairs.push(pairOf(levels, other, opts, key, sb.name))
    }
    for (const [lk, levels] of sn.loads) {
      if (sb.loads.has(lk)) continue
      const load = levels[0].summary.load
      unmatched.push({ side: 'next', scenario: key, load, message: `${loadText(load)} of "${sn.name}" is not in the baseline: nothing to compare it with` })
    }
  }
  for (const [key, sn] of n) if (!b.has(key)) unmatched.push({ side: 'next', scenario: key, message: `scenario "${sn.name}" is not in the baseline: nothing to compare it with` })
  return document(run(pairs, opts), unmatched)
}

const label = (figure: string): string => {
  const [m, s] = figure.split('.')
  const metric: Record<string, string> = { ttft: 'TTFT', ttfc: 'TTFC', tpot: 'TPOT', itl: 'ITL', e2e: 'E2E', e2eWithQueue: 'E2E incl. queue', queueDelay: 'queue delay', maxTokenGap: 'max token gap' }
  if (figure === 'goodput') return 'goodput'
  if (figure === 'errors.rate') return 'error rate'
  if (m === 'throughput') return `${s} throughput`
  return `${metric[m] ?? m} ${s}`
}

export { formatChange } from '../results/verdicts.js'

function document(r: { correction: Correction; levels: LevelComparison[] }, unmatched: VerdictDocument['unmatched']): VerdictDocument {
  const counts: Record<Verdict, number> = { regressed: 0, improved: 0, equivalent: 0, inconclusive: 0 }
  const regressions: string[] = []
  for (const level of r.levels) {
    for (const f of level.figures) {
      if (f.secondary) continue
      counts[f.verdict]++
      if (f.verdict === 'regressed') regressions.push(`${label(f.figure)} ${formatChange(f)} at ${loadText(level.load)}${level.scenario && level.scenario !== 'run' ? ` (${level.name})` : ''}`)
    }
  }
  const parts: string[] = []
  if (counts.regressed > 0) parts.push(`${counts.regressed} regression${counts.regressed === 1 ? '' : 's'} (${regressions.slice(0, 3).join('; ')}${regressions.length > 3 ? '; …' : ''})`)
  else parts.push('no regression')
  if (counts.improved > 0) parts.push(`${counts.improved} improved`)
  parts.push(`${counts.equivalent} equivalent`, `${counts.inconclusive} inconclusive`)
  return { correction: r.correction, levels: r.levels, unmatched, counts, headline: parts.join(', ') }
}
