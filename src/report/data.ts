/**
 * Results to report data: each RunResult or SuiteResult becomes a run of scenarios of levels,
 * objectives become lines to draw, and several runs get their changes against the first.
 */
import { basename } from 'node:path'
import { parseExpression } from '../options/expression.js'
import type { CheckOutcome } from '../dsl/types.js'
import type { SuiteResult } from '../results/suite.js'
import type { RunResult, SloSet, TelemetrySeries } from '../results/types.js'
import { VERSION } from '../version.js'
import { compareRuns } from './compare.js'
import { runHeadline, suiteScenarioHeadline, type ComparisonVerdict } from './headline.js'
import type { VerdictDocument } from '../results/verdicts.js'
import { digestLevels } from './level.js'
import type { AnyResult } from '../results/read.js'
import { goodputTarget, scenarioFields, settingsLine } from '../results/scenario-fields.js'
import { REPORT_DATA_VERSION, type ReportData, type ReportRun, type ReportScenario, type TargetLine } from './types.js'
import { suiteStatus } from '../results/suite.js'

/** A result to report on; `label` names it in legends (default: the model, or the suite's files). */
export interface ReportInput {
  result: AnyResult
  label?: string
}

/** Points kept per telemetry series: enough for a chart as wide as a screen. */
const TELEMETRY_POINTS = 400

export function buildReportData(inputs: ReportInput[]): ReportData {
  const comparison = inputs.length > 1 ? compareRuns(inputs.map((i) => i.result)) : undefined
  const runs = inputs.map((input, i) => {
    // A later run's headline leads with its verdict against the first.
    const against = comparison?.against.find((a) => a.run === i)
    return input.result.kind === 'run' ? fromRun(input.result.doc, against && verdictOf(against)) : fromSuite(input.result.doc)
  })
  uniqueLabels(runs, inputs.map((i) => i.label))
  const data: ReportData = { version: REPORT_DATA_VERSION, kind: 'runs', generatedAt: new Date().toISOString(), generator: VERSION, runs }
  if (comparison) data.comparison = comparison
  return data
}

/** A verdict document as the headline's comparison line. */
export function verdictOf(doc: VerdictDocument): ComparisonVerdict {
  return { regressed: doc.counts.regressed, summary: doc.headline }
}

/** The label a result file gives its run: the file name without `.json`. */
export function labelOfFile(file: string): string {
  return basename(file).replace(/\.json$/i, '')
}

function fromRun(doc: RunResult, comparison?: ComparisonVerdict): ReportRun {
  const o = doc.scenario
  const f = scenarioFields(o)
  const lengths = f.prompts ? `${f.prompts} prompts` : `${f.inputTokens} in / ${f.outputTokens} out`
  const scenario: ReportScenario = {
    key: 'run',
    name: `${f.model}, ${lengths}`,
    suite: [],
    options: o,
    checks: [],
    targets: targets([], f.goodput?.bounds ?? doc.levels.find((l) => l.summary.goodput)?.summary.goodput?.slo, goodputTarget(f)),
    levels: digestLevels(doc.levels),
    headline: runHeadline(doc, comparison ?? (doc.comparison && verdictOf(doc.comparison))),
    settings: settingsLine(f),
  }
  if (doc.telemetry?.length) scenario.telemetry = doc.telemetry.map(thin)
  if (doc.sweep) scenario.sweep = doc.sweep
  return {
    label: `${f.model} @ ${hostOf(f.server)}`,
    source: 'run',
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    version: doc.llmbench.version,
    interrupted: doc.interrupted,
    command: doc.command,
    environment: doc.environment,
    servers: [f.server],
    models: [f.model],
    status: doc.interrupted ? 'interrupted' : 'measured',
    fileErrors: [],
    scenarios: [scenario],
  }
}

