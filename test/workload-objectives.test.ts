/**
 * Objectives and comparisons on the figures of sessions and tool loops (docs/workloads.md,
 * "Objectives on sessions and tool loops"): records of sessions and tasks built by hand, each
 * figure's value against a hand computation, objectives that pass and fail on them with an
 * interval when the units are enough, and the messages of a level that has none.
 */
import { describe, expect, it } from 'vitest'
import { evaluateObjectives, validateObjectives } from '../src/dsl/index.js'
import type { SloObjectives } from '../src/dsl/index.js'
import { figure, unitOf } from '../src/metrics/figures.js'
import { summarizeLevel } from '../src/metrics/level.js'
import { pooledSessions } from '../src/metrics/pool.js'
import { checkObjective } from '../src/verdicts/objective.js'
import { StoppingRule } from '../src/verdicts/sequential.js'
import { compareLevels, requireFigure } from '../src/verdicts/index.js'
import { compareCommandSchema } from '../src/options/commands.js'
import { check, keyNaming } from '../src/options/check.js'
import { makeLevel } from './helpers/levels.js'
import { renderSessions } from '../reporters/workload-console.js'
import type { LevelResult, RequestRecord } from '../src/results/types.js'
import type { CheckOutcome } from '../src/dsl/types.js'

/** One request of a unit: its TTFT, the time from its first token to its last, and fields of its own. */
interface Step {
  ttft: number
  decode: number
  fields?: Partial<RequestRecord>
}

/**
 * A closed loop of `concurrency` slots, each running its units (sessions, or tasks) one after
 * another; within a unit a request goes `pause` ms after the previous one ended. Records are in
 * send order, and the summary is llmbench's own (summarizeLevel), as a run holds them.
 */
function unitsLevel(units: Step[][], concurrency: number, pause = 5): LevelResult {
  const free = Array.from({ length: concurrency }, (_, s) => 1000 + s * 0.25)
  const pending: Array<Omit<RequestRecord, 'index'>> = []
  units.forEach((steps) => {
    let slot = 0
    for (let s = 1; s < concurrency; s++) if (free[s] < free[slot]) slot = s
    let t = free[slot]
    for (const step of steps) {
      const sentAt = t
      const lastTokenAt = sentAt + step.ttft + step.decode
      pending.push({
        warmup: false, stream: true, scheduledAt: sentAt, sentAt, firstTokenAt: sentAt + step.ttft, firstContentAt: sentAt + step.ttft,
        lastTokenAt, endAt: lastTokenAt + 1, outcome: 'ok', outputTokens: 4, outputTokensSource: 'usage', inputTokens: 50, inputTokensSource: 'usage',
        ...step.fields,
      })
      t = lastTokenAt + 1 + pause
    }
    free[slot] = t
  })
  const records = pending.sort((a, b) => a.sentAt - b.sentAt).map((r, index) => ({ ...r, index }) as RequestRecord)
  const byEnd = [...records].sort((a, b) => a.endAt - b.endAt) // the accumulator takes records as they end
  const summary = summarizeLevel(byEnd, { load: { kind: 'concurrency', value: concurrency }, client: { eventLoopDelayP99Ms: 1, cpuPercent: 10 } })
  return { summary, records }
}

/** Session j of `turns` turns: turn k's TTFT is 10·k + j ms, its decode 20 ms; 5 ms between turns. */
function sessions(count: number, turns: number): Step[][] {
  return Array.from({ length: count }, (_, j) =>
    Array.from({ length: turns }, (_, i) => ({
      ttft: 10 * (i + 1) + j,
      decode: 20,
      fields: { sessionId: `s${j}`, turn: i + 1, ...(i === turns - 1 ? { sessionEnd: 'turns' as const } : {}) },
    })),
  )
}

/**
 * Task j (a session of one turn): 1 + j mod 3 steps, each calling one tool but the last; every
 * fourth task is still calling at its last step and ends max-steps. Step TTFT 10 ms, decode 30 ms.
 */
