/**
 * Objectives (`slo` of a bench): parsed and validated before the run, checked per level after it.
 * Every figure comes from the level summary or, for goodput bounds, from evaluateGoodput over the
 * level's records, and its interval from the verdicts module: nothing is computed here. A rule
 * (`confidence`: lenient by default) decides from the interval; docs/verdicts.md says why.
 */
import { checkSloApplicable } from '../metrics/index.js'
import { levelGoodput } from '../metrics/goodput.js'
import type { LevelResult, SloSet } from '../results/types.js'
import { holds, parseExpression, type Expression } from '../options/expression.js'
import { check, keyNaming } from '../options/check.js'
import { isGoodputBounds, sloBounds, sloSchema, toleranceOfText, type SloObjectives, type ThresholdValue } from '../options/slo.js'

export { goodputBounds } from '../options/slo.js'
import { figure, STREAM_ONLY, type Figure } from '../metrics/figures.js'
import { parseWorkloadFigure } from '../metrics/workload-figures.js'
import { checkMessage, equalsText, formatSlo, formatValue } from './format.js'
import { checkObjective, DEFAULT_CONFIDENCE_MODE, type ObjectiveSpec } from '../verdicts/objective.js'
import type { ConfidenceRule } from '../options/vocabulary.js'
import type { CheckOutcome, SourceLocation } from './types.js'
import { adapterLevel } from '../results/adapters.js'
import type { StoppingObjectives } from '../runner/types.js'

type Parsed =
  | { kind: 'threshold'; key: string; figure: Figure; expr: Expression; level?: number; rule?: ConfidenceRule; adapter?: string }
  | { kind: 'goodput'; key: string; bounds: SloSet; min: number; level?: number; rule?: ConfidenceRule; adapter?: string }

export interface ValidateOptions {
  /** False when requests are not streamed: objectives on TTFT, TTFC, TPOT or ITL are then errors. */
  stream?: boolean
  /** The LoRA adapters (and base model) an objective may name; undefined: not checked yet. */
  adapters?: string[]
  /** How messages name an objective and streaming being off: a bench file's words by default, the flags' for `llmbench run --expect`. */
  words?: { key: (key: string) => string; streamOff: string }
}

const BENCH_WORDS = { key: (key: string) => `slo["${key}"]`, streamOff: 'the bench sets stream: false' }

export interface EvaluateOptions {
  /** The scenario id, to open each message with. */
  scenario?: string
  /** The scenario's rule for objectives that name none (default lenient). */
  confidence?: ConfidenceRule
}

/**
 * Throws an Error with one line naming the key and the fix for an unknown key, a bad expression,
 * bad goodput bounds, or a level the scenario does not run (`levels`: its concurrency values).
 */
export function validateObjectives(slo: SloObjectives | undefined, levels: number[], opts: ValidateOptions = {}): void {
  const parsed = parseObjectives(slo, levels)
  if (opts.adapters) checkAdapters(parsed, opts.adapters)
  if (opts.stream !== false) return
  const words = opts.words ?? BENCH_WORDS
  for (const p of parsed) {
    if (p.kind === 'goodput') {
      try {
        checkSloApplicable(p.bounds, false)
      } catch (err) {
        throw new Error(`slo.goodput: ${(err as Error).message}`)
      }
    } else if (p.figure.stat !== undefined && STREAM_ONLY.includes(p.figure.stat)) {
      throw new Error(
        `${words.key(p.key)}: non-streamed requests have no ${p.figure.stat} (${words.streamOff}): enable streaming or use an e2e objective`,
      )
    }
  }
}

/**
 * One CheckOutcome per objective and level (only the named level when an objective names one), in
 * the order of the keys. Repeats of a level (`repeat`) are judged together: their mean, with the
 * run-to-run spread in the interval. Throws like validateObjectives for a level the results do not hold.
 */
export function evaluateObjectives(
  slo: SloObjectives | undefined,
  levels: LevelResult[],
  location?: SourceLocation,
  opts: EvaluateOptions = {},
): CheckOutcome[] {
  const parsed = parseObjectives(
    slo,
    levels.map((l) => l.summary.load.value),
  )
  const out: CheckOutcome[] = []
  const groups = byLoad(levels)
  for (const p of parsed) {
    for (const whole of groups) {
      const value = whole[0].summary.load.value
      if (p.level !== undefined && p.level !== value) continue
      // An objective on one LoRA adapter is checked on that adapter's requests, as levels of their own.
      const group = p.adapter === undefined ? whole : whole.map((l) => adapterLevel(l, p.adapter!) ?? noRequests(l))
      const check = p.kind === 'goodput' ? checkGoodput(p, group, location, opts) : checkThreshold(p, group, location, opts)
      out.push(p.adapter === undefined ? check : { ...check, adapter: p.adapter, name: `${check.name} [adapter ${p.adapter}]` })
    }
  }
  return out
}