function fromSuite(doc: SuiteResult): ReportRun {
  const scenarios: ReportScenario[] = []
  for (const file of doc.files) {
    for (const s of file.scenarios) {
      const f = s.options ? scenarioFields(s.options) : undefined
      const slo = f?.goodput?.bounds ?? s.levels.find((l) => l.summary.goodput)?.summary.goodput?.slo
      scenarios.push({
        key: `${s.file} > ${s.id}`,
        name: s.name,
        file: s.file,
        suite: s.suite,
        status: s.status,
        ...(s.options ? { options: s.options } : {}),
        checks: s.checks,
        ...(s.error ? { error: s.error.message } : {}),
        targets: targets(s.checks, slo, f ? goodputTarget(f) : undefined),
        levels: digestLevels(s.levels),
        headline: suiteScenarioHeadline(s, doc.interrupted),
        ...(f ? { settings: settingsLine(f) } : {}),
      })
    }
  }
  const options = scenarios.flatMap((s) => (s.options ? [scenarioFields(s.options)] : []))
  const files = doc.files.map((f) => f.file)
  return {
    label: files.length === 1 ? files[0] : `${files.length} bench files`,
    source: 'suite',
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    version: doc.llmbench.version,
    interrupted: doc.interrupted,
    environment: doc.environment,
    servers: distinct(options.map((o) => o.server)),
    models: distinct(options.map((o) => o.model)),
    status: suiteStatus(doc),
    fileErrors: doc.files.flatMap((f) => (f.error ? [{ file: f.file, message: f.error.message }] : [])),
    scenarios,
  }
}

const CHARTS: readonly TargetLine['chart'][] = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e']

/**
 * Lines for the charts: each objective on a latency statistic, goodput or output throughput at
 * its threshold, and each goodput bound on its latency chart (the ITL bound is on the max gap).
 */
function targets(checks: CheckOutcome[], slo: SloSet | undefined, goodputMin?: number): TargetLine[] {
  const out: TargetLine[] = []
  const add = (t: TargetLine) => {
    if (!out.some((o) => o.chart === t.chart && o.label === t.label)) out.push(t)
  }
  for (const c of checks) {
    if (!c.metric || c.expected === undefined) continue
    let value: number
    try {
      value = parseExpression(c.expected).value
    } catch {
      continue
    }
    const [stat] = c.metric.split('.')
    const label = `${c.metric} ${c.expected}`
    if (c.metric === 'goodput') add({ chart: 'goodput', value, label: `goodput ${c.expected}`, kind: 'objective' })
    else if (c.metric === 'throughput.output') add({ chart: 'throughput', value, label, kind: 'objective' })
    else if ((CHARTS as readonly string[]).includes(stat)) add({ chart: stat as TargetLine['chart'], value, label, kind: 'objective' })
  }
  if (goodputMin !== undefined && !out.some((t) => t.chart === 'goodput')) {
    add({ chart: 'goodput', value: goodputMin, label: `goodput target ≥ ${+(goodputMin * 100).toFixed(1)}%`, kind: 'slo' })
  }
  for (const [key, bound] of Object.entries(slo ?? {})) {
    if (typeof bound !== 'number') continue // `valid: true` has no chart
    const label = key === 'itl' ? `goodput bound: max token gap ≤ ${bound}` : `goodput bound: ${key} ≤ ${bound}`
    add({ chart: key as TargetLine['chart'], value: bound, label, kind: 'slo' })
  }
  return out
}

/** At most TELEMETRY_POINTS points: the lowest and highest of each bucket, so spikes survive. */
function thin(series: TelemetrySeries): TelemetrySeries {
  const pts = series.points
  if (pts.length <= TELEMETRY_POINTS) return series
  const buckets = TELEMETRY_POINTS / 2
  const size = pts.length / buckets
  const out: Array<[number, number]> = []
  for (let b = 0; b < buckets; b++) {
    const slice = pts.slice(Math.floor(b * size), Math.floor((b + 1) * size))
    if (!slice.length) continue
    let lo = slice[0]
    let hi = slice[0]
    for (const p of slice) {
      if (p[1] < lo[1]) lo = p
      if (p[1] > hi[1]) hi = p
    }
    if (lo === hi) out.push(lo)
    else out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]))
  }
  return { ...series, points: out }
}

function uniqueLabels(runs: ReportRun[], given: Array<string | undefined>): void {
  const seen = new Map<string, number>()
  runs.forEach((run, i) => {
    const base = given[i] ?? run.label
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    run.label = n === 1 ? base : `${base} (${n})`
  })
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

function distinct(values: string[]): string[] {
  return [...new Set(values)]
}
