/**
 * A scenario against its baseline (`baseline` in its options, or `npx llmbench --baseline`): the
 * comparison of docs/verdicts.md as checks. With `{ regress: '5%' }` objectives, one check per such
 * figure and level (those figures decide); without, one check per level over every figure. What the
 * baseline lacks is said, never failed.
 */
import type { ScenarioRef } from '../results/events.js'
import type { CheckOutcome, SourceLocation } from '../results/suite.js'
import type { LevelResult } from '../results/types.js'
import { loadLabel } from '../results/labels.js'
import type { ResultSet } from '../report/baseline.js'
import { compareResults, formatChange, type CompareOptions, type FigureComparison, type ResultLike } from '../verdicts/index.js'

export interface RegressionObjective {
  figure: string
  tolerance: number
  level?: number
}

/** The baseline's side of one scenario: its levels in the baseline results (a suite's by file and id; a run's whole). */
function baselineOf(base: ResultSet, ref: ScenarioRef): ResultLike[] {
  return base.results.flatMap((r): ResultLike[] => {
    if (r.kind === 'run') return [{ levels: r.doc.levels }]
    const s = r.doc.files.find((f) => f.file === ref.file)?.scenarios.find((x) => x.id === ref.id)
    return s ? [{ levels: s.levels }] : []
  })
}

export function baselineChecks(base: ResultSet, ref: ScenarioRef, levels: LevelResult[], objectives: RegressionObjective[], opts: CompareOptions, location?: SourceLocation): CheckOutcome[] {
  const against = baselineOf(base, ref)
  const head = (level?: string) => [ref.id, level].filter(Boolean).join(' › ')
  if (!against.length) {
    return [{ name: `not in the baseline ${base.label}`, kind: 'objective', passed: true, message: `${ref.id}: not in the baseline ${base.label}: not compared` }]
  }
  const declared = objectives.length > 0
  const compareWith: CompareOptions = declared
    ? { ...opts, figures: objectives.map((o) => o.figure), primary: objectives.map((o) => o.figure), tolerance: { ...tolerances(opts), ...Object.fromEntries(objectives.map((o) => [o.figure, o.tolerance])) } }
    : opts
  const doc = compareResults(against, { levels }, compareWith)
  const checks: CheckOutcome[] = doc.unmatched
    .filter((u) => u.side === 'next')
    .map((u) => ({ name: u.message, kind: 'objective' as const, passed: true, message: `${ref.id}: ${u.message}` }))
  for (const level of doc.levels) {
    const label = loadLabel(level.load)
    const deciding = level.figures.filter((f) => !f.secondary)
    if (declared) {
      for (const o of objectives) {
        if (o.level !== undefined && o.level !== level.load.value) continue
        const f = deciding.find((x) => x.figure === o.figure)
        if (f) checks.push(figureCheck(f, head(label), level.load.value, base.label, location))
      }
      continue
    }
    const regressed = deciding.filter((f) => f.verdict === 'regressed')
    const count = (v: FigureComparison['verdict']) => deciding.filter((f) => f.verdict === v).length
    checks.push({
      name: `no regression against ${base.label} @ ${label}`,
      kind: 'objective',
      passed: regressed.length === 0,
      level: level.load.value,
      metric: 'baseline',
      expected: 'no regression',
      message: `${head(label)}: ${regressed.length ? `regressed against ${base.label}: ${regressed.map((f) => `${f.figure} ${formatChange(f)}`).join('; ')}` : `no regression against ${base.label}`} (${count('equivalent')} equivalent, ${count('improved')} improved, ${count('inconclusive')} inconclusive of ${deciding.length} figures)`,
      ...(location ? { location } : {}),
    })
  }
  return checks
}

function figureCheck(f: FigureComparison, head: string, level: number, label: string, location?: SourceLocation): CheckOutcome {
  const tolerance = f.changeKind === 'points' ? `${(f.tolerance * 100).toFixed(1)} pp` : `${Math.round(f.tolerance * 100)}%`
  const need = f.verdict === 'inconclusive' && f.needed !== undefined && Number.isFinite(f.needed) ? `: about ${Math.ceil(f.needed)} requests would decide` : ''
  return {
    name: `${f.figure} no regression (±${tolerance}) @ ${head.split(' › ').pop()}`,
    kind: 'objective',
    passed: f.verdict !== 'regressed',
    level,
    metric: f.figure,
    expected: `no regression beyond ${tolerance}`,
    ...(f.next !== null ? { actual: f.next } : {}),
    message: `${head}: ${f.figure} ${formatChange(f)} against ${label}: ${f.verdict}${need}`,
    ...(location ? { location } : {}),
  }
}

function tolerances(opts: CompareOptions): Record<string, number> {
  if (typeof opts.tolerance === 'number') return { default: opts.tolerance }
  return { ...(opts.tolerance ?? {}) }
}