/** Levels by load, in the order they first ran: repeats of one load together. */
function byLoad(levels: LevelResult[]): LevelResult[][] {
  const groups = new Map<string, LevelResult[]>()
  for (const l of levels) {
    const key = `${l.summary.load.kind}:${l.summary.load.value}`
    groups.set(key, [...(groups.get(key) ?? []), l])
  }
  return [...groups.values()]
}

const labelOf = (group: LevelResult[]) => {
  const { kind, value } = group[0].summary.load
  return `${kind} ${value}${group.length > 1 ? ` (${group.length} repeats)` : ''}`
}

function checkThreshold(
  p: Extract<Parsed, { kind: 'threshold' }>,
  group: LevelResult[],
  location: SourceLocation | undefined,
  opts: EvaluateOptions,
): CheckOutcome {
  const s = group[0].summary
  const label = labelOf(group)
  const judged = judge(group, { figure: p.key, op: p.expr.op, bound: p.expr.value }, p.rule ?? opts.confidence)
  // One level: the summary's figure; repeats: their mean.
  const actual = group.length === 1 ? p.figure.read(s) : (judged.value ?? undefined)
  const passed = actual !== undefined && judged.passed
  // The repeat lacking the figure says why (request kinds, sessions and tool loops), else the first.
  const lacking = (group.find((l) => p.figure.read(l.summary) === undefined) ?? group[0]).summary
  const absent =
    p.key === 'goodput'
      ? 'has no value: the scenario has no goodput bounds (give slo.goodput bounds, or goodput in the config)'
      : kindAbsent(p.key, lacking) ?? workloadAbsent(p.key, lacking) ?? `has no value: no request at this level had a ${p.figure.stat ?? p.key} (non-streamed requests have no TTFT, TTFC, TPOT or ITL; failed requests are left out)`
  return {
    name: `${p.key} ${p.expr.text} @ ${label}`,
    kind: 'objective',
    passed,
    level: s.load.value,
    metric: p.key,
    expected: p.expr.text,
    actual,
    ...judged.fields,
    message: checkMessage({
      scenario: opts.scenario,
      level: label,
      subject: p.key,
      actual: actual === undefined ? absent : equalsText(actual, p.figure.unit) + judged.text(),
      expected: p.expr.text,
      location,
    }) + judged.note,
    location,
  }
}

/** An interval's end as shown: a number, or ∞ where the interval is unbounded. */
const showBound = (x: number) => (Number.isFinite(x) ? formatValue(x) : x > 0 ? '∞' : '−∞')

/**
 * The sequential rule's decision on this objective when every level of the group stopped early as
 * settled and recorded one (`stopEarly`); undefined otherwise, or when the repeats disagree.
 */
function settledEarly(group: LevelResult[], spec: ObjectiveSpec): { state: 'met' | 'missed'; requests: number } | undefined {
  const found = group.map((l) => {
    const stop = l.summary.stoppedEarly
    if (stop?.reason !== 'settled') return undefined
    const o = stop.objectives?.find((d) => d.figure === spec.figure && d.op === spec.op && d.bound === spec.bound)
    return o ? { state: o.state, requests: stop.requests } : undefined
  })
  if (found.some((f) => f === undefined) || new Set(found.map((f) => f!.state)).size !== 1) return undefined
  return { state: found[0]!.state, requests: Math.max(...found.map((f) => f!.requests)) }
}

/**
 * An objective decided from its figure's interval. Where the level is too small for any interval
 * (both ends unbounded), the estimate decides, as a point, and the check is marked marginal.
 */
function judge(level: LevelResult[], spec: ObjectiveSpec, rule: ConfidenceRule | undefined, goodput?: SloSet) {
  const c = checkObjective(level.length === 1 ? level[0] : level, spec, { mode: rule ?? DEFAULT_CONFIDENCE_MODE, ...(goodput ? { goodput } : {}) })
  const settled = settledEarly(level, spec)
  if (settled && c.value !== null) {
    const pct = Math.round(c.confidence * 100)
    const interval = Number.isFinite(c.interval[0]) || Number.isFinite(c.interval[1]) ? c.interval : undefined
    return {
      passed: settled.state === 'met',
      value: c.value,
      fields: { ...(interval ? { interval } : {}), confidence: c.mode, settledEarly: settled.requests },
      text: () => (interval ? ` [${showBound(interval[0])}, ${showBound(interval[1])}]` : ''),
      note: `; ${settled.state} by the sequential rule at ${settled.requests} requests (${pct}% over every look; after a data-dependent stop it decides, the fixed-sample interval shown does not)`,
    }
  }
  const unbounded = !Number.isFinite(c.interval[0]) && !Number.isFinite(c.interval[1])
  const point = c.value !== null && holds(c.value, { op: spec.op, value: spec.bound })
  const passed = unbounded ? point : c.passed
  const marginal = c.value !== null && (unbounded || c.marginal)
  const pct = Math.round(c.confidence * 100)
  const interval = unbounded ? undefined : c.interval
  return {
    passed,
    value: c.value,
    fields: { ...(interval ? { interval } : {}), confidence: c.mode, ...(marginal ? { marginal: true } : {}) },
    text: () => (interval ? ` [${showBound(interval[0])}, ${showBound(interval[1])}]` : ''),
    note: !marginal
      ? ''
      : unbounded
        ? `; marginal: too few requests for a ${pct}% interval, decided on the estimate`
        : `; marginal: the ${pct}% interval spans the bound (${c.mode}: ${c.mode === 'lenient' ? 'passes until the data show a miss' : c.mode === 'strict' ? 'fails until the data show it met' : 'decided on the estimate'})`,
  }
}

