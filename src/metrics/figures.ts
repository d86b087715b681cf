/**
 * Reading one figure of a level summary by the name objectives use (`ttft.p95`, `errors.rate`,
 * `throughput.output`, …). Nothing here computes a statistic: values are read from the summary
 * the metrics module built; the error rate is the ratio of its two counts.
 */
import type { LevelSummary, StatName, Stats } from '../results/types.js'
import { answeredShare, parseWorkloadFigure, workloadStats, workloadUnit } from './workload-figures.js'
import { FIGURE_NAMES, LEVEL_FIGURES, STAT_FIELDS, STAT_NAMES, STREAM_ONLY, TOKEN_STATS, type KindFigure, type StatField } from '../options/vocabulary.js'

export { FIGURE_NAMES, STAT_FIELDS, STAT_NAMES, STREAM_ONLY }

/** The energy figures of a level that has them (not `{ missing }`). */
const energyOf = (s: LevelSummary) => (s.energy && 'joules' in s.energy ? s.energy : undefined)

/** Figures of the request kinds (docs/request-kinds.md). Cost units are the price's currency. */
const KIND_READERS: Record<KindFigure, { unit: string; read: (s: LevelSummary) => number | undefined }> = {
  'valid.rate': { unit: '', read: (s) => s.validity?.rate },
  'invalid.count': { unit: '', read: (s) => s.validity?.invalid },
  'reasoning.share': { unit: '', read: (s) => s.reasoning?.share },
  'energy.perOutputToken': { unit: 'J', read: (s) => energyOf(s)?.perOutputToken },
  'energy.joules': { unit: 'J', read: (s) => energyOf(s)?.joules },
  'energy.watts': { unit: 'W', read: (s) => energyOf(s)?.watts },
  'cost.perMillionOutput': { unit: '', read: (s) => s.cost?.perMillionOutput },
  'cost.perMillionInput': { unit: '', read: (s) => s.cost?.perMillionInput },
  'cost.perRequest': { unit: '', read: (s) => s.cost?.perRequest },
  'cost.total': { unit: '', read: (s) => s.cost?.total },
}

/** Figures that are not `<stat>.<field>`: name, unit, reader. */
const OTHER: Record<(typeof LEVEL_FIGURES)[number], { unit: string; read: (s: LevelSummary) => number | undefined }> = {
  'errors.rate': { unit: '', read: (s) => errorRate(s) },
  'errors.count': { unit: '', read: (s) => s.requests.failed },
  'throughput.requests': { unit: 'req/s', read: (s) => s.throughput.requestsPerSec },
  'throughput.output': { unit: 'tok/s', read: (s) => s.throughput.outputTokensPerSec },
  'throughput.input': { unit: 'tok/s', read: (s) => s.throughput.inputTokensPerSec },
  'throughput.total': { unit: 'tok/s', read: (s) => s.throughput.totalTokensPerSec },
  goodput: { unit: '', read: (s) => s.goodput?.ratio },
  ...KIND_READERS,
}

function levelFigure(name: string) {
  return Object.hasOwn(OTHER, name) ? OTHER[name as keyof typeof OTHER] : undefined
}

/** Share of the level's measured requests that failed (0 when none was measured). */
export function errorRate(s: LevelSummary): number {
  return s.requests.total > 0 ? s.requests.failed / s.requests.total : 0
}

export interface Figure {
  name: string
  unit: string
  /** The metric (`ttft`) when the figure is a statistic. */
  stat?: StatName
  /** The value on a level; undefined when the level has no samples of it. */
  read(s: LevelSummary): number | undefined
}

/** Figures of sessions and tool loops (workload-figures.ts): `session.duration.p90`, `turn2.ttft.p95`, `tools.answered`. */
function workloadFigure(name: string): Omit<Figure, 'name'> | undefined {
  const w = parseWorkloadFigure(name)
  if (!w) return undefined
  if ('share' in w) return { unit: '', read: answeredShare }
  const { source, field } = w
  // A turn's TTFT is a TTFT: objectives on it need streaming, as on ttft.* (dsl/objectives.ts).
  return { unit: workloadUnit(w), ...(source.of === 'turn' ? { stat: source.stat } : {}), read: (s) => workloadStats(s, source)?.[field] }
}

/** The figure called `name`, or undefined when there is none. */
export function figure(name: string): Figure | undefined {
  const other = levelFigure(name)
  if (other) return { name, ...other }
  const workload = workloadFigure(name)
  if (workload) return { name, ...workload }
  const dot = name.indexOf('.')
  if (dot < 0) return undefined
  const stat = name.slice(0, dot) as StatName
  const field = name.slice(dot + 1) as keyof Stats
  if (!STAT_NAMES.includes(stat) || !STAT_FIELDS.includes(field as StatField)) return undefined
  return { name, unit: unitOf(name), stat, read: (s) => s.stats[stat]?.[field] }
}

/** The unit of a figure named like `ttft.p95` (ms for times, tokens for token counts). */
export function unitOf(name: string | undefined): string {
  if (name === undefined) return ''
  const other = levelFigure(name)
  if (other) return other.unit
  const workload = parseWorkloadFigure(name)
  if (workload) return workloadUnit(workload)
  const [stat, field] = name.split('.')
  if (field === 'count' || !STAT_NAMES.includes(stat as StatName)) return ''
  return TOKEN_STATS.includes(stat as StatName) ? 'tokens' : 'ms'
}
