/**
 * What an assertions callback receives: the scenario's levels as LevelViews, each the level
 * summary with every statistic at the top (`result.level(10).tpot.p99`). Built from the summaries
 * without computing anything. A view remembers the statistic it handed out last, so that
 * `expect(view.ttft.p95)` can name its level and metric even inside a loop over levels.
 */
import type { LevelResult, LevelSummary, ScenarioOptionsPublic, StatName, Stats } from '../results/types.js'
import { STAT_FIELDS, STAT_NAMES, errorRate } from '../metrics/figures.js'
import { summaryOfRepeats } from '../metrics/repeats.js'
import { dsl } from './state.js'
import type { BenchResult, LevelView } from './types.js'

export type { BenchResult } from './types.js'

/** The LevelResults behind a BenchResult, under a registered symbol so any copy of this module finds them. */
const RAW = Symbol.for('llmbench.dsl.levelResults')

export function createBenchResult(
  scenario: { id: string; name: string },
  options: ScenarioOptionsPublic,
  levels: LevelResult[],
): BenchResult {
  const views = levels.map(levelView)
  const result: BenchResult = {
    id: scenario.id,
    name: scenario.name,
    options,
    levels: views,
    level(concurrency: number): LevelView {
      const found = levels.filter((l) => l.summary.load.value === concurrency)
      if (found.length === 1) return views[levels.indexOf(found[0])]
      if (found.length > 1) return levelView({ summary: summaryOfRepeats(found.map((l) => l.summary)), records: found.flatMap((l) => l.records) })
      const ran = views.length > 0 ? `it ran concurrency ${[...new Set(views.map((v) => v.load.value))].join(', ')}` : 'no level was measured'
      throw new Error(`result.level(${concurrency}): scenario '${scenario.id}' has no level with concurrency ${concurrency} (${ran})`)
    },
  }
  Object.defineProperty(result, RAW, { value: levels, enumerable: false })
  return result
}

/** The LevelResults behind `result`, or undefined when it is not a BenchResult. */
export function levelResultsOf(result: unknown): LevelResult[] | undefined {
  if (typeof result !== 'object' || result === null) return undefined
  return (result as Record<symbol, LevelResult[] | undefined>)[RAW]
}

/** The view of one level: the summary, each statistic at the top, the error rate and goodput ratio. */
export function levelView(level: LevelResult): LevelView {
  const s = level.summary
  const view = { ...s } as LevelView
  for (const name of STAT_NAMES) {
    Object.defineProperty(view, name, { value: statView(s, name), enumerable: true })
  }
  tracked(view, 'errorRate', s.load.value, 'errors.rate', 'errorRate', errorRate(s), false)
  const ratio = s.goodput?.ratio
  Object.defineProperty(view, 'goodputRatio', {
    enumerable: true,
    get: () => {
      if (ratio !== undefined) dsl.lastRead = { level: s.load.value, metric: 'goodput', path: 'goodputRatio', value: ratio, absent: false }
      return ratio
    },
  })
  return view
}

/**
 * A Stats whose fields are read from the summary. A statistic without samples on this level reads
 * as NaN (count 0), so `expect` records a failed check saying so rather than the callback crashing.
 */
function statView(s: LevelSummary, name: StatName): Stats {
  const stats = s.stats[name]
  const view = {} as Stats
  for (const field of STAT_FIELDS) {
    const value = stats ? stats[field] : field === 'count' ? 0 : Number.NaN
    tracked(view, field, s.load.value, `${name}.${field}`, `${name}.${field}`, value, stats === undefined)
  }
  return view
}

function tracked(target: object, prop: string, level: number, metric: string, path: string, value: number, absent: boolean): void {
  Object.defineProperty(target, prop, {
    enumerable: true,
    get: () => {
      dsl.lastRead = { level, metric, path, value, absent }
      return value
    },
  })
}
