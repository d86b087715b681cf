/**
 * Request kinds inside sessions and tool loops (docs/request-kinds.md, "With sessions"): a session
 * keeps its LoRA adapter on every turn and re-sends its images with every request in its first
 * user message, byte-identical, every turn's answer is checked; a structured tool's call is answered with arguments that fit its parameters
 * while a tool loop's tools that take `{"input": text}` keep those arguments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { TraceEntry } from '../src/simulator/stats.js'
import { runScenario } from '../src/runner/scenario.js'
import type { LevelResult, RequestRecord } from '../src/results/types.js'
import { scenario } from './helpers/scenario.js'
import { takesInput } from '../src/simulator/structured.js'

const measured = (l: LevelResult) => l.records.filter((r) => !r.warmup && !r.cooldown)
const traceOf = (sim: Simulator, r: RequestRecord) => sim.trace().get(`llmbench-L0-${r.index}`) as TraceEntry & { adapter?: string; images?: unknown[] }

describe('request kinds in sessions', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ trace: true, decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0, loraModules: ['sql', 'chat'], invalidRate: 0 })
  })
  afterAll(() => sim.close())

  it('a session keeps its adapter on every turn, re-sends its images in its first user message, and every turn is checked', async () => {
    const opts = scenario(sim.url, {
      endpoint: 'chat', concurrency: 2, requests: 4, warmup: 0, input: { tokens: 32 }, output: { tokens: 12 },
      sessions: { turns: 3 },
      lora: { adapters: ['sql', 'chat'], assignment: 'round-robin' },
      images: { count: 2, width: 256, height: 256 },
      structured: { responseFormat: 'json_object' },
    })
    const { levels: [level] } = await runScenario(opts)
    const records = measured(level)
    const sessions = new Map<string, RequestRecord[]>()
    for (const r of [...records].sort((a, b) => a.sentAt - b.sentAt)) sessions.set(r.sessionId!, [...(sessions.get(r.sessionId!) ?? []), r])
    expect(sessions.size).toBe(4)
    const adapters = new Set<string>()
    for (const rs of sessions.values()) {
      expect(rs.map((r) => r.turn)).toEqual([1, 2, 3])
      // One adapter per session, named on every request and seen by the server on every request.
      const adapter = rs[0].adapter!
      adapters.add(adapter)
      for (const r of rs) {
        expect(r.adapter).toBe(adapter)
        expect(traceOf(sim, r).adapter).toBe(adapter)
      }
      // Every request re-sends the images (a chat client re-sends its history), and counts them.
      expect(rs.map((r) => r.media?.images ?? 0)).toEqual([2, 2, 2])
      expect(rs.map((r) => traceOf(sim, r).images?.length ?? 0)).toEqual([2, 2, 2])
      // Where the first request had them: its user message, the same text and parts, byte for byte.
      const bodies = rs.map((r) => (traceOf(sim, r).body as { messages: Array<{ role: string; content: unknown }> }).messages)
      const firstUser = bodies[0].findIndex((m) => m.role === 'user')
      const sent = JSON.stringify(bodies[0][firstUser])
      expect(sent).toMatch(/^\{"role":"user","content":\[\{"type":"text","text":"[^"]+"\},\{"type":"image_url","image_url":\{"url":"data:image\/png;base64,[^"]+"\}\},\{"type":"image_url"/)
      for (const later of bodies.slice(1)) {
        expect(JSON.stringify(later[firstUser])).toBe(sent)
        // The later user turns are plain text: the images are not sent twice in one request.
        expect(later.slice(firstUser + 1).every((m) => typeof m.content === 'string')).toBe(true)
      }
      // Each turn's answer is checked (JSON from the simulator), and the next turn carries that answer.
      expect(rs.map((r) => r.valid)).toEqual([true, true, true])
      const second = (traceOf(sim, rs[1]).body as { messages: Array<{ role: string; content: unknown }> }).messages
      expect(second.at(-2)).toEqual({ role: 'assistant', content: traceOf(sim, rs[0]).reply })
      expect(() => JSON.parse(traceOf(sim, rs[0]).reply!)).not.toThrow()
    }
    expect([...adapters].sort()).toEqual(['chat', 'sql'])
    expect(level.summary.validity).toMatchObject({ checked: 12, valid: 12 })
    expect(Object.keys(level.summary.byAdapter ?? {}).sort()).toEqual(['chat', 'sql'])
    expect(level.summary.sessions?.ended).toBe(4)
  })

  it('a context limit that drops the first turn drops its images with it', async () => {
    // 64×64: one tile (255 tokens); turns of 100 tokens and replies of 20 overflow 800 within 5 turns.
    const { levels: [level] } = await runScenario(scenario(sim.url, {
      endpoint: 'chat', concurrency: 1, requests: 1, warmup: 0, input: { tokens: 100 }, output: { tokens: 20 },
      sessions: { turns: 5, maxContextTokens: 800 }, images: { count: 1, width: 64, height: 64 },
    }))
    const rs = measured(level)
    expect(rs.map((r) => r.turn)).toEqual([1, 2, 3, 4, 5])
    const cut = rs.findIndex((r) => r.truncatedTurns)
    expect(cut).toBeGreaterThan(1)
    // Before the cut every request carries the image; from the cut on, none does, in the record or the body.
    expect(rs.map((r) => r.media?.images ?? 0)).toEqual(rs.map((_, j) => (j < cut ? 1 : 0)))
    expect(rs.map((r) => traceOf(sim, r).images?.length ?? 0)).toEqual(rs.map((_, j) => (j < cut ? 1 : 0)))
    for (const r of rs.slice(cut)) expect(r.inputTokens + 20).toBeLessThanOrEqual(800)
  })

  it("a tool loop's tools that take {input} keep those arguments; a tool with other parameters gets arguments that fit them", () => {
    expect(takesInput({ type: 'object' })).toBe(true)
    expect(takesInput({ type: 'object', properties: { input: { type: 'string' } } })).toBe(true)
    expect(takesInput({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] })).toBe(false)
    expect(takesInput({ type: 'object', properties: { input: { type: 'integer' } } })).toBe(false)
    expect(takesInput({ type: 'object', additionalProperties: false })).toBe(false)
  })

  it('an agent tool loop whose tool has parameters is answered with calls whose arguments fit them', async () => {
    const weather = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['city', 'days'], additionalProperties: false }
    const sim2 = await startSimulator({ trace: true, decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0, toolSteps: 2 })
    try {
      const { levels: [level] } = await runScenario(scenario(sim2.url, {
        endpoint: 'chat', concurrency: 1, requests: 2, warmup: 0, input: { tokens: 32 }, output: { tokens: 16 },
        agent: { tools: [{ type: 'function', function: { name: 'weather', parameters: weather } }] },
      }))
      const rs = measured(level)
      const calls = rs.filter((r) => (r.toolCalls ?? 0) > 0)
      expect(calls.length).toBe(2)
      for (const r of calls) {
        const t = sim2.trace().get(`llmbench-L0-${r.index}`)!
        // The reply as the next step carries it: `weather {"city":…,"days":…}`.
        const [name, args] = [t.reply!.slice(0, t.reply!.indexOf(' ')), JSON.parse(t.reply!.slice(t.reply!.indexOf(' ') + 1))]
        expect(name).toBe('weather')
        expect(Object.keys(args).sort()).toEqual(['city', 'days'])
        expect(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7).toBe(true)
      }
      expect(level.summary.tools).toMatchObject({ tasks: 2, endedBy: { answer: 2 } })
    } finally {
      await sim2.close()
    }
  })

  it('refuses structured-output tools beside a tool loop in one line', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'object' } } }]
    await expect(runScenario(scenario(sim.url, {
      endpoint: 'chat', concurrency: 1, requests: 1, agent: { tools }, structured: { tools: [{ name: 'plan', parameters: { type: 'object' } }] },
    }))).rejects.toThrow(/^structured\.tools: a tool loop offers its own tools \(agent\.tools, --tools\) with every request: give the tools once, to the tool loop, or drop the tool loop$/)
  })
})
