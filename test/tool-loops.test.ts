/**
 * Agent tool loops against the simulator (docs/workloads.md, Tool loops): a reply that calls tools
 * gets a tool message per call and the next step; every task ends with a final answer in the
 * number of steps the simulator was set to need, on chat and on the Responses API; maxSteps ends
 * a task that keeps calling; other endpoints refuse in one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { TraceEntry } from '../src/simulator/stats.js'
import { runScenario } from '../src/runner/scenario.js'
import type { BenchOptions } from '../src/options/scenario.js'
import type { LevelResult, RequestRecord } from '../src/results/types.js'
import { scenario } from './helpers/scenario.js'

const TOOLS = [
  { type: 'function' as const, function: { name: 'search', description: 'Search the web', parameters: { type: 'object', properties: { input: { type: 'string' } } } } },
  { type: 'function' as const, function: { name: 'fetch', parameters: { type: 'object' } } },
]
const measured = (l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown)
const bodyOf = (sim: Simulator, r: RequestRecord): Record<string, any> => (sim.trace().get(`llmbench-L0-${r.index}`) as TraceEntry).body as Record<string, any>

/** Each task's records in order. */
function tasks(records: RequestRecord[]): RequestRecord[][] {
  const out = new Map<string, RequestRecord[]>()
  for (const r of [...records].sort((a, b) => a.sentAt - b.sentAt)) {
    const key = `${r.sessionId}#${r.turn}`
    if (!out.has(key)) out.set(key, [])
    out.get(key)!.push(r)
  }
  return [...out.values()]
}

