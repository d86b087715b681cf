/**
 * The headline: a scenario's answer in a few lines, above everything else. The verdict (objectives
 * passed or failed, or a comparison's regressions once one is given), the capacity (the highest
 * load that met the objectives, and where a latency bound breaks), the peak throughput, a rate the
 * server could not keep up with, and whether the load generator itself kept up. Computed here
 * once from plain data and printed by the HTML report, the dashboard, `llmbench run`, the console
 * reporter's closing summary and the GitHub step summary, so all of them say the same.
 */
import { formatValue } from '../dsl/format.js'
import type { CheckOutcome } from '../results/suite.js'
import { THRESHOLDS } from '../metrics/accumulator.js'
import { SCHEDULE_THRESHOLDS } from '../metrics/schedule.js'
import type { HeadlineLine, HeadlineTone } from '../results/digest.js'
import { goodputTarget, scenarioFields } from '../results/scenario-fields.js'
import type { ScenarioResult } from '../results/suite.js'
import type { LevelSummary, RunResult, SloKey, SloSet, StatName, SweepSummary } from '../results/types.js'

export type { HeadlineLine, HeadlineTone }

/** A comparison's verdict against a baseline, when one is computed: it leads the headline. */
export interface ComparisonVerdict {
  /** Figures that regressed: any makes the verdict bad. */
  regressed: number
  /** One line, e.g. `2 regressions (TTFT p99 +18% [+11%, +26%] at concurrency 32), 41 equivalent`. */
  summary: string
}

export interface HeadlineInput {
  levels: LevelSummary[]
  /** A bench file's objectives and assertions, or `llmbench run --expect`'s objectives; none for API runs. */
  checks?: CheckOutcome[]
  status?: 'passed' | 'failed' | 'error' | 'skipped' | 'todo' | 'measured' | 'interrupted'
  error?: string
  interrupted?: boolean
  /** Goodput bounds in ms and the share of good requests a level must reach. */
  goodput?: { bounds: SloSet; min?: number }
  sweep?: SweepSummary
  comparison?: ComparisonVerdict
}

export interface Headline {
  lines: HeadlineLine[]
  /** The load kind the capacity is in. */
  kind: 'concurrency' | 'rate'
  /** The highest load that met the objectives (null: none did); absent when nothing was judged. */
  capacity?: number | null
  /** The lowest load that did not (null: none failed). */
  firstFailing?: number | null
  /** Each judged level's verdict against the objectives, by load. */
  verdicts?: Array<{ load: number; passed: boolean }>
}

/** Which statistic a goodput bound is on, and how it is called. */
const BOUND_STAT: Record<SloKey, [StatName, string]> = {
  ttft: ['ttft', 'TTFT'], ttfc: ['ttfc', 'TTFC'], tpot: ['tpot', 'TPOT'], itl: ['maxTokenGap', 'max token gap'], e2e: ['e2e', 'E2E'],
}
/** At most this many latency crossings are named: the first ones matter. */
const MAX_CROSSINGS = 2

export function headline(input: HeadlineInput): Headline {
  const levels = [...input.levels].filter((l) => !l.load.ramp)
  const kind = dominantKind(levels)
  const sorted = levels.filter((l) => l.load.kind === kind).sort((a, b) => a.load.value - b.load.value)
  const h: Headline = { lines: [], kind }
  h.lines.push(...verdict(input, kind))
  if (input.levels.length === 0) return h
  const cap = capacity(input, sorted, kind)
  if (cap) {
    h.capacity = cap.capacity
    h.firstFailing = cap.firstFailing
    h.verdicts = cap.verdicts
    h.lines.push(cap.line)
  } else {
    const crossings = crossingsOf(input, sorted, kind)
    if (crossings.length) h.lines.push({ kind: 'capacity', tone: 'warn', text: `${crossings.join('; ')}.` })
  }
  const saturated = saturation(sorted)
  h.lines.push(peak(input.levels, !!saturated))
  if (saturated) h.lines.push(saturated)
  h.lines.push(client(input.levels))
  return h
}

/** The headline's lines as text, in order. */
export function headlineText(h: Headline): string[] {
  return h.lines.map((l) => l.text)
}

/** A `llmbench run` result (or an API run's); `comparison`: its verdict against a baseline, when one was computed. */
export function runHeadline(doc: RunResult, comparison?: ComparisonVerdict): Headline {
  const f = scenarioFields(doc.scenario)
  const min = goodputTarget(f)
  return headline({
    levels: doc.levels.map((l) => l.summary),
    ...(doc.checks ? { checks: doc.checks } : {}),
    status: doc.interrupted ? 'interrupted' : 'measured',
    interrupted: doc.interrupted,
    ...(f.goodput ? { goodput: { bounds: f.goodput.bounds, ...(min !== undefined ? { min } : {}) } } : {}),
    ...(doc.sweep ? { sweep: doc.sweep } : {}),
    ...(comparison ? { comparison } : {}),
  })
}

