/**
 * Objectives (`slo` of a bench): parsed and validated before the run, checked per level after it.
 * Every figure comes from the level summary or, for goodput bounds, from evaluateGoodput over the
 * level's records: nothing is computed here.
 */
import { checkSloApplicable } from '../metrics/index.js'
import { levelGoodput } from '../metrics/goodput.js'
import type { LevelResult, SloSet } from '../results/types.js'
import { holds, parseExpression, type Expression } from './expression.js'
import { FIGURE_NAMES, figure, STREAM_ONLY, type Figure } from '../metrics/figures.js'
import { checkMessage, equalsText, formatSlo } from './format.js'
import { parseBounds } from './slo-bounds.js'
import type { CheckOutcome, SloObjectives, SourceLocation } from './types.js'

type Parsed =
  | { kind: 'threshold'; key: string; figure: Figure; expr: Expression; level?: number }
  | { kind: 'goodput'; key: string; bounds: SloSet; min: number; level?: number }

export interface ValidateOptions {
  /** False when requests are not streamed: objectives on TTFT, TTFC, TPOT or ITL are then errors. */
  stream?: boolean
}

export interface EvaluateOptions {
  /** The scenario id, to open each message with. */
  scenario?: string
}

/**
 * Throws an Error with one line naming the key and the fix for an unknown key, a bad expression,
 * bad goodput bounds, or a level the scenario does not run (`levels`: its concurrency values).
 */
export function validateObjectives(slo: SloObjectives | undefined, levels: number[], opts: ValidateOptions = {}): void {
  const parsed = parseObjectives(slo, levels)
  if (opts.stream !== false) return
  for (const p of parsed) {
    if (p.kind === 'goodput') {
      try {
        checkSloApplicable(p.bounds, false)
      } catch (err) {
        throw new Error(`slo.goodput: ${(err as Error).message}`)
      }
    } else if (p.figure.stat !== undefined && STREAM_ONLY.includes(p.figure.stat)) {
      throw new Error(
        `slo["${p.key}"]: non-streamed requests have no ${p.figure.stat} (the bench sets stream: false): enable streaming or use an e2e objective`,
      )
    }
  }
}

/** The SLO bounds of an object-form `slo.goodput`, for the scenario's own goodput summary. */
export function goodputBounds(slo: SloObjectives | undefined): SloSet | undefined {
  const g = slo?.goodput
  if (g === undefined || typeof g === 'string' || 'expect' in g) return undefined
  const { min: _min, level: _level, ...bounds } = g
  return parseBounds(bounds, 'slo.goodput')
}

