/**
 * Sessions against the simulator (docs/workloads.md): every turn carries the server's exact reply
 * text, think time is honoured, loads count sessions, phases hold whole sessions, a context limit
 * truncates or ends a session, dataset conversations give their user turns, and the session id
 * travels in a header (and a body field) and in every record.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { TraceEntry } from '../src/simulator/stats.js'
import { runScenario } from '../src/runner/scenario.js'
import { scenario } from './helpers/scenario.js'
import type { BenchOptions } from '../src/options/scenario.js'
import type { LevelResult, RequestRecord } from '../src/results/types.js'
import { schemaErrors } from './helpers/schema.js'
import { buildRunResult } from '../src/results/result.js'
import { recordedScenario } from '../src/runner/recorded.js'

type Message = { role: string; content: string | null }

const measured = (l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown)

/** A level's records by session, in the order sent. */
function bySession(records: RequestRecord[]): Map<string, RequestRecord[]> {
  const out = new Map<string, RequestRecord[]>()
  for (const r of [...records].sort((a, b) => a.sentAt - b.sentAt)) {
    if (r.sessionId === undefined) continue
    if (!out.has(r.sessionId)) out.set(r.sessionId, [])
    out.get(r.sessionId)!.push(r)
  }
  return out
}

/** What the simulator received for a record, by its request id. */
function traceOf(sim: Simulator, level: number, r: RequestRecord): TraceEntry {
  const t = sim.trace().get(`llmbench-L${level}-${r.index}`)
  if (!t) throw new Error(`no trace for request ${r.index}`)
  return t
}

const messagesOf = (t: TraceEntry) => (t.body as { messages: Message[] }).messages