/** A bench file's scenario, from the suite result. */
export function suiteScenarioHeadline(s: ScenarioResult, interrupted = false, comparison?: ComparisonVerdict): Headline {
  const f = s.options ? scenarioFields(s.options) : undefined
  const min = f ? goodputTarget(f) : undefined
  return headline({
    levels: s.levels.map((l) => l.summary),
    checks: s.checks,
    status: s.status,
    interrupted,
    ...(s.error ? { error: s.error.message } : {}),
    ...(f?.goodput ? { goodput: { bounds: f.goodput.bounds, ...(min !== undefined ? { min } : {}) } } : {}),
    ...(comparison ? { comparison } : {}),
  })
}

function verdict(input: HeadlineInput, kind: 'concurrency' | 'rate'): HeadlineLine[] {
  const lines: HeadlineLine[] = []
  const checks = input.checks ?? []
  const failed = checks.filter((c) => !c.passed)
  const v = (tone: HeadlineTone, text: string) => lines.push({ kind: 'verdict', tone, text })
  if (input.comparison) v(input.comparison.regressed > 0 ? 'bad' : 'good', `Against the baseline: ${input.comparison.summary}.`)
  if (input.status === 'error') v('bad', `Error: ${firstLine(input.error ?? 'the scenario did not finish')}`)
  else if (input.status === 'skipped' || input.status === 'todo') v('neutral', input.status === 'todo' ? 'To do: not written yet.' : 'Skipped.')
  else if (failed.length) v('bad', `Failed: ${failed.length} of ${checks.length} checks; first: ${checkText(failed[0], kind)}.`)
  else if (checks.length) v('good', `Passed: ${checks.length === 1 ? 'the one check' : `all ${checks.length} objectives and assertions`} held.`)
  else if (input.status === 'passed') v('good', 'Passed.')
  else if (input.status === 'failed') v('bad', 'Failed.')
  else v('neutral', measuredText(input))
  if (input.interrupted) v('warn', 'Interrupted: the figures cover what ran before it stopped.')
  return lines
}

function measuredText(input: HeadlineInput): string {
  const min = input.goodput?.min
  const ratios = input.levels.flatMap((l) => (l.goodput ? [l.goodput.ratio] : []))
  if (!ratios.length) return input.sweep ? 'Measured: a capacity sweep.' : 'Measured: no objectives were set.'
  if (min === undefined) {
    const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)]
    const range = lo === hi ? `${pct(lo)} at every level` : `from ${pct(lo)} to ${pct(hi)} across levels`
    return `Measured: goodput ${range} (no share to reach was set).`
  }
  const met = ratios.filter((r) => r >= min).length
  return `Measured: goodput ≥ ${pct(min)} at ${met} of ${ratios.length} level${ratios.length === 1 ? '' : 's'}.`
}

function checkText(c: CheckOutcome, kind: 'concurrency' | 'rate'): string {
  if (c.metric && c.actual !== undefined && c.expected !== undefined) {
    return `${c.metric} = ${formatValue(c.actual)}${c.level !== undefined ? ` at ${loadText(kind, c.level)}` : ''}, expected ${c.expected}`
  }
  return firstLine(c.name)
}

interface Capacity {
  capacity: number | null
  firstFailing: number | null
  verdicts: Array<{ load: number; passed: boolean }>
  line: HeadlineLine
}