describe('tool loops on the simulator', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ trace: true, toolSteps: 3, decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  const bench = (o: BenchOptions): BenchOptions => ({ concurrency: 2, requests: 4, warmup: 0, input: { tokens: 32 }, output: { tokens: 8 }, ...o })

  it('ends every task with a final answer in the steps the server needs, with a tool message per call', async () => {
    const { levels: [level] } = await runScenario(scenario(sim.url, bench({ agent: { tools: TOOLS, toolResult: { tokens: { tokens: 20 }, latency: '30ms' } } })))
    const all = tasks(measured(level))
    expect(all).toHaveLength(4)
    for (const t of all) {
      expect(t.map((r) => r.step)).toEqual([1, 2, 3])
      expect(t.map((r) => r.toolCalls)).toEqual([1, 1, 0])
      expect(t.map((r) => r.taskEnd)).toEqual([undefined, undefined, 'answer'])
      // The tool's latency passes between a call and the next step.
      for (let k = 1; k < 3; k++) expect(t[k].sentAt - t[k - 1].endAt).toBeGreaterThanOrEqual(30)
      for (let k = 1; k < 3; k++) {
        const before = bodyOf(sim, t[k - 1])
        const next = bodyOf(sim, t[k])
        expect(next.tools).toEqual(TOOLS)
        // The assistant's call as the server streamed it, then its result.
        const [call, result] = next.messages.slice(before.messages.length)
        expect(call.role).toBe('assistant')
        expect(call.tool_calls).toHaveLength(1)
        expect(['search', 'fetch']).toContain(call.tool_calls[0].function.name)
        expect(JSON.parse(call.tool_calls[0].function.arguments)).toEqual({ input: expect.any(String) })
        expect(result).toEqual({ role: 'tool', tool_call_id: call.tool_calls[0].id, content: expect.any(String) })
        expect(result.content.split(' ').length).toBeGreaterThan(5)
      }
    }
    const s = level.summary.tools!
    expect(s).toMatchObject({ tasks: 4, endedBy: { answer: 4, 'max-steps': 0, failed: 0 }, answeredShare: 1 })
    expect(s.steps).toMatchObject({ min: 3, max: 3 })
    expect(s.toolCalls).toMatchObject({ min: 2, max: 2 })
    expect(s.byStep.map((b) => [b.step, b.count])).toEqual([[1, 4], [2, 4], [3, 4]])
    // Time to the final answer covers the three requests and both tool calls.
    expect(s.timeToAnswer!.min).toBeGreaterThan(60)
  })

  it('stops a task that still calls tools at maxSteps, says so, and leaves its unanswered calls out of the history', async () => {
    const { levels: [level] } = await runScenario(scenario(sim.url, bench({ requests: 2, sessions: { turns: 2 }, agent: { tools: TOOLS, maxSteps: 2 } })))
    const all = tasks(measured(level))
    for (const t of all) expect(t.map((r) => r.taskEnd)).toEqual([undefined, 'max-steps'])
    expect(level.summary.tools).toMatchObject({ tasks: 4, endedBy: { answer: 0, 'max-steps': 4 }, answeredShare: 0 })
    // The next turn's history: every call is followed by its result; the last reply's calls were never run.
    const second = all.find((t) => t[0].turn === 2)!
    const messages = bodyOf(sim, second[0]).messages as Array<{ role: string; tool_calls?: Array<{ id: string }>; tool_call_id?: string }>
    messages.forEach((m, k) => {
      for (const c of m.tool_calls ?? []) expect(messages[k + 1]).toMatchObject({ role: 'tool', tool_call_id: c.id })
    })
    expect(messages.filter((m) => m.tool_calls?.length)).toHaveLength(1)
  })

  it('follows tool_choice: a named function every step, none never', async () => {
    const named = await runScenario(scenario(sim.url, bench({ requests: 1, agent: { tools: TOOLS, toolChoice: 'fetch', maxSteps: 3 } })))
    const rs = measured(named.levels[0])
    expect(rs.map((r) => r.toolCalls)).toEqual([1, 1, 1])
    expect(bodyOf(sim, rs[0]).tool_choice).toEqual({ type: 'function', function: { name: 'fetch' } })
    const none = await runScenario(scenario(sim.url, bench({ requests: 1, agent: { tools: TOOLS, toolChoice: 'none' } })))
    expect(measured(none.levels[0]).map((r) => [r.step, r.taskEnd])).toEqual([[1, 'answer']])
  })

  it('runs the same loop on the Responses API, with function_call and function_call_output items', async () => {
    const { levels: [level] } = await runScenario(scenario(sim.url, bench({ endpoint: 'responses', requests: 2, agent: { tools: TOOLS } })))
    for (const t of tasks(measured(level))) {
      expect(t.map((r) => r.taskEnd)).toEqual([undefined, undefined, 'answer'])
      const input = bodyOf(sim, t[2]).input as Array<Record<string, any>>
      const calls = input.filter((i) => i.type === 'function_call')
      const outputs = input.filter((i) => i.type === 'function_call_output')
      expect(calls).toHaveLength(2)
      expect(outputs.map((o) => o.call_id)).toEqual(calls.map((c) => c.call_id))
      expect(bodyOf(sim, t[2]).tools[0]).toMatchObject({ type: 'function', name: 'search' })
    }
  })

  it('uses a bench file\'s function for results, and sessions of several turns hold a task per turn', async () => {
    const seen: Array<{ name: string; turn: number; step: number }> = []
    const opts = scenario(sim.url, bench({
      requests: 1,
      concurrency: 1,
      sessions: { turns: 2 },
      agent: { tools: TOOLS, toolResult: (call) => { seen.push({ name: call.name, turn: call.turn, step: call.step }); return { content: `result of ${call.name}`, latencyMs: 5 } } },
    }))
    expect(opts.threads).toBe(1)
    expect(opts.recorded?.agent?.toolResult).toBe('(function)')
    const { levels: [level] } = await runScenario(opts)
    const rs = measured(level)
    expect(rs.map((r) => [r.turn, r.step])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3]])
    expect(seen.map((s) => [s.turn, s.step])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]])
    const last = bodyOf(sim, rs[5]).messages as Array<{ role: string; content: string }>
    expect(last.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(seen.map((s) => `result of ${s.name}`))
    expect(level.summary.tools!.tasks).toBe(2)
  })

  it("checks each step's tool calls against the tools' parameters: valid.rate counts the steps that called tools", async () => {
    // The simulator answers tool calls that fit the parameters, and breaks some on purpose.
    const strict = await startSimulator({ toolSteps: 3, invalidRate: 0.4, seed: 7, decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
    try {
      const tools = [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false } } }]
      const { levels: [level] } = await runScenario(scenario(strict.url, bench({ requests: 12, concurrency: 4, agent: { tools } })))
      const rs = measured(level)
      const calling = rs.filter((r) => (r.toolCalls ?? 0) > 0)
      expect(calling.length).toBeGreaterThan(10)
      // Every step that called a tool was checked; final answers (no call) were not.
      for (const r of calling) expect(typeof r.valid).toBe('boolean')
      for (const r of rs.filter((r) => r.toolCalls === 0)) expect(r.valid).toBeUndefined()
      const invalid = calling.filter((r) => r.valid === false)
      expect(invalid.length).toBeGreaterThan(0)
      expect(invalid.length).toBeLessThan(calling.length)
      for (const r of invalid) expect(r.invalidReason).toMatch(/^tool arguments (not JSON|do not match search)/)
      expect(level.summary.validity).toMatchObject({ checked: calling.length, invalid: invalid.length })

      // check: 'none' leaves them unchecked.
      const off = await runScenario(scenario(strict.url, bench({ requests: 4, agent: { tools, check: 'none' } })))
      expect(measured(off.levels[0]).every((r) => r.valid === undefined)).toBe(true)
      expect(off.levels[0].summary.validity).toBeUndefined()
    } finally {
      await strict.close()
    }
  })

  it('refuses a tool whose parameters are not a schema before the first step, in one line', async () => {
    const bad = [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'no-such-type' } } }]
    await expect(runScenario(scenario(sim.url, bench({ agent: { tools: bad } })))).rejects.toThrow(/^agent\.tools: a tool's parameters are not a JSON Schema ajv can compile: .*\(fix the schema, or pass --tool-check none\)$/)
  })

  it('refuses tool loops on other endpoints in one line', async () => {
    await expect(runScenario(scenario(sim.url, bench({ endpoint: 'anthropic', agent: { tools: TOOLS } })))).rejects.toThrow(/^agent tool loops need the chat or responses endpoint, not anthropic: pass --endpoint chat \(or responses\)$/)
  })
})