function checkGoodput(
  p: Extract<Parsed, { kind: 'goodput' }>,
  group: LevelResult[],
  location: SourceLocation | undefined,
  opts: EvaluateOptions,
): CheckOutcome {
  const s = group[0].summary
  const label = labelOf(group)
  const goodputs = group.map((l) => levelGoodput(l, p.bounds))
  const counts = goodputs.reduce((a, g) => ({ good: a.good + g.good, total: a.total + g.total }), { good: 0, total: 0 })
  const subject = `goodput [${formatSlo(p.bounds)}]`
  const expected = `>= ${p.min}`
  const judged = judge(group, { figure: 'goodput', op: '>=', bound: p.min }, p.rule ?? opts.confidence, p.bounds)
  const ratio = group.length === 1 ? goodputs[0].ratio : (judged.value ?? 0)
  return {
    name: `${subject} ${expected} @ ${label}`,
    kind: 'objective',
    passed: judged.passed,
    level: s.load.value,
    metric: 'goodput',
    expected,
    actual: ratio,
    ...judged.fields,
    message: checkMessage({
      scenario: opts.scenario,
      level: label,
      subject,
      actual: `${equalsText(ratio, '')}${judged.text()} (${counts.good}/${counts.total} requests met the SLO)`,
      expected,
      location,
    }) + judged.note,
    location,
  }
}

function parseObjectives(slo: SloObjectives | undefined, levels: number[]): Parsed[] {
  if (slo === undefined) return []
  const checked = check(sloSchema, slo, keyNaming(undefined, 'slo'))
  const parsed: Parsed[] = []
  for (const [key, raw] of Object.entries(checked) as Array<[string, SloObjectives[keyof SloObjectives]]>) {
    if (raw === undefined) continue
    if (key === 'goodput' && isGoodputBounds(raw)) {
      // Bounds without a least ratio only give the scenario its goodput figure: nothing to check.
      if (raw.min !== undefined) parsed.push({ kind: 'goodput', key, bounds: sloBounds(raw), min: raw.min, level: checkLevel(raw.level, 'slo.goodput.level', levels), rule: raw.confidence, ...(raw.adapter !== undefined ? { adapter: raw.adapter } : {}) })
      continue
    }
    const threshold = raw as ThresholdValue
    // No regression against the baseline: decided by the comparison as the scenario ends (regressionObjectives).
    if (typeof threshold === 'object' && 'regress' in threshold) {
      checkLevel(threshold.level, `slo["${key}"].level`, levels)
      continue
    }
    const text = typeof threshold === 'object' ? threshold.expect : threshold
    const level = typeof threshold === 'object' ? checkLevel(threshold.level, `slo["${key}"].level`, levels) : undefined
    const rule = typeof threshold === 'object' ? threshold.confidence : undefined
    const adapter = typeof threshold === 'object' ? threshold.adapter : undefined
    parsed.push({ kind: 'threshold', key, figure: figure(key)!, expr: parseExpression(text), level, rule, ...(adapter !== undefined ? { adapter } : {}) })
  }
  return parsed
}

/**
 * What an early stop watches (`stopEarly`): each objective as a figure, a comparison and a bound,
 * with the level it names, and the goodput bounds of a goodput objective. A second goodput
 * objective with other bounds cannot be tracked beside the first: it is left to the level's end,
 * and `untracked` says so (such a level never settles early).
 */
export function stoppingObjectives(slo: SloObjectives | undefined, levels: number[]): StoppingObjectives {
  const objectives: StoppingObjectives['objectives'] = []
  let goodput: SloSet | undefined
  let untracked = 0
  for (const p of parseObjectives(slo, levels)) {
    const at = p.level !== undefined ? { level: p.level } : {}
    if (p.kind === 'threshold') objectives.push({ figure: p.key, op: p.expr.op, bound: p.expr.value, ...at })
    else if (goodput === undefined || formatSlo(goodput) === formatSlo(p.bounds)) {
      goodput = p.bounds
      objectives.push({ figure: 'goodput', op: '>=', bound: p.min, ...at })
    } else untracked++
  }
  return { objectives, ...(goodput ? { goodput } : {}), untracked }
}