function capacity(input: HeadlineInput, sorted: LevelSummary[], kind: 'concurrency' | 'rate'): Capacity | undefined {
  const min = input.goodput?.min
  const byLevel = (input.checks ?? []).filter((c) => c.level !== undefined)
  const criterion = [min !== undefined ? `goodput ≥ ${pct(min)}` : '', byLevel.length ? 'every objective' : ''].filter(Boolean).join(' and ') || 'the objectives'
  const s = input.sweep
  if (s) {
    const unit = s.kind === 'rate' ? ' req/s' : ''
    const text = s.capacity === null
      ? `Capacity: no ${s.kind} met ${criterion} (the lowest probed, ${fig(s.firstFailing ?? 0)}${unit}, did not)`
      : `Capacity: ${criterion} up to ${loadText(s.kind, s.capacity)}${s.firstFailing !== null ? `, not at ${fig(s.firstFailing)}${unit}` : ''} (sweep, within ${fig(s.resolution)}${unit})`
    const verdicts = [...new Map(s.probes.map((p) => [p.load, p.passed])).entries()].map(([load, passed]) => ({ load, passed })).sort((a, b) => a.load - b.load)
    return { capacity: s.capacity, firstFailing: s.firstFailing, verdicts, line: { kind: 'capacity', tone: s.capacity === null ? 'bad' : 'good', text: text + tail(crossingsOf(input, sorted, kind)) } }
  }
  if (min === undefined && !byLevel.length) return undefined
  const passes = (l: LevelSummary) => (min === undefined || (l.goodput !== undefined && l.goodput.ratio >= min)) && byLevel.every((c) => c.level !== l.load.value || c.passed)
  const judged = sorted.filter((l) => min === undefined ? byLevel.some((c) => c.level === l.load.value) : l.goodput !== undefined)
  if (!judged.length) return undefined
  const failing = judged.find((l) => !passes(l))
  const below = failing ? judged.filter((l) => l.load.value < failing.load.value) : judged
  const cap = below.length ? below[below.length - 1].load.value : null
  const why = failing ? failureReason(failing, min, byLevel) : undefined
  // The failing level's reason is said once: in the capacity, not again as a crossing.
  const crossings = crossingsOf(input, sorted, kind).filter((c) => !why?.metric || !c.startsWith(`${why.metric} `))
  let text: string
  let tone: HeadlineTone = 'good'
  if (!failing) text = `Capacity: ${criterion} held at every level, up to ${loadText(kind, cap!)}`
  else if (cap === null) {
    text = `Capacity: no level met ${criterion} (at ${loadText(kind, failing.load.value)}: ${why!.text})`
    tone = 'bad'
  } else {
    text = `Capacity: ${criterion} up to ${loadText(kind, cap)} (at ${fig(failing.load.value)}${kind === 'rate' ? ' req/s' : ''}: ${why!.text})`
    tone = 'warn'
  }
  const verdicts = judged.map((l) => ({ load: l.load.value, passed: passes(l) }))
  return { capacity: cap, firstFailing: failing?.load.value ?? null, verdicts, line: { kind: 'capacity', tone, text: text + tail(crossings) } }
}

function tail(crossings: string[]): string {
  return `${crossings.length ? `; ${crossings.join('; ')}` : ''}.`
}

function failureReason(l: LevelSummary, min: number | undefined, byLevel: CheckOutcome[]): { text: string; metric?: string } {
  if (min !== undefined && l.goodput && l.goodput.ratio < min) return { text: `goodput ${pct(l.goodput.ratio)}` }
  const c = byLevel.find((x) => x.level === l.load.value && !x.passed)
  if (c?.metric && c.actual !== undefined) return { text: `${c.metric} = ${formatValue(c.actual)}, expected ${c.expected}`, metric: c.metric }
  return { text: c ? firstLine(c.name) : 'no goodput measured' }
}

/** Where each goodput bound is first crossed by its statistic's p99, and where a failed objective first fails. */
function crossingsOf(input: HeadlineInput, sorted: LevelSummary[], kind: 'concurrency' | 'rate'): string[] {
  const out: string[] = []
  for (const [key, bound] of Object.entries(input.goodput?.bounds ?? {}) as Array<[SloKey, number]>) {
    if (!Object.hasOwn(BOUND_STAT, key)) continue // `valid: true` is no bound a statistic crosses
    const [stat, name] = BOUND_STAT[key]
    const at = sorted.find((l) => (l.stats[stat]?.p99 ?? -Infinity) > bound)
    if (at) out.push(`${name} p99 crosses ${fig(bound)} ms at ${loadText(kind, at.load.value)} (${fig(at.stats[stat]!.p99)} ms)`)
  }
  const seen = new Set<string>()
  for (const l of sorted) {
    for (const c of input.checks ?? []) {
      if (c.passed || c.level !== l.load.value || !c.metric || c.metric === 'goodput' || seen.has(c.metric)) continue
      seen.add(c.metric)
      out.push(`${c.metric} misses ${c.expected} from ${loadText(kind, l.load.value)}${c.actual !== undefined ? ` (${formatValue(c.actual)})` : ''}`)
    }
  }
  return out.slice(0, MAX_CROSSINGS)
}

function peak(levels: LevelSummary[], saturated: boolean): HeadlineLine {
  const tokens = levels.some((l) => l.throughput.outputTokensPerSec > 0)
  const read = (l: LevelSummary) => (tokens ? l.throughput.outputTokensPerSec : l.throughput.requestsPerSec)
  const best = levels.reduce((a, b) => (read(b) > read(a) ? b : a))
  const what = tokens ? `${fig(best.throughput.outputTokensPerSec)} output tok/s (${fig(best.throughput.requestsPerSec)} req/s)` : `${fig(best.throughput.requestsPerSec)} req/s`
  const same = levels.filter((l) => l.load.kind === best.load.kind && !l.load.ramp).sort((a, b) => a.load.value - b.load.value)
  const top = same[same.length - 1]
  const prev = same[same.length - 2]
  const rising = !saturated && same.length > 1 && top === best && prev && read(best) > read(prev) * 1.05 ? ', still rising at the highest load run' : ''
  return { kind: 'peak', tone: 'neutral', text: `Peak throughput: ${what} at ${loadText(best.load.kind, best.load.value)}${rising}.` }
}

