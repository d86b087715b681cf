/**
 * Soft assertions of an assertions callback: `expect(number)` and `expectGoodput(result, slo)`.
 * A matcher never throws on a miss: it records a CheckOutcome into the running scenario (state.ts),
 * with where it was written, its source text, its level and metric when known, and a message
 * naming all of them. Misuse (a matcher given no number) throws.
 */
import { levelGoodput } from '../metrics/goodput.js'
import type { LevelResult, SloSet } from '../results/types.js'
import { levelResultsOf, type BenchResult } from './bench-result.js'
import { unitOf } from '../metrics/figures.js'
import { checkMessage, equalsText, formatSlo, formatValue } from './format.js'
import { parseBounds } from './slo-bounds.js'
import { callText, type CallText } from './source-text.js'
import { callSite } from './stack.js'
import { dsl, type CheckScope } from './state.js'

export interface NumberMatchers {
  toBeLessThan(expected: number): void
  toBeLessThanOrEqual(expected: number): void
  toBeGreaterThan(expected: number): void
  toBeGreaterThanOrEqual(expected: number): void
  /** >= */
  toBeAtLeast(expected: number): void
  /** <= */
  toBeAtMost(expected: number): void
  /** min <= actual <= max */
  toBeWithin(min: number, max: number): void
}

export interface GoodputMatchers {
  /** The goodput ratio (0 to 1) is at least `ratio` on every level checked. */
  toBeAtLeast(ratio: number): void
}

function currentScope(what: string): CheckScope {
  const scope = dsl.checks.getStore()
  if (!scope) {
    throw new Error(
      `${what} was called outside a running bench: call it inside the assertions callback, bench(name, options, (result) => { ${what}… })`,
    )
  }
  if (!scope.open) {
    throw new Error(`${what} was called after scenario '${scope.scenario}' ended: await every promise inside the assertions callback`)
  }
  return scope
}

const LEVEL_PATH = /^[\w$.]*\blevel\(\s*(\d+(?:\.\d+)?)\s*\)((?:\.[A-Za-z_$][\w$]*)+)$/

interface Subject {
  level?: number
  metric?: string
  /** The statistic has no samples on its level. */
  absent: boolean
}

/**
 * Level and metric of `actual`: from the LevelView it was just read from (same value, and the
 * argument's text, when known, ends with the property read), else from source text like
 * `result.level(50).ttft.p95`.
 */
function subjectOf(actual: unknown, source: CallText | undefined): Subject {
  const read = dsl.lastRead
  dsl.lastRead = undefined
  const args = source?.args.replace(/\s+/g, '')
  if (read && Object.is(read.value, actual) && (args === undefined || args === read.path || args.endsWith('.' + read.path))) {
    return { level: read.level, metric: read.metric, absent: read.absent }
  }
  const m = args !== undefined ? LEVEL_PATH.exec(args) : null
  if (m) return { level: Number(m[1]), metric: m[2].slice(1), absent: false }
  return { absent: false }
}