describe('sessions on the simulator', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ trace: true, decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  it("sends turn k+1 with the whole history and the server's exact reply to turn k", async () => {
    const opts = scenario(sim.url, { concurrency: 2, requests: 3, input: { tokens: 64 }, output: { tokens: 12 }, sessions: { turns: 4, bodyField: 'user' } })
    const { levels: [level] } = await runScenario(opts)
    const sessions = bySession(measured(level))
    expect(sessions.size).toBe(3)
    for (const [id, rs] of sessions) {
      expect(rs.map((r) => r.turn)).toEqual([1, 2, 3, 4])
      expect(rs.map((r) => r.sessionEnd)).toEqual([undefined, undefined, undefined, 'turns'])
      const traces = rs.map((r) => traceOf(sim, 0, r))
      for (let k = 0; k < 3; k++) {
        const before = messagesOf(traces[k])
        const after = messagesOf(traces[k + 1])
        // The whole history, then the server's own reply to turn k exactly as it wrote it, then the next user turn.
        expect(after.slice(0, before.length)).toEqual(before)
        expect(after[before.length]).toEqual({ role: 'assistant', content: traces[k].reply })
        expect(traces[k].reply!.length).toBeGreaterThan(0)
        expect(after[before.length + 1].role).toBe('user')
        expect(after).toHaveLength(before.length + 2)
      }
      // The id travels in the header and the body field, and is in every record.
      for (const t of traces) {
        expect(t.sessionId).toBe(id)
        expect((t.body as { user: string }).user).toBe(id)
      }
    }
    const s = level.summary.sessions!
    expect(s.ended).toBe(3)
    expect(s.endedBy).toEqual({ turns: 3 })
    expect(s.byTurn.map((t) => [t.turn, t.count])).toEqual([[1, 3], [2, 3], [3, 3], [4, 3]])
    // History grows turn by turn; the first carries none.
    expect(s.byTurn[0].historyTokensMean).toBe(0)
    for (let k = 1; k < 4; k++) expect(s.byTurn[k].historyTokensMean).toBeGreaterThan(s.byTurn[k - 1].historyTokensMean)
    const result = buildRunResult({ scenario: recordedScenario(opts), levels: [level], startedAt: new Date(), finishedAt: new Date(), interrupted: false, command: 'test' })
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([])
  })

  it.each([
    ['responses', (b: Record<string, any>) => b.input],
    ['anthropic', (b: Record<string, any>) => b.messages],
    ['ollama', (b: Record<string, any>) => b.messages],
  ] as const)('chains the exact reply on the %s endpoint too', async (endpoint, messages) => {
    const { levels: [level] } = await runScenario(scenario(sim.url, { endpoint, concurrency: 1, requests: 1, warmup: 0, input: { tokens: 32 }, output: { tokens: 10 }, sessions: { turns: 2 } }))
    const [a, b] = bySession(measured(level)).values().next().value!
    const first = traceOf(sim, 0, a)
    const second = messages(traceOf(sim, 0, b).body as Record<string, any>) as Message[]
    expect(first.reply!.length).toBeGreaterThan(0)
    expect(second.slice(-2)).toEqual([{ role: 'assistant', content: first.reply }, { role: 'user', content: expect.any(String) }])
  })

  it('waits the think time after a reply, within 10 ms, and never less', async () => {
    const { levels: [level] } = await runScenario(scenario(sim.url, { concurrency: 2, requests: 2, input: { tokens: 32 }, output: { tokens: 4 }, sessions: { turns: 3, thinkTime: '150ms' } }))
    const gaps: number[] = []
    for (const rs of bySession(measured(level)).values()) {
      for (let k = 1; k < rs.length; k++) {
        gaps.push(rs[k].sentAt - rs[k - 1].endAt)
        // A turn is scheduled when its think time ends: its queue delay is the client's own lateness.
        expect(rs[k].scheduledAt - rs[k - 1].endAt).toBeGreaterThanOrEqual(150)
      }
    }
    expect(gaps).toHaveLength(4)
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(150)
      expect(g).toBeLessThan(160)
    }
  })

  it('a closed loop keeps N sessions going; an open loop starts sessions at the rate', async () => {
    const closed = await runScenario(scenario(sim.url, { concurrency: 2, requests: 5, warmup: 0, input: { tokens: 16 }, output: { tokens: 4 }, sessions: { turns: 3, thinkTime: '20ms' } }))
    const rs = measured(closed.levels[0])
    const sessions = [...bySession(rs).values()]
    expect(sessions).toHaveLength(5)
    expect(rs).toHaveLength(15)
    // At most two sessions are under way at any moment (first send to last end).
    const spans = sessions.map((s) => [s[0].sentAt, s[s.length - 1].endAt])
    const most = Math.max(...spans.map(([a]) => spans.filter(([b, e]) => b <= a && a < e).length))
    expect(most).toBe(2)

    const open = await runScenario(scenario(sim.url, { rate: 10, arrival: 'constant', requests: 4, warmup: 0, input: { tokens: 16 }, output: { tokens: 4 }, sessions: { turns: 2 } }))
    const firsts = [...bySession(measured(open.levels[0])).values()].map((s) => s[0]).sort((a, b) => a.scheduledAt - b.scheduledAt)
    expect(firsts).toHaveLength(4)
    // New sessions arrive 100 ms apart; their second turns are not arrivals.
    firsts.slice(1).forEach((r, k) => expect(r.scheduledAt - firsts[k].scheduledAt).toBeCloseTo(100, 3))
    expect(measured(open.levels[0])).toHaveLength(8)
    // The schedule's figures are of arrivals: first turns only.
    expect(open.levels[0].summary.schedule!.scheduledRate).toBeCloseTo(10, 3)
  })

  it('warm-up and cool-down hold whole sessions, kept out of the figures', async () => {
    const { levels: [level] } = await runScenario(scenario(sim.url, { concurrency: 1, requests: 2, warmup: 0, cooldown: 1, input: { tokens: 16 }, output: { tokens: 4 }, sessions: { turns: 2 } }))
    const all = bySession(level.records)
    expect(all.size).toBe(3)
    const kinds = [...all.values()].map((rs) => rs.map((r) => (r.cooldown ? 'cooldown' : 'measured')))
    // A session is all of one phase.
    expect(kinds.map((k) => new Set(k).size)).toEqual([1, 1, 1])
    expect(kinds.filter((k) => k[0] === 'cooldown')).toHaveLength(1)
    expect(level.summary.requests).toMatchObject({ total: 4, cooldown: 2 })
    expect(level.summary.sessions!.ended).toBe(2)
  })

  it('maxContextTokens truncates the oldest turns, or ends the session, and the records say which', async () => {
    const base: BenchOptions = { concurrency: 1, requests: 1, warmup: 0, input: { tokens: 200 }, output: { tokens: 40 } }
    const truncate = await runScenario(scenario(sim.url, { ...base, sessions: { turns: 5, maxContextTokens: 700 } }))
    const rs = measured(truncate.levels[0])
    expect(rs.map((r) => r.turn)).toEqual([1, 2, 3, 4, 5])
    const cut = rs.filter((r) => r.truncatedTurns)
    expect(cut.length).toBeGreaterThan(0)
    for (const r of rs) expect(r.inputTokens + 40).toBeLessThanOrEqual(700)
    // The truncated request no longer carries the first turn's user message; the ones before did.
    const first = messagesOf(traceOf(sim, 0, rs[0]))[0].content
    expect(messagesOf(traceOf(sim, 0, cut[0])).some((m) => m.content === first)).toBe(false)
    expect(messagesOf(traceOf(sim, 0, rs[1])).some((m) => m.content === first)).toBe(true)
    expect(truncate.levels[0].summary.sessions!.truncated).toBe(cut.length)
    expect(rs[4].sessionEnd).toBe('turns')

    const end = await runScenario(scenario(sim.url, { ...base, sessions: { turns: 5, maxContextTokens: 700, onContextFull: 'end' } }))
    const es = measured(end.levels[0])
    expect(es.length).toBeLessThan(5)
    expect(es[es.length - 1].sessionEnd).toBe('context')
    expect(es.every((r) => r.truncatedTurns === undefined)).toBe(true)
    expect(end.levels[0].summary.sessions!.endedBy).toEqual({ context: 1 })
  })

  it("takes a dataset's user turns in order and never its replies", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-sessions-'))
    const file = join(dir, 'chats.jsonl')
    const convo = (n: number) => ({ conversations: [
      { from: 'system', value: `Be brief ${n}.` },
      { from: 'human', value: `first question ${n}` }, { from: 'gpt', value: `DATASET REPLY A ${n}` },
      { from: 'human', value: `second question ${n}` }, { from: 'gpt', value: `DATASET REPLY B ${n}` },
      { from: 'human', value: `third question ${n}` }, { from: 'gpt', value: `DATASET REPLY C ${n}` },
    ] })
    writeFileSync(file, [1, 2].map((n) => JSON.stringify(convo(n))).join('\n'))
    const { levels: [level] } = await runScenario(scenario(sim.url, { concurrency: 1, requests: 2, warmup: 0, dataset: { path: file, shuffle: false }, output: { tokens: 6 }, sessions: { turns: 'dataset' } }))
    const sessions = [...bySession(measured(level)).values()]
    expect(sessions.map((s) => s.length)).toEqual([3, 3])
    const last = messagesOf(traceOf(sim, 0, sessions[0][2]))
    expect(last.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['first question 1', 'second question 1', 'third question 1'])
    expect(last[0]).toEqual({ role: 'system', content: 'Be brief 1.' })
    expect(last.some((m) => String(m.content).includes('DATASET REPLY'))).toBe(false)
    expect(last.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(sessions[0].slice(0, 2).map((r) => traceOf(sim, 0, r).reply))
  })

  it('refuses in one line what sessions cannot do', async () => {
    await expect(runScenario(scenario(sim.url, { endpoint: 'completions', sessions: { turns: 2 } }))).rejects.toThrow(/^sessions need an endpoint that takes messages \(chat, responses, anthropic, ollama\), not completions: pass --endpoint chat$/)
    expect(() => scenario(sim.url, { sessions: { turns: 'dataset' } })).toThrow(/sessions\.turns 'dataset' takes each conversation's own user turns: it needs a ShareGPT or JSONL dataset of conversations/)
  })
})