/**
 * One CheckOutcome per objective and level (only the named level when an objective names one), in
 * the order of the keys. Throws like validateObjectives for a level the results do not hold.
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
  for (const p of parsed) {
    for (const level of levels) {
      const value = level.summary.load.value
      if (p.level !== undefined && p.level !== value) continue
      out.push(p.kind === 'goodput' ? checkGoodput(p, level, location, opts) : checkThreshold(p, level, location, opts))
    }
  }
  return out
}

function checkThreshold(
  p: Extract<Parsed, { kind: 'threshold' }>,
  level: LevelResult,
  location: SourceLocation | undefined,
  opts: EvaluateOptions,
): CheckOutcome {
  const s = level.summary
  const label = `${s.load.kind} ${s.load.value}`
  const actual = p.figure.read(s)
  const passed = actual !== undefined && holds(actual, p.expr)
  const absent =
    p.key === 'goodput'
      ? 'has no value: the scenario has no goodput bounds (give slo.goodput bounds, or goodput in the config)'
      : `has no value: no request at this level had a ${p.figure.stat ?? p.key} (non-streamed requests have no TTFT, TTFC, TPOT or ITL; failed requests are left out)`
  return {
    name: `${p.key} ${p.expr.text} @ ${label}`,
    kind: 'objective',
    passed,
    level: s.load.value,
    metric: p.key,
    expected: p.expr.text,
    actual,
    message: checkMessage({
      scenario: opts.scenario,
      level: label,
      subject: p.key,
      actual: actual === undefined ? absent : equalsText(actual, p.figure.unit),
      expected: p.expr.text,
      location,
    }),
    location,
  }
}

function checkGoodput(
  p: Extract<Parsed, { kind: 'goodput' }>,
  level: LevelResult,
  location: SourceLocation | undefined,
  opts: EvaluateOptions,
): CheckOutcome {
  const s = level.summary
  const label = `${s.load.kind} ${s.load.value}`
  const g = levelGoodput(level, p.bounds)
  const subject = `goodput [${formatSlo(p.bounds)}]`
  const expected = `>= ${p.min}`
  return {
    name: `${subject} ${expected} @ ${label}`,
    kind: 'objective',
    passed: g.ratio >= p.min,
    level: s.load.value,
    metric: 'goodput',
    expected,
    actual: g.ratio,
    message: checkMessage({
      scenario: opts.scenario,
      level: label,
      subject,
      actual: `${equalsText(g.ratio, '')} (${g.good}/${g.total} requests met the SLO)`,
      expected,
      location,
    }),
    location,
  }
}

function parseObjectives(slo: SloObjectives | undefined, levels: number[]): Parsed[] {
  if (slo === undefined) return []
  if (typeof slo !== 'object' || slo === null || Array.isArray(slo)) {
    throw new Error(`slo must be an object of objectives, e.g. { 'ttft.p95': '< 800', 'errors.rate': '< 0.01' }`)
  }
  const parsed: Parsed[] = []
  for (const [key, raw] of Object.entries(slo)) {
    if (raw === undefined) continue
    const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    if (key === 'goodput' && isObject && !('expect' in raw)) {
      const { min, level, ...bounds } = raw as Record<string, unknown>
      parsed.push({
        kind: 'goodput',
        key,
        bounds: parseBounds(bounds, 'slo.goodput'),
        min: checkRatio(min, 'slo.goodput.min'),
        level: checkLevel(level, `slo.goodput.level`, levels),
      })
      continue
    }
    const fig = figure(key)
    if (!fig) throw new Error(unknownKey(key))
    let text: unknown = raw
    let level: number | undefined
    if (isObject) {
      const { expect, level: lv, ...rest } = raw as Record<string, unknown>
      const extra = Object.keys(rest)
      if (extra.length > 0) {
        throw new Error(`slo["${key}"] has an unknown field "${extra[0]}": write { expect: '< 800', level: 50 }`)
      }
      text = expect
      level = checkLevel(lv, `slo["${key}"].level`, levels)
    }
    let expr: Expression
    try {
      expr = parseExpression(text)
    } catch (err) {
      throw new Error(`slo["${key}"]: ${(err as Error).message}`)
    }
    parsed.push({ kind: 'threshold', key, figure: fig, expr, level })
  }
  return parsed
}

function checkRatio(min: unknown, what: string): number {
  if (typeof min !== 'number' || !Number.isFinite(min) || min < 0 || min > 1) {
    const hint = typeof min === 'number' && min > 1 && min <= 100 ? ` (${min / 100}, not ${min})` : ''
    throw new Error(`${what} must be the least ratio of good requests, a number from 0 to 1, e.g. 0.9${hint}`)
  }
  return min
}

function checkLevel(level: unknown, what: string, levels: number[]): number | undefined {
  if (level === undefined) return undefined
  if (typeof level !== 'number' || !levels.includes(level)) {
    const runs = levels.length > 0 ? `it runs concurrency ${levels.join(', ')}` : 'it runs no level'
    throw new Error(`${what} is ${JSON.stringify(level)}, not a level of this scenario (${runs}): use one of them or drop level`)
  }
  return level
}

function unknownKey(key: string): string {
  const near = closest(key, FIGURE_NAMES)
  const hint = near ? `did you mean "${near}"? ` : ''
  return (
    `slo has an unknown objective "${key}": ${hint}use <metric>.<stat> (metric ttft, ttfc, tpot, itl, e2e, e2eWithQueue, ` +
    `queueDelay, maxTokenGap, outputTokens, inputTokens; stat mean, std, min, max, p50, p90, p95, p99, p999, count), ` +
    `errors.rate, errors.count, throughput.requests, throughput.output, throughput.input, throughput.total or goodput`
  )
}

/** The name at edit distance 1 or 2 from `key`, when there is one. */
function closest(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const name of names) {
    const d = distance(key.toLowerCase(), name.toLowerCase())
    if (d < bestD) {
      best = name
      bestD = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]
}
