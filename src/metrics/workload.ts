/**
 * Figures of workloads as users send them (docs/workloads.md, docs/metrics.md), from records taken
 * one at a time as LevelAccumulator takes them: sessions (TTFT and E2E by turn and by history
 * length, time per whole session, why sessions ended), tool loops (by step; per task the time to
 * the final answer, steps and tool calls, the share of tasks answered) and the prefix reuse the
 * workload was designed to have. A session's or a task's figures need its first record's send time
 * until its last record comes: only those still open are held.
 */
import type { GroupFigures, PrefixCacheSummary, RequestRecord, SessionEnd, SessionsSummary, Stats, ToolsSummary } from '../results/types.js'
import { e2e, ttft } from './request.js'
import { isSessionRecord, UnitEnds } from './units.js'
import { computeStatsInPlace } from './stats.js'
import { Column } from './column.js'

/** History-length groups: about this many, on round boundaries. */
const HISTORY_GROUPS = 8

class Pairs {
  ttft: number[] = []
  e2e: number[] = []
  count = 0
  add(r: RequestRecord): void {
    this.count++
    const t = ttft(r)
    if (t !== undefined) this.ttft.push(t)
    const e = e2e(r)
    if (e !== undefined) this.e2e.push(e)
  }
  figures(): GroupFigures {
    const out: GroupFigures = { count: this.count }
    const t = statsOf(this.ttft)
    if (t) out.ttft = t
    const e = statsOf(this.e2e)
    if (e) out.e2e = e
    return out
  }
}

function statsOf(values: number[]): Stats | undefined {
  return values.length ? computeStatsInPlace(Float64Array.from(values)) : undefined
}

/** A step of 1, 2 or 5 × 10^k at least `raw`. */
function roundStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)))
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow
  return 10 * pow
}

export class WorkloadFigures {
  private sessionsSeen = false
  private toolsSeen = false
  private readonly byTurn = new Map<number, Pairs & { history: number }>()
  private readonly byStep = new Map<number, Pairs>()
  /** Each measured, succeeded request's history tokens, TTFT and E2E (NaN: none), in columns: no array per request held to the end. */
  private readonly history = { tokens: new Column(0), ttft: new Column(0), e2e: new Column(0) }
  /** Open sessions and tasks (units.ts). */
  private readonly units = new UnitEnds()
  /** Turns 2 and later, pooled: how fast follow-up turns are. */
  private readonly later = new Pairs()
  private readonly endedBy: Partial<Record<SessionEnd, number>> = {}
  private ended = 0
  private truncated = 0
  private readonly durations: number[] = []
  private readonly turns: number[] = []
  private readonly taskEnds = { answer: 0, 'max-steps': 0, failed: 0 }
  private readonly toAnswer: number[] = []
  private readonly steps: number[] = []
  private readonly calls: number[] = []
  private repeated = 0
  private prompt = 0
  private designedRequests = 0

  add(r: RequestRecord): void {
    // Designed reuse covers every request the loop sent, as the server's counters see them: warm-up
    // and cool-down phases too, when the server prefilled it (it answered, or began to).
    if (r.repeatedTokens !== undefined && (r.outcome === 'ok' || r.firstTokenAt !== undefined)) {
      this.repeated += r.repeatedTokens
      this.prompt += r.inputTokens
      this.designedRequests++
    }
    if (!isSessionRecord(r)) return
    this.sessionsSeen = true
    if (r.step !== undefined) this.toolsSeen = true
    const ok = r.outcome === 'ok'
    if (ok) {
      let t = this.byTurn.get(r.turn)
      if (!t) this.byTurn.set(r.turn, (t = Object.assign(new Pairs(), { history: 0 })))
      t.add(r)
      t.history += r.historyTokens ?? 0
      if (r.turn >= 2) this.later.add(r)
      if (r.step !== undefined) {
        let s = this.byStep.get(r.step)
        if (!s) this.byStep.set(r.step, (s = new Pairs()))
        s.add(r)
      }
      if (r.historyTokens !== undefined) {
        this.history.tokens.push(r.historyTokens)
        this.history.ttft.push(ttft(r) ?? NaN)
        this.history.e2e.push(e2e(r) ?? NaN)
      }
    }
    if (r.truncatedTurns) this.truncated++
    const { session, task } = this.units.add(r)
    if (task) {
      this.taskEnds[task.end]++
      this.steps.push(task.steps)
      this.calls.push(task.toolCalls)
      if (task.timeToAnswer !== undefined) this.toAnswer.push(task.timeToAnswer)
    }
    if (session) {
      this.ended++
      this.endedBy[session.end] = (this.endedBy[session.end] ?? 0) + 1
      this.turns.push(session.turns)
      if (session.duration !== undefined) this.durations.push(session.duration)
    }
  }