/** Soft assertions on one number, usually a figure of `result.level(n)`. */
export function expect(actual: number | undefined): NumberMatchers {
  const scope = currentScope('expect()')
  const { location, frame } = callSite(expect, scope.file)
  const source = callText(frame, 'expect')
  const subject = subjectOf(actual, source)

  const check = (matcher: string, bounds: number[], expected: string, pass: (v: number) => boolean): void => {
    for (const b of bounds) {
      if (typeof b !== 'number' || Number.isNaN(b)) throw new Error(`${matcher}() needs a number, got ${String(b)}`)
    }
    const isNumber = typeof actual === 'number' && !Number.isNaN(actual)
    const passed = isNumber && pass(actual)
    const what = subject.metric ?? source?.args ?? 'value'
    let actualText: string
    if (subject.absent && !isNumber) actualText = `has no value: no sample of ${subject.metric?.split('.')[0]} on this level`
    else if (!isNumber) actualText = `is ${typeof actual === 'number' ? 'NaN' : String(actual)}, not a number`
    else actualText = equalsText(actual, unitOf(subject.metric))
    let name = source?.text ?? `expect(${what}).${matcher}(${bounds.join(', ')})`
    if (subject.level !== undefined && !name.includes(`level(${subject.level})`)) name += ` @ concurrency ${subject.level}`
    scope.record({
      name,
      kind: 'assertion',
      passed,
      level: subject.level,
      metric: subject.metric,
      expected,
      actual: isNumber ? actual : undefined,
      message: checkMessage({
        scenario: scope.scenario,
        level: subject.level !== undefined ? `concurrency ${subject.level}` : undefined,
        subject: what,
        actual: actualText,
        expected,
        location,
      }),
      location,
    })
  }

  return {
    toBeLessThan: (e) => check('toBeLessThan', [e], `< ${e}`, (v) => v < e),
    toBeLessThanOrEqual: (e) => check('toBeLessThanOrEqual', [e], `<= ${e}`, (v) => v <= e),
    toBeGreaterThan: (e) => check('toBeGreaterThan', [e], `> ${e}`, (v) => v > e),
    toBeGreaterThanOrEqual: (e) => check('toBeGreaterThanOrEqual', [e], `>= ${e}`, (v) => v >= e),
    toBeAtLeast: (e) => check('toBeAtLeast', [e], `>= ${e}`, (v) => v >= e),
    toBeAtMost: (e) => check('toBeAtMost', [e], `<= ${e}`, (v) => v <= e),
    toBeWithin: (min, max) => {
      if (min > max) throw new Error(`toBeWithin(${min}, ${max}): the minimum is greater than the maximum`)
      check('toBeWithin', [min, max], `within [${min}, ${max}]`, (v) => v >= min && v <= max)
    },
  }
}

/**
 * The goodput ratio of `result` under `slo` (bounds in ms), computed by the metrics module from
 * each level's measured records: on every level, or on `opts.level` only.
 */
export function expectGoodput(result: BenchResult, slo: SloSet, opts: { level?: number } = {}): GoodputMatchers {
  const scope = currentScope('expectGoodput()')
  const raw = levelResultsOf(result)
  if (!raw) throw new Error('expectGoodput(result, slo) needs the result the assertions callback received as its first argument')
  const bounds = parseBounds(slo, 'expectGoodput(result, slo): slo')
  let targets: LevelResult[] = raw
  if (opts.level !== undefined) {
    result.level(opts.level)
    targets = raw.filter((l) => l.summary.load.value === opts.level)
  }
  const { location, frame } = callSite(expectGoodput, scope.file)
  const source = callText(frame, 'expectGoodput')
  const subject = `goodput [${formatSlo(bounds)}]`

  return {
    toBeAtLeast(ratio: number): void {
      if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
        const hint = typeof ratio === 'number' && ratio > 1 && ratio <= 100 ? ` (${ratio / 100} for ${ratio}%)` : ''
        throw new Error(`expectGoodput(…).toBeAtLeast(${String(ratio)}): give a ratio from 0 to 1${hint}`)
      }
      const expected = `>= ${ratio}`
      const base = source?.text ?? `expectGoodput(result, { ${formatSlo(bounds)} }).toBeAtLeast(${ratio})`
      const add = (p: { name: string; passed: boolean; level?: number; actual?: number; actualText: string }): void =>
        scope.record({
          name: p.name,
          kind: 'assertion',
          passed: p.passed,
          level: p.level,
          metric: 'goodput',
          expected,
          actual: p.actual,
          message: checkMessage({
            scenario: scope.scenario,
            level: p.level !== undefined ? `concurrency ${p.level}` : undefined,
            subject,
            actual: p.actualText,
            expected,
            location,
          }),
          location,
        })
      if (targets.length === 0) add({ name: base, passed: false, actualText: 'has no value: no level was measured' })
      for (const level of targets) {
        const s = level.summary
        const g = levelGoodput(level, bounds)
        add({
          name: `${base} @ ${s.load.kind} ${s.load.value}`,
          passed: g.ratio >= ratio,
          level: s.load.value,
          actual: g.ratio,
          actualText: `= ${formatValue(g.ratio)} (${g.good}/${g.total} requests met the SLO)`,
        })
      }
    },
  }
}
