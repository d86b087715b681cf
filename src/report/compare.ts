/**
 * Comparing runs: the same scenario (by key) at the same load, each figure's change in percent
 * against the first run, and whether that is better or worse (lower latency and error rate are
 * better; higher throughput and goodput are). Figures are read from the summaries, never computed.
 */
import { figure } from '../metrics/figures.js'
import type { LevelSummary } from '../results/types.js'
import type { ComparedMetric, Comparison, LevelComparison, MetricChange, ReportRun, ScenarioComparison, Verdict } from './types.js'

export const COMPARED_METRICS: readonly ComparedMetric[] = [
  { key: 'ttft.p50', label: 'TTFT p50', unit: 'ms', better: 'lower' },
  { key: 'ttft.p99', label: 'TTFT p99', unit: 'ms', better: 'lower' },
  { key: 'tpot.p50', label: 'TPOT p50', unit: 'ms', better: 'lower' },
  { key: 'tpot.p99', label: 'TPOT p99', unit: 'ms', better: 'lower' },
  { key: 'itl.p50', label: 'ITL p50', unit: 'ms', better: 'lower' },
  { key: 'itl.p99', label: 'ITL p99', unit: 'ms', better: 'lower' },
  { key: 'e2e.p50', label: 'E2E p50', unit: 'ms', better: 'lower' },
  { key: 'e2e.p99', label: 'E2E p99', unit: 'ms', better: 'lower' },
  { key: 'throughput.output', label: 'output tok/s', unit: 'tok/s', better: 'higher' },
  { key: 'throughput.requests', label: 'requests/s', unit: 'req/s', better: 'higher' },
  { key: 'goodput', label: 'goodput', unit: '', better: 'higher' },
  { key: 'errors.rate', label: 'error rate', unit: '', better: 'lower' },
]

/** Changes within ±NOISE_PCT percent are `same`: run-to-run noise, not a finding. */
export const NOISE_PCT = 1

/** The change of one figure from `base` to `value`. */
export function change(metric: Pick<ComparedMetric, 'key' | 'better'>, base: number | undefined, value: number | undefined): MetricChange {
  const out: Omit<MetricChange, 'verdict'> = { key: metric.key }
  if (base !== undefined) out.base = base
  if (value !== undefined) out.value = value
  if (base === undefined || value === undefined || !Number.isFinite(base) || !Number.isFinite(value)) return { ...out, verdict: 'n/a' }
  if (base === 0) {
    // No percentage from zero; a move away from zero still has a direction.
    const verdict: Verdict = value === 0 ? 'same' : (value > 0) === (metric.better === 'higher') ? 'better' : 'worse'
    return { ...out, verdict }
  }
  const changePct = ((value - base) / Math.abs(base)) * 100
  let verdict: Verdict = 'same'
  if (Math.abs(changePct) >= NOISE_PCT) verdict = (changePct > 0) === (metric.better === 'higher') ? 'better' : 'worse'
  return { ...out, changePct, verdict }
}

export function compareLevels(base: LevelSummary, other: LevelSummary): MetricChange[] {
  return COMPARED_METRICS.map((m) => {
    const read = figure(m.key)!.read
    return change(m, read(base), read(other))
  })
}

/** Every later run against the first, for each scenario of the first run found in the later one. */
export function compareRuns(runs: ReportRun[]): Comparison {
  const [first, ...rest] = runs
  const scenarios: ScenarioComparison[] = []
  for (const s of first.scenarios) {
    const against: ScenarioComparison['against'] = []
    rest.forEach((run, i) => {
      const other = run.scenarios.find((o) => o.key === s.key)
      if (!other) return
      const levels: LevelComparison[] = []
      for (const l of s.levels) {
        const load = l.summary.load
        const match = other.levels.find((o) => o.summary.load.kind === load.kind && o.summary.load.value === load.value)
        if (match) levels.push({ kind: load.kind, load: load.value, changes: compareLevels(l.summary, match.summary) })
      }
      against.push({ run: i + 1, levels })
    })
    if (against.length) scenarios.push({ key: s.key, name: s.name, against })
  }
  return { metrics: [...COMPARED_METRICS], noisePct: NOISE_PCT, scenarios }
}