/** The objectives that ask for no regression against the baseline (`{ regress: '5%' }`): figure, tolerance, level. */
export function regressionObjectives(slo: SloObjectives | undefined): Array<{ figure: string; tolerance: number; level?: number }> {
  const out: Array<{ figure: string; tolerance: number; level?: number }> = []
  for (const [key, raw] of Object.entries(slo ?? {})) {
    if (typeof raw === 'object' && raw !== null && 'regress' in raw && typeof raw.regress === 'string') {
      out.push({ figure: key, tolerance: toleranceOfText(raw.regress), ...(raw.level !== undefined ? { level: raw.level } : {}) })
    }
  }
  return out
}

/** Why a level has no figure of the request kinds (docs/request-kinds.md), when that is the reason. */
function kindAbsent(key: string, s: LevelResult['summary']): string | undefined {
  if (key.startsWith('energy.')) return `has no value: ${s.energy && 'missing' in s.energy ? s.energy.missing : 'no GPU power samples (GPU telemetry, docs/telemetry.md)'}`
  if (key.startsWith('cost.')) return s.cost ? undefined : 'has no value: the scenario gives no price (cost, or --gpu-hourly-cost / --price-output)'
  if (key === 'valid.rate' || key === 'invalid.count') return s.validity ? undefined : 'has no value: no answer was checked (structured outputs need a validity check, and succeeded requests)'
  if (key === 'reasoning.share' || key.startsWith('reasoningTokens.') || key.startsWith('visibleTokens.')) return s.reasoning ? undefined : 'has no value: no request at this level reported reasoning tokens'
  return undefined
}

/** Why a level has no figure of sessions or tool loops (docs/workloads.md), when it is one. */
function workloadAbsent(key: string, s: LevelResult['summary']): string | undefined {
  const w = parseWorkloadFigure(key)
  if (!w) return undefined
  const source = 'share' in w ? { of: 'task' as const } : w.source
  if (source.of === 'task') {
    if (!s.tools) return 'has no value: this level ran no tool loops (agent in the bench options, --tools on the command line: docs/workloads.md)'
    const answered = 'what' in source && source.what === 'timeToAnswer'
    return answered ? 'has no value: no task ended with a final answer at this level' : 'has no value: no task ended at this level'
  }
  if (!s.sessions) return 'has no value: this level ran no sessions (sessions in the bench options, --turns on the command line: docs/workloads.md)'
  if (source.of === 'session') {
    return source.what === 'duration' ? 'has no value: no session ran all its turns at this level (time per session counts those only)' : 'has no value: no session ended at this level'
  }
  const which = source.turn === 'later' ? 'a turn after its first' : `turn ${source.turn}`
  return `has no value: no session reached ${which} with a succeeded request at this level${source.stat === 'ttft' ? ' (non-streamed requests have no TTFT)' : ''}`
}

/** An objective naming an adapter the scenario does not spread requests over. */
function checkAdapters(parsed: Parsed[], adapters: string[]): void {
  for (const p of parsed) {
    if (p.adapter === undefined || adapters.includes(p.adapter)) continue
    const runs = adapters.length ? `it spreads requests over ${adapters.join(', ')}` : 'it names no LoRA adapters (lora)'
    throw new Error(`slo["${p.key}"].adapter is ${JSON.stringify(p.adapter)}, not an adapter of this scenario (${runs}): use one of them or drop adapter`)
  }
}

/** A level of no request: what an adapter that sent none at this level is checked on. */
function noRequests(level: LevelResult): LevelResult {
  const s = level.summary
  return {
    records: [],
    summary: { ...s, requests: { total: 0, succeeded: 0, failed: 0, warmup: 0 }, errors: {}, durationSec: 0, stats: {}, throughput: { requestsPerSec: 0, outputTokensPerSec: 0, inputTokensPerSec: 0, totalTokensPerSec: 0 }, goodput: undefined, byAdapter: undefined, validity: undefined, reasoning: undefined, media: undefined },
  }
}

function checkLevel(level: unknown, what: string, levels: number[]): number | undefined {
  if (level === undefined) return undefined
  if (typeof level !== 'number' || !levels.includes(level)) {
    const runs = levels.length > 0 ? `it runs concurrency ${levels.join(', ')}` : 'it runs no level'
    throw new Error(`${what} is ${JSON.stringify(level)}, not a level of this scenario (${runs}): use one of them or drop level`)
  }
  return level
}



