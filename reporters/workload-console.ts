/**
 * The console lines of workloads as users send them (docs/workloads.md): sessions (TTFT and E2E by
 * turn and by history length, time per session), tool loops (by step, per task) and the prefix
 * cache, designed against measured. Reads only the level's summary.
 */
import type { GroupFigures, LevelSummary, PrefixCacheSummary, SessionsSummary, ToolsSummary } from '../src/results/types.js'
import { terminalLine } from '../src/text/sanitize.js'
import { sessionEnds } from '../src/results/labels.js'
import { fmt, plain } from './format.js'

const n = (x: number) => x.toLocaleString('en-US')
const pct = (x: number) => `${(x * 100).toFixed(1)}%`

function groupRow(first: string, g: GroupFigures, extra: string[] = []): string[] {
  return [first, String(g.count), ...extra, fmt(g.ttft?.p50), fmt(g.ttft?.p99), fmt(g.e2e?.p50), fmt(g.e2e?.p99)]
}

export function renderSessions(s: SessionsSummary): string {
  const ends = sessionEnds(s.endedBy)
  const lines = [
    `Sessions: ${n(s.ended)} ended${ends ? ` (${ends})` : ''}` +
      (s.turns ? `; ${fmt(s.turns.mean)} turns each on average` : '') +
      (s.truncated ? `; ${n(s.truncated)} requests carried a truncated history` : '') +
      (s.duration ? `; time per session p50 ${fmt(s.duration.p50)} ms, p99 ${fmt(s.duration.p99)} ms (think time included)` : ''),
  ]
  const byTurn = plain(['turn', 'requests', 'history tokens', 'TTFT p50', 'TTFT p99', 'E2E p50', 'E2E p99'])
  for (const t of s.byTurn) byTurn.push(groupRow(String(t.turn), t, [n(Math.round(t.historyTokensMean))]))
  // Turns 2 and later pooled (the laterTurns.* figures), when that is more than turn 2 alone.
  if (s.laterTurns && s.byTurn.length > 2) byTurn.push(groupRow('2+', s.laterTurns, ['']))
  lines.push(`By turn (latencies in ms)\n${byTurn.toString()}`)
  if (s.byHistory.length > 1) {
    const byHistory = plain(['history tokens', 'requests', 'TTFT p50', 'TTFT p99', 'E2E p50', 'E2E p99'])
    for (const h of s.byHistory) byHistory.push(groupRow(`${n(h.from)}–${n(h.to)}`, h))
    lines.push(`By history length (latencies in ms)\n${byHistory.toString()}`)
  }
  return lines.join('\n')
}

export function renderTools(t: ToolsSummary): string {
  const e = t.endedBy
  const lines = [
    `Tool loops: ${n(t.tasks)} tasks, ${pct(t.answeredShare)} ended with a final answer (${e.answer} answered, ${e['max-steps']} at max steps, ${e.failed} failed)` +
      (t.steps ? `; ${fmt(t.steps.mean)} steps and ${fmt(t.toolCalls?.mean)} tool calls per task on average` : '') +
      (t.timeToAnswer ? `; time to the final answer p50 ${fmt(t.timeToAnswer.p50)} ms, p99 ${fmt(t.timeToAnswer.p99)} ms` : ''),
  ]
  if (t.byStep.length > 1) {
    const byStep = plain(['step', 'requests', 'TTFT p50', 'TTFT p99', 'E2E p50', 'E2E p99'])
    for (const s of t.byStep) byStep.push(groupRow(String(s.step), s))
    lines.push(`By step (latencies in ms)\n${byStep.toString()}`)
  }
  return lines.join('\n')
}

/** One line: the reuse the workload was designed to have beside what the server reported; and the reset. */
export function renderPrefixCache(p: PrefixCacheSummary): string | undefined {
  const lines: string[] = []
  const d = p.designed
  const m = p.measured
  if ((d && d.share > 0) || (m && m.share > 0)) {
    const designed = d ? `the workload repeats ${pct(d.share)} of prompt tokens (${n(d.repeatedTokens)} of ${n(d.promptTokens)})` : 'the workload\'s repeats were not counted'
    const measured = m
      ? `the server reports ${pct(m.share)} hits (${m.source}${m.kind === 'gauge' ? ', a gauge at the level\'s end' : ''})`
      : `the server's hits are not known: ${p.note ?? 'not read'}`
    lines.push(`Prefix cache: ${designed}; ${measured}`)
    for (const a of p.also ?? []) lines.push(`  also reported: ${terminalLine(a)}`)
  }
  if (p.reset) lines.push(`Prefix cache reset before the level: ${p.reset.done ? `done (${p.reset.via})` : `not done: ${terminalLine(p.reset.note ?? '')}`}`)
  return lines.length ? lines.join('\n') : undefined
}

/** Every workload block of a level, or nothing. */
export function renderWorkload(s: LevelSummary): string[] {
  const out: string[] = []
  if (s.sessions) out.push(renderSessions(s.sessions))
  if (s.tools) out.push(renderTools(s.tools))
  const p = s.prefixCache && renderPrefixCache(s.prefixCache)
  if (p) out.push(p)
  return out
}
