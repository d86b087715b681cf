/**
 * Sessions and tool-loop tasks as units: each ends on one record (its `sessionEnd` or `taskEnd`),
 * and its figures (time per session, turns; per task time to answer, steps, tool calls) are known
 * then. The level summary (workload.ts) and the intervals of objectives on these figures
 * (verdicts/samples.ts) both take them from here, so a unit means the same to both.
 */
import type { RequestRecord, SessionEnd } from '../results/types.js'
import { isMeasured } from './request.js'

export interface SessionEnded {
  end: SessionEnd
  /** Its last user turn. */
  turns: number
  /** Ms from its first measured send to its last token; only for sessions that ran all their turns. */
  duration?: number
}

export interface TaskEnded {
  end: 'answer' | 'max-steps' | 'failed'
  steps: number
  toolCalls: number
  /** Ms from the task's first send to its final answer's last token; answered tasks only. */
  timeToAnswer?: number
}

/**
 * Feeds measured session records in the order they ended; says which session or task each one
 * ended. Only units still open are held.
 */
export class UnitEnds {
  private readonly sessions = new Map<string, number>()
  private readonly tasks = new Map<string, { start: number; calls: number }>()

  /** `r` must be measured and carry a session id and a turn. */
  add(r: RequestRecord): { session?: SessionEnded; task?: TaskEnded } {
    const out: { session?: SessionEnded; task?: TaskEnded } = {}
    const id = r.sessionId!
    if (!this.sessions.has(id)) this.sessions.set(id, r.sentAt)
    if (r.step !== undefined) {
      const key = `${id}#${r.turn}`
      let task = this.tasks.get(key)
      if (!task) this.tasks.set(key, (task = { start: r.sentAt, calls: 0 }))
      task.calls += r.toolCalls ?? 0
      if (r.taskEnd) {
        this.tasks.delete(key)
        out.task = { end: r.taskEnd, steps: r.step, toolCalls: task.calls, ...(r.taskEnd === 'answer' ? { timeToAnswer: (r.lastTokenAt ?? r.endAt) - task.start } : {}) }
      }
    }
    if (r.sessionEnd) {
      const start = this.sessions.get(id)!
      this.sessions.delete(id)
      out.session = { end: r.sessionEnd, turns: r.turn!, ...(r.sessionEnd === 'turns' ? { duration: (r.lastTokenAt ?? r.endAt) - start } : {}) }
    }
    return out
  }
}

/** A record the session figures count: measured, of a session. */
export const isSessionRecord = (r: RequestRecord): r is RequestRecord & { sessionId: string; turn: number } => r.sessionId !== undefined && r.turn !== undefined && isMeasured(r)