  /** The summary's workload parts (none for a level without sessions, tool loops or designed counts). */
  finish(): { sessions?: SessionsSummary; tools?: ToolsSummary; prefixCache?: PrefixCacheSummary } {
    const out: { sessions?: SessionsSummary; tools?: ToolsSummary; prefixCache?: PrefixCacheSummary } = {}
    if (this.designedRequests > 0) {
      out.prefixCache = {
        designed: { share: this.prompt > 0 ? this.repeated / this.prompt : 0, repeatedTokens: this.repeated, promptTokens: this.prompt, requests: this.designedRequests },
        measured: null,
      }
    }
    if (this.sessionsSeen) {
      const sessions: SessionsSummary = {
        ended: this.ended,
        endedBy: { ...this.endedBy },
        truncated: this.truncated,
        byTurn: [...this.byTurn.entries()].sort((a, b) => a[0] - b[0]).map(([turn, p]) => ({ turn, ...p.figures(), historyTokensMean: p.count ? p.history / p.count : 0 })),
        byHistory: this.historyGroups(),
      }
      if (this.later.count > 0) sessions.laterTurns = this.later.figures()
      const d = statsOf(this.durations)
      if (d) sessions.duration = d
      const t = statsOf(this.turns)
      if (t) sessions.turns = t
      out.sessions = sessions
    }
    if (this.toolsSeen) {
      const tasks = this.taskEnds.answer + this.taskEnds['max-steps'] + this.taskEnds.failed
      const tools: ToolsSummary = {
        tasks,
        endedBy: { ...this.taskEnds },
        answeredShare: tasks > 0 ? this.taskEnds.answer / tasks : 0,
        byStep: [...this.byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, p]) => ({ step, ...p.figures() })),
      }
      const a = statsOf(this.toAnswer)
      if (a) tools.timeToAnswer = a
      const s = statsOf(this.steps)
      if (s) tools.steps = s
      const c = statsOf(this.calls)
      if (c) tools.toolCalls = c
      out.tools = tools
    }
    return out
  }

  /** Requests grouped by history length, on round bounds: [0, w), [w, 2w), … */
  private historyGroups(): SessionsSummary['byHistory'] {
    const { tokens, ttft, e2e } = this.history
    const n = tokens.length
    if (n === 0) return []
    let max = 0
    for (let i = 0; i < n; i++) if (tokens.buf[i] > max) max = tokens.buf[i]
    const width = roundStep((max + 1) / HISTORY_GROUPS)
    const groups = new Map<number, Pairs>()
    for (let i = 0; i < n; i++) {
      const g = Math.floor(tokens.buf[i] / width)
      let p = groups.get(g)
      if (!p) groups.set(g, (p = new Pairs()))
      p.count++
      const t = ttft.buf[i]
      const e = e2e.buf[i]
      if (t === t) p.ttft.push(t)
      if (e === e) p.e2e.push(e)
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([g, p]) => ({ from: g * width, to: (g + 1) * width, ...p.figures() }))
  }
}
