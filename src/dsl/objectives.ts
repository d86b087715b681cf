/**
 * Objectives (`slo` of a bench): parsed and validated before the run, checked per level after it.
 * Every figure comes from the level summary or, for goodput bounds, from evaluateGoodput over the
 * level's records: nothing is computed here.
 */
import { checkSloApplicable } from '../metrics/index.js'
import { levelGoodput } from '../metrics/goodput.js'
import type { LevelResult, SloSet } from '../results/types.js'
import { holds, parseExpression, type Expression } from '../options/expression.js'
import { check, keyNaming } from '../options/check.js'
import { isGoodputBounds, sloBounds, sloSchema, type SloObjectives, type ThresholdValue } from '../options/slo.js'

export { goodputBounds } from '../options/slo.js'
import { figure, STREAM_ONLY, type Figure } from '../metrics/figures.js'
import { checkMessage, equalsText, formatSlo } from './format.js'
import type { CheckOutcome, SourceLocation } from './types.js'

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
  const checked = check(sloSchema, slo, keyNaming(undefined, 'slo'))
  const parsed: Parsed[] = []
  for (const [key, raw] of Object.entries(checked) as Array<[string, SloObjectives[keyof SloObjectives]]>) {
    if (raw === undefined) continue
    if (key === 'goodput' && isGoodputBounds(raw)) {
      // Bounds without a least ratio only give the scenario its goodput figure: nothing to check.
      if (raw.min !== undefined) parsed.push({ kind: 'goodput', key, bounds: sloBounds(raw), min: raw.min, level: checkLevel(raw.level, 'slo.goodput.level', levels) })
      continue
    }
    const threshold = raw as ThresholdValue
    const text = typeof threshold === 'object' ? threshold.expect : threshold
    const level = typeof threshold === 'object' ? checkLevel(threshold.level, `slo["${key}"].level`, levels) : undefined
    parsed.push({ kind: 'threshold', key, figure: figure(key)!, expr: parseExpression(text), level })
  }
  return parsed
}

function checkLevel(level: unknown, what: string, levels: number[]): number | undefined {
  if (level === undefined) return undefined
  if (typeof level !== 'number' || !levels.includes(level)) {
    const runs = levels.length > 0 ? `it runs concurrency ${levels.join(', ')}` : 'it runs no level'
    throw new Error(`${what} is ${JSON.stringify(level)}, not a level of this scenario (${runs}): use one of them or drop level`)
  }
  return level
}