/** The first rate the server could not keep up with, said as a finding about the server. */
function saturation(sorted: LevelSummary[]): HeadlineLine | undefined {
  const saturated = (l: LevelSummary) => (l.schedule?.latencyGrowth ?? 0) >= SATURATED_GROWTH
  const at = sorted.findIndex(saturated)
  if (at < 0) return undefined
  const l = sorted[at]
  const s = l.schedule!
  const higher = sorted.slice(at + 1)
  const all = higher.length && higher.every(saturated) ? ' and above' : ''
  const waiting = s.waitingAtEnd !== undefined ? `; ${fig(s.waitingAtEnd)} request${s.waitingAtEnd === 1 ? ' was' : 's were'} waiting at the end` : ''
  return {
    kind: 'saturation',
    tone: 'warn',
    text: `Saturated at ${fig(l.load.value)} req/s${all}: the server served ${fig(l.throughput.requestsPerSec)} of the ${fig(s.targetRate)} req/s offered${waiting}.`,
  }
}

/** From this growth of E2E incl. queue over the level, a rate level is saturated (docs/metrics.md). */
export const SATURATED_GROWTH = 1.5

function client(levels: LevelSummary[]): HeadlineLine {
  const faults = levels.flatMap((l) => {
    const why = clientFault(l)
    return why ? [{ l, why }] : []
  })
  if (!faults.length) {
    const delay = Math.max(...levels.map((l) => l.client.eventLoopDelayP99Ms))
    const cpu = Math.max(...levels.map((l) => l.client.cpuPercent))
    return { kind: 'client', tone: 'good', text: `Load generator: kept up at every level (event-loop delay p99 ≤ ${fig(delay)} ms, CPU ≤ ${fig(cpu)}%).` }
  }
  const where = loadsText(faults.map((f) => f.l.load))
  return { kind: 'client', tone: 'warn', text: `Load generator: the bottleneck at ${where} (${faults[0].why}): figures there include its own delay.` }
}

function clientFault(l: LevelSummary): string | undefined {
  if (l.client.eventLoopDelayP99Ms > THRESHOLDS.eventLoopDelayP99Ms) return `event-loop delay p99 ${fig(l.client.eventLoopDelayP99Ms)} ms`
  if (l.client.cpuPercent > THRESHOLDS.cpuPercent) return `CPU ${fig(l.client.cpuPercent)}%`
  const s = l.schedule
  if (s && s.clientLag.p99 > SCHEDULE_THRESHOLDS.lateP99Ms) return `its own lateness p99 ${fig(s.clientLag.p99)} ms`
  if (s && !s.waitedForSlot && s.achievedRate < SCHEDULE_THRESHOLDS.rateRatio * s.scheduledRate) return `sent ${fig(s.achievedRate)} of ${fig(s.scheduledRate)} req/s scheduled`
  return undefined
}

function dominantKind(levels: LevelSummary[]): 'concurrency' | 'rate' {
  const rates = levels.filter((l) => l.load.kind === 'rate').length
  return rates > levels.length - rates ? 'rate' : 'concurrency'
}

/** `concurrency 1, 8 and 32`, `15, 30 and 60 req/s`. */
function loadsText(loads: Array<{ kind: 'concurrency' | 'rate'; value: number }>): string {
  const kinds = [...new Set(loads.map((l) => l.kind))]
  return kinds.map((kind) => {
    const values = loads.filter((l) => l.kind === kind).map((l) => l.value).sort((a, b) => a - b).map(fig)
    const list = values.length > 1 ? `${values.slice(0, -1).join(', ')} and ${values.at(-1)}` : values[0]
    return kind === 'rate' ? `${list} req/s` : `concurrency ${list}`
  }).join('; ')
}

export function loadText(kind: 'concurrency' | 'rate', value: number): string {
  return kind === 'rate' ? `${fig(value)} req/s` : `concurrency ${fig(value)}`
}

/** 4,120 · 612 · 13.8 · 1.23: as many digits as a headline needs. */
export function fig(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US')
  if (a >= 10) return String(Math.round(v * 10) / 10)
  return String(Number(v.toPrecision(3)))
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim()
}
