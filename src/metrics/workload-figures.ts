/**
 * The figures objectives and comparisons may name on sessions and tool loops (docs/workloads.md):
 * `session.duration.p90`, `session.turns.mean`, `turn2.ttft.p95`, `laterTurns.ttft.p95`,
 * `tools.timeToAnswer.p90`, `tools.steps.max`, `tools.toolCalls.mean`, `tools.answered`. Their
 * values are read from the level summary (workload.ts built them); their samples, for intervals,
 * are taken from the records the same way: per request for the turn figures, per unit (a session,
 * a task, through units.ts) for the others.
 */
import type { LevelSummary, RequestRecord, Stats } from '../results/types.js'
import { STAT_FIELDS, TURN_FIGURE, WORKLOAD_SHARES, WORKLOAD_STATS, type StatField, type TurnStat } from '../options/vocabulary.js'
import { e2e, isSuccess, ttft } from './request.js'
import { isSessionRecord, UnitEnds } from './units.js'

/** Where a workload distribution's samples come from. */
export type WorkloadSource =
  /** Requests of one turn index, or of turns 2 and later (`later`). */
  | { of: 'turn'; turn: number | 'later'; stat: TurnStat }
  /** One sample per session that ended (duration: per session that ran all its turns). */
  | { of: 'session'; what: 'duration' | 'turns' }
  /** One sample per task that ended (time to answer: per answered task). */
  | { of: 'task'; what: 'timeToAnswer' | 'steps' | 'toolCalls' }

export type WorkloadName = { source: WorkloadSource; field: StatField } | { share: 'answered' }

const SOURCES: Record<(typeof WORKLOAD_STATS)[number], WorkloadSource> = {
  'session.duration': { of: 'session', what: 'duration' },
  'session.turns': { of: 'session', what: 'turns' },
  'laterTurns.ttft': { of: 'turn', turn: 'later', stat: 'ttft' },
  'laterTurns.e2e': { of: 'turn', turn: 'later', stat: 'e2e' },
  'tools.timeToAnswer': { of: 'task', what: 'timeToAnswer' },
  'tools.steps': { of: 'task', what: 'steps' },
  'tools.toolCalls': { of: 'task', what: 'toolCalls' },
}

/** The workload figure called `name`, or undefined when it is not one. */
export function parseWorkloadFigure(name: string): WorkloadName | undefined {
  if ((WORKLOAD_SHARES as readonly string[]).includes(name)) return { share: 'answered' }
  const turn = TURN_FIGURE.exec(name)
  if (turn) return { source: { of: 'turn', turn: Number(turn[1]), stat: turn[2] as TurnStat }, field: turn[3] as StatField }
  const dot = name.lastIndexOf('.')
  const stat = name.slice(0, dot)
  const field = name.slice(dot + 1) as StatField
  if (dot < 0 || !Object.hasOwn(SOURCES, stat) || !STAT_FIELDS.includes(field)) return undefined
  return { source: SOURCES[stat as keyof typeof SOURCES], field }
}

/** The summary's statistics of a workload distribution; undefined when the level has none. */
export function workloadStats(s: LevelSummary, src: WorkloadSource): Stats | undefined {
  if (src.of === 'turn') {
    const group = src.turn === 'later' ? s.sessions?.laterTurns : s.sessions?.byTurn.find((t) => t.turn === src.turn)
    return group?.[src.stat]
  }
  if (src.of === 'session') return s.sessions?.[src.what]
  return s.tools?.[src.what]
}

/** The share of ended tasks answered; undefined when no task ended. */
export const answeredShare = (s: LevelSummary): number | undefined => (s.tools && s.tools.tasks > 0 ? s.tools.answeredShare : undefined)

/** Whether a distribution holds times (ms): a turn's, time per session, time to answer; else counts. */
export const isTimed = (source: WorkloadSource): boolean =>
  source.of === 'turn' || (source.of === 'session' && source.what === 'duration') || (source.of === 'task' && source.what === 'timeToAnswer')

/** Ms for times; counts (turns, steps, tool calls, `count`) and shares have no unit. */
export function workloadUnit(n: WorkloadName): string {
  if ('share' in n || n.field === 'count') return ''
  return isTimed(n.source) ? 'ms' : ''
}

/** A turn figure's per-request value: measured, succeeded requests of that turn (as byTurn counts them). */
export function turnValue(src: Extract<WorkloadSource, { of: 'turn' }>, r: RequestRecord): number | undefined {
  if (!isSuccess(r) || !isSessionRecord(r)) return undefined
  if (src.turn === 'later' ? r.turn! < 2 : r.turn !== src.turn) return undefined
  return src.stat === 'ttft' ? ttft(r) : e2e(r)
}

/**
 * A turn figure's values from measured records in send order, each session's together at its
 * last contributing record (`at`, ascending): turns 2 and later of one session share its user's
 * prompts and its place in the server's cache, so the session is their independent unit.
 */
export function turnSamples(records: readonly RequestRecord[], src: Extract<WorkloadSource, { of: 'turn' }>): { values: number[]; at: number[] } {
  const bySession = new Map<string, { values: number[]; last: number }>()
  records.forEach((r, i) => {
    const v = turnValue(src, r)
    if (v === undefined) return
    let s = bySession.get(r.sessionId!)
    if (!s) bySession.set(r.sessionId!, (s = { values: [], last: i }))
    s.values.push(v)
    s.last = i
  })
  const sessions = [...bySession.values()].sort((a, b) => a.last - b.last)
  const values: number[] = []
  const at: number[] = []
  for (const s of sessions) for (const v of s.values) (values.push(v), at.push(s.last))
  return { values, at }
}

/**
 * Per-unit values of measured records given in send order: `values[i]` belongs to the unit that
 * ended on `records[at[i]]` (so samples fall in the blocks of the requests that ended them).
 */
export function unitSamples(records: readonly RequestRecord[], src: Exclude<WorkloadSource, { of: 'turn' }>): { values: number[]; at: number[] } {
  const units = new UnitEnds()
  const values: number[] = []
  const at: number[] = []
  records.forEach((r, i) => {
    if (!isSessionRecord(r)) return
    const ended = units.add(r)
    const v = src.of === 'session' ? ended.session?.[src.what] : ended.task?.[src.what]
    if (v !== undefined) (values.push(v), at.push(i))
  })
  return { values, at }
}

/** Whether a task ended on `r`, and whether with an answer: the units of `tools.answered`. */
export const taskEnded = (r: RequestRecord): boolean => isSessionRecord(r) && r.step !== undefined && r.taskEnd !== undefined
export const taskAnswered = (r: RequestRecord): boolean => r.taskEnd === 'answer'