function tasks(count: number): Step[][] {
  return Array.from({ length: count }, (_, j) => {
    const steps = 1 + (j % 3)
    const answered = j % 4 !== 3
    return Array.from({ length: steps }, (_, i) => {
      const last = i === steps - 1
      return {
        ttft: 10,
        decode: 30,
        fields: {
          sessionId: `t${j}`, turn: 1, step: i + 1, toolCalls: last && answered ? 0 : 1,
          ...(last ? { taskEnd: answered ? ('answer' as const) : ('max-steps' as const), sessionEnd: 'turns' as const } : {}),
        },
      }
    })
  })
}

const value = (name: string, level: LevelResult) => figure(name)!.read(level.summary)
/** The checks of `slo` on a level, by figure. */
const objectives = (slo: Record<string, string>, level: LevelResult): Record<string, CheckOutcome> => Object.fromEntries(evaluateObjectives(slo as SloObjectives, [level]).map((c) => [c.metric, c]))
const verdicts = (checks: ReturnType<typeof objectives>) => Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, c.passed]))

describe('figures of sessions', () => {
  // 5 sessions of 3 turns on 2 slots. Session j: turns take (10k + j) + 20 ms, 6 ms apart (1 ms to
  // the end of the stream, 5 ms pause): its duration is Σk (10k + j + 20) + 2·6 = 132 + 3j ms.
  const level = unitsLevel(sessions(5, 3), 2)

  it('reads each figure as the hand computation gives it', () => {
    // Durations 132, 135, 138, 141, 144.
    expect(value('session.duration.p50', level)).toBeCloseTo(138, 9)
    expect(value('session.duration.mean', level)).toBeCloseTo(138, 9)
    expect(value('session.duration.max', level)).toBeCloseTo(144, 9)
    expect(value('session.duration.count', level)).toBe(5)
    expect(value('session.turns.p50', level)).toBe(3)
    // Turn 2's TTFT is 20 + j: 20 … 24; its E2E 40 + j.
    expect(value('turn2.ttft.p50', level)).toBeCloseTo(22, 9)
    expect(value('turn2.ttft.min', level)).toBeCloseTo(20, 9)
    expect(value('turn2.e2e.max', level)).toBeCloseTo(44, 9)
    expect(value('turn3.ttft.mean', level)).toBeCloseTo(32, 9)
    expect(value('turn4.ttft.p50', level)).toBeUndefined()
    // Turns 2 and 3 pooled: 20 … 24 and 30 … 34, mean 27, 10 samples.
    expect(value('laterTurns.ttft.mean', level)).toBeCloseTo(27, 9)
    expect(value('laterTurns.ttft.count', level)).toBe(10)
    expect(value('laterTurns.ttft.max', level)).toBeCloseTo(34, 9)
    // Repeats of a level pool the later turns like a turn (metrics/pool.ts).
    const pooled = pooledSessions([level.summary.sessions, unitsLevel(sessions(4, 3), 2).summary.sessions])!
    expect(pooled.laterTurns!.count).toBe(18)
    expect(pooled.laterTurns!.ttft!.max).toBeCloseTo(34, 9)
    // The console's by-turn table ends with the later turns pooled.
    expect(renderSessions(level.summary.sessions!)).toMatch(/│ 2\+\s+│ 10\s+│\s+│ 27\.0?\s/)
    expect(unitOf('session.duration.p90')).toBe('ms')
    expect(unitOf('turn2.ttft.p95')).toBe('ms')
    expect(unitOf('session.turns.p50')).toBe('')
    expect(unitOf('tools.answered')).toBe('')
  })

  it('passes and fails objectives on them', () => {
    const checks = objectives({ 'session.duration.p50': '< 139', 'turn2.ttft.p50': '< 21', 'laterTurns.ttft.mean': '<= 27.5', 'session.turns.min': '>= 3' }, level)
    expect(verdicts(checks)).toEqual({ 'session.duration.p50': true, 'turn2.ttft.p50': false, 'laterTurns.ttft.mean': true, 'session.turns.min': true })
    const turn = checks['turn2.ttft.p50']
    expect(turn.actual).toBeCloseTo(22, 9)
    expect(turn.message).toMatch(/^concurrency 2: turn2\.ttft\.p50 = 22 ms.*expected < 21/)
  })

  it('gives session figures an interval from the sessions, and turn figures one from their requests', () => {
    // 80 sessions of 3 turns on 4 slots, TTFT spread by session: enough units for an interval.
    const big = unitsLevel(
      Array.from({ length: 80 }, (_, j) => sessions(1, 3)[0].map((s) => ({ ...s, ttft: s.ttft + ((j * 37) % 23), fields: { ...s.fields, sessionId: `b${j}` } }))),
      4,
    )
    const d = value('session.duration.p50', big)!
    const met = checkObjective(big, { figure: 'session.duration.p50', op: '<', bound: d * 2 })
    expect(met.passed).toBe(true)
    expect(met.marginal).toBe(false)
    expect(met.interval[0]).toBeLessThanOrEqual(d)
    expect(met.interval[1]).toBeGreaterThanOrEqual(d)
    expect(Number.isFinite(met.interval[0]) && Number.isFinite(met.interval[1])).toBe(true)
    // The interval is the sessions' noise: within the range of the session durations themselves.
    expect(met.interval[0]).toBeGreaterThanOrEqual(value('session.duration.min', big)!)
    expect(met.interval[1]).toBeLessThanOrEqual(value('session.duration.max', big)!)
    expect(checkObjective(big, { figure: 'session.duration.p50', op: '<', bound: d / 2 }).passed).toBe(false)
    const turn = checkObjective(big, { figure: 'turn2.ttft.p50', op: '<', bound: 1000 })
    expect(turn.passed).toBe(true)
    expect(turn.value).toBeCloseTo(value('turn2.ttft.p50', big)!, 9)
    expect(Number.isFinite(turn.interval[1])).toBe(true)
    // Repeats of the level are judged together: their mean, with the run-to-run spread.
    const again = unitsLevel(sessions(80, 3), 4)
    const both = checkObjective([big, again], { figure: 'session.duration.p50', op: '<', bound: 1e6 })
    expect(both.value).toBeCloseTo((d + value('session.duration.p50', again)!) / 2, 9)
    expect(both.passed).toBe(true)
    const answered = checkObjective([unitsLevel(tasks(100), 4), unitsLevel(tasks(120), 4)], { figure: 'tools.answered', op: '>=', bound: 0.5 })
    expect(answered.value).toBeCloseTo(0.75, 12)
    expect(answered.passed).toBe(true)
    // An extreme has no interval: compared as a point, and it says so.
    expect(checkObjective(big, { figure: 'session.duration.max', op: '<', bound: 1 }).reason).toMatch(/has no interval/)
  })

  it('refuses an interval on sessions when the result kept only a sample of the records', () => {
    const big = unitsLevel(sessions(60, 3), 4)
    const sampled: LevelResult = { ...big, records: big.records.filter((_, i) => i % 3 !== 1) }
    const c = checkObjective(sampled, { figure: 'session.duration.p50', op: '<', bound: 1e6 })
    expect(c.reason).toMatch(/keeps 120 of the level's 180 measured requests \(recordsLimit\).*raise recordsLimit/)
    // A turn's requests are a sample like any request figure's.
    expect(checkObjective(sampled, { figure: 'turn2.ttft.p50', op: '<', bound: 1e6 }).reason ?? '').not.toMatch(/recordsLimit/)
  })
})

describe('figures of tool loops', () => {
  // 12 tasks: steps 1, 2, 3, 1, 2, 3, …; tasks 3, 7, 11 end max-steps. A step takes 40 ms and the
  // next goes 6 ms after it (1 ms to the end of the stream, 5 ms pause): a task of s steps answers
  // after 40s + 6(s − 1) ms.
  const level = unitsLevel(tasks(12), 3)

  it('reads each figure as the hand computation gives it', () => {
    expect(value('tools.answered', level)).toBeCloseTo(9 / 12, 12)
    // Answered tasks: j = 0,1,2,4,5,6,8,9,10 → steps 1,2,3,2,3,1,3,1,2: times 40, 86, 132 three times each.
    expect(value('tools.timeToAnswer.p50', level)).toBeCloseTo(86, 9)
    expect(value('tools.timeToAnswer.mean', level)).toBeCloseTo(86, 9)
    expect(value('tools.timeToAnswer.count', level)).toBe(9)
    // Steps of all 12 tasks: mean 2, max 3.
    expect(value('tools.steps.mean', level)).toBeCloseTo(2, 12)
    expect(value('tools.steps.max', level)).toBe(3)
    // Tool calls: an answered task calls s − 1, a max-steps one s (tasks 3, 7, 11 have 1, 2, 3 steps).
    // Answered 0+1+2+1+2+0+2+0+1 = 9, max-steps 1+2+3 = 6: 15 over 12 tasks.
    expect(value('tools.toolCalls.mean', level)).toBeCloseTo(15 / 12, 12)
  })

  it('passes and fails objectives on them, tools.answered as a proportion with its interval', () => {
    const checks = objectives({ 'tools.answered': '>= 0.7', 'tools.timeToAnswer.p50': '< 80', 'tools.steps.max': '<= 3' }, level)
    expect(verdicts(checks)).toEqual({ 'tools.answered': true, 'tools.timeToAnswer.p50': false, 'tools.steps.max': true })
    const big = unitsLevel(tasks(200), 4)
    const share = checkObjective(big, { figure: 'tools.answered', op: '>=', bound: 0.95 })
    expect(share.value).toBeCloseTo(150 / 200, 12)
    expect(share.passed).toBe(false) // 75% answered: the whole interval is under 95%
    expect(share.interval[0]).toBeLessThan(0.75)
    expect(share.interval[1]).toBeGreaterThan(0.75)
    expect(share.interval[1]).toBeLessThan(0.95)
    expect(checkObjective(big, { figure: 'tools.answered', op: '>=', bound: 0.5 }).passed).toBe(true)
  })
})

describe('a level without sessions or tool loops', () => {
  const plain = makeLevel({ requests: 40, concurrency: 2 })

  it('says why each figure has no value, and fails the objective', () => {
    const checks = objectives({ 'session.duration.p90': '< 20000', 'turn2.ttft.p95': '< 300', 'tools.answered': '>= 0.95', 'tools.timeToAnswer.p90': '< 8000' }, plain)
    expect(Object.values(checks).every((c) => !c.passed && c.actual === undefined)).toBe(true)
    expect(checks['session.duration.p90'].message).toMatch(/session\.duration\.p90 has no value: this level ran no sessions \(sessions in the bench options, --turns on the command line: docs\/workloads\.md\)/)
    expect(checks['turn2.ttft.p95'].message).toMatch(/turn2\.ttft\.p95 has no value: this level ran no sessions/)
    expect(checks['tools.answered'].message).toMatch(/tools\.answered has no value: this level ran no tool loops/)
    expect(checks['tools.timeToAnswer.p90'].message).toMatch(/tools\.timeToAnswer\.p90 has no value: this level ran no tool loops/)
  })

  it('says which turn no session reached', () => {
    const level = unitsLevel(sessions(3, 2), 1)
    const check = objectives({ 'turn5.ttft.p50': '< 300' }, level)['turn5.ttft.p50']
    expect(check.passed).toBe(false)
    expect(check.message).toMatch(/turn5\.ttft\.p50 has no value: no session reached turn 5 with a succeeded request at this level/)
  })
})

describe('stopping early', () => {
  it('leaves objectives on sessions and tool loops to the level\'s end', () => {
    const level = unitsLevel(sessions(60, 3), 4)
    const rule = new StoppingRule({ objectives: [{ figure: 'session.duration.p50', op: '<', bound: 1e6 }, { figure: 'turn2.ttft.p50', op: '<', bound: 1e6 }, { figure: 'tools.answered', op: '>=', bound: 0 }], minRequests: 10 })
    for (const r of level.records) rule.add(r)
    const d = rule.check()
    expect(d.stop).toBe(false)
    expect(d.objectives.map((o) => o.state)).toEqual(['unsupported', 'unsupported', 'unsupported'])
    expect(d.message).toMatch(/session\.duration\.p50 < 1000000: session\.duration\.p50 is only checked at the level's end/)
  })
})

describe('naming the figures', () => {
  it('accepts the new names as objectives and refuses a wrong one in one line', () => {
    expect(() => validateObjectives({ 'turn12.ttft.p95': '< 300', 'laterTurns.ttft.p95': '< 300', 'session.duration.p90': '< 20000', 'tools.answered': '>= 0.95' }, [1])).not.toThrow()
    expect(() => validateObjectives({ 'turn2.ttft.p96': '< 300' } as SloObjectives, [1])).toThrowError(/^slo has an unknown objective "turn2\.ttft\.p96": did you mean "turn2\.ttft\.p9\d"\? use .*turn<k>\.ttft\|e2e, each \.<stat>/)
    expect(() => validateObjectives({ 'turn0.ttft.p95': '< 300' } as SloObjectives, [1])).toThrowError(/unknown objective "turn0\.ttft\.p95"/)
    expect(() => validateObjectives({ 'session.duraton.p90': '< 300' } as SloObjectives, [1])).toThrowError(/unknown objective "session\.duraton\.p90": did you mean "session\.duration\.p90"\?/)
    // A wrong value under a turn figure is named by its key.
    expect(() => validateObjectives({ 'turn2.ttft.p95': 'fast' } as unknown as SloObjectives, [1])).toThrowError(/slo\["turn2\.ttft\.p95"\]/)
    // Non-streamed requests have no TTFT, in any turn.
    expect(() => validateObjectives({ 'turn2.ttft.p95': '< 300' }, [1], { stream: false })).toThrowError(/non-streamed requests have no ttft/)
    expect(() => validateObjectives({ 'turn2.e2e.p95': '< 300' }, [1], { stream: false })).not.toThrow()
  })

  it('compare takes them in --metrics and --primary', () => {
    const settings = check(compareCommandSchema, { metrics: ['turn2.ttft.p50', 'session.duration.p90', 'tools.answered'], primary: ['laterTurns.ttft.p90'] }, keyNaming(undefined))
    expect(settings.metrics).toEqual(['turn2.ttft.p50', 'session.duration.p90', 'tools.answered'])
    expect(() => check(compareCommandSchema, { metrics: ['turn2.tft.p50'] }, keyNaming(undefined))).toThrowError(/metrics\[0\]/)
    expect(requireFigure('tools.answered')).toMatchObject({ kind: 'proportion', better: 'higher', changeKind: 'points' })
    expect(requireFigure('session.turns.p50').better).toBeUndefined()
    expect(() => requireFigure('turn2.itl.p50')).toThrowError(/Unknown figure "turn2\.itl\.p50": use .*session\.duration/)

    const base = unitsLevel(sessions(60, 3), 4)
    const doc = compareLevels(base, base, { figures: ['turn2.ttft.p50', 'laterTurns.ttft.p90', 'session.duration.p50', 'session.turns.mean'] })
    const rows = doc.levels[0].figures
    expect(rows.map((r) => r.figure)).toEqual(['turn2.ttft.p50', 'laterTurns.ttft.p90', 'session.duration.p50', 'session.turns.mean'])
    for (const r of rows) expect(r.change).toBe(0)
    // A level against itself: the timed figures are equivalent within 5%.
    expect(rows.slice(0, 3).map((r) => r.verdict)).toEqual(['equivalent', 'equivalent', 'equivalent'])
    const tasksDoc = compareLevels(unitsLevel(tasks(200), 4), unitsLevel(tasks(200), 4), { figures: ['tools.answered'] })
    expect(tasksDoc.levels[0].figures[0]).toMatchObject({ figure: 'tools.answered', changeKind: 'points', change: 0 })
  })
})
