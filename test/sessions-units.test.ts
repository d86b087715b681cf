/**
 * The parts of sessions, tool loops and prefix caches one at a time: the options and flags, the
 * simulator's prefix cache and tool answers, the client's capture of a reply, and the figures a
 * level computes from records.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { checkFlags, flagsOf, fromFlags, withFlags } from '../src/options/flags.js'
import { benchSchema, benchShape } from '../src/options/scenario.js'
import { UsageError } from '../src/errors.js'
import { PrefixCache } from '../src/simulator/prefix-cache.js'
import { chatTools, decideToolCall, responsesTools, toolArguments } from '../src/simulator/tools.js'
import { resolveOptions } from '../src/simulator/options.js'
import { chatAdapter } from '../src/client/openai-chat.js'
import { responsesAdapter } from '../src/client/responses.js'
import { RequestTracker } from '../src/client/tracker.js'
import { ReplyCapture } from '../src/client/reply.js'
import type { Adapter } from '../src/client/adapter.js'
import { WorkloadFigures } from '../src/metrics/workload.js'
import { DesignedReuse, repeatedOf } from '../src/runner/designed-reuse.js'
import { prefixCacheOf, prefixCacheShare } from '../src/telemetry/prefix-cache.js'
import { parsePrometheus } from '../src/telemetry/prometheus.js'
import { renderWorkload } from '../reporters/workload-console.js'
import type { LevelSummary, RequestRecord } from '../src/results/types.js'
import { scenario } from './helpers/scenario.js'
import { scenarioFields, settingsLine } from '../src/results/scenario-fields.js'
import { loadPrompts } from '../src/data/prompts.js'

const flags = flagsOf(benchShape, 'run')
const run = (line: string) => checkFlags(benchSchema, fromFlags(withFlags(yargs(), flags).parseSync(line), flags, benchShape))

describe('session and tool options', () => {
  it('reads the flags into the bench options a file would write', () => {
    expect(run('--turns 4 --think-time 2s --session-body-field user').sessions).toEqual({ turns: 4, thinkTime: '2s', bodyField: 'user' })
    expect(run('--turns 2-6 --think-time 1s-5s').sessions).toEqual({ turns: { min: 2, max: 6 }, thinkTime: { min: '1s', max: '5s' } })
    expect(run('--turns 3 --think-time exp:500ms --max-context-tokens 8000 --on-context-full end --session-header none').sessions)
      .toEqual({ turns: 3, thinkTime: { mean: '500ms' }, maxContextTokens: 8000, onContextFull: 'end', header: false })
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-tools-'))
    const file = join(dir, 'tools.json')
    writeFileSync(file, JSON.stringify([{ type: 'function', function: { name: 'search' } }]))
    expect(run(`--tools ${file} --max-steps 5 --tool-result-len 100 --tool-latency 200ms --tool-choice required`).agent).toEqual({
      tools: [{ type: 'function', function: { name: 'search' } }], maxSteps: 5, toolResult: { tokens: { tokens: 100 }, latency: '200ms' }, toolChoice: 'required',
    })
    expect(run('--reset-prefix-cache').resetPrefixCache).toBe(true)
  })

  it('refuses a mistake in one line naming the flag or key', () => {
    expect(() => run('--think-time 2s')).toThrowError(new UsageError('--think-time applies to sessions: pass --turns too'))
    expect(() => run('--max-steps 3')).toThrowError(new UsageError('--max-steps applies to tool loops: pass --tools too'))
    expect(() => run('--turns lots')).toThrowError(/^--turns must be a number of turns, MIN-MAX or dataset, got "lots"$/)
    expect(() => run('--turns 3 --think-time soon')).toThrowError('--think-time must be a time above 0 such as 60s, 2m, 1m30s or 500ms, got "soon"')
    expect(() => run('--tools nope.json')).toThrowError(/^--tools must be a JSON list of tools or the path of a file holding one: nope\.json: no such file$/)
    expect(() => scenario('http://x', { agent: { tools: [{ type: 'function', function: { name: 'a' } }], toolChoice: 'b' } })).toThrowError(/agent\.toolChoice must be auto, required, none or the name of one of the tools \(a\), got "b"/)
    expect(() => scenario('http://x', { sessions: { turns: { min: 5, max: 2 } } })).toThrowError(/sessions\.turns\.max must have max at least min/)
    const trace = join(mkdtempSync(join(tmpdir(), 'llmbench-trace-')), 'trace.jsonl')
    writeFileSync(trace, '{"timestamp": 0, "input_length": 10, "output_length": 5}\n')
    expect(() => scenario('http://x', { sessions: {}, dataset: { path: trace, format: 'trace' } })).toThrowError(/sessions cannot be combined with a trace: a trace replays single requests at their own times/)
    expect(() => scenario('http://x', { threads: 2, agent: { tools: [{ type: 'function', function: { name: 'a' } }], toolResult: () => 'x' } })).toThrowError(/threads 2: a function as agent\.toolResult runs in the bench file's thread/)
  })

  it("says a result's sessions and tool loops in the report's settings line", () => {
    const line = (o: object) => settingsLine(scenarioFields({ server: 'x', model: 'm', concurrency: [4], requests: 8, input: { tokens: 400 }, output: { tokens: 32 }, ...o }))
    expect(line({ sessions: { turns: 4, thinkTime: '2s' } })).toBe('concurrency 4 · 400 in / 32 out · 8 sessions a level · sessions of 4 turns, 2s think time · chat')
    expect(line({ agent: { tools: [], maxSteps: 5 } })).toBe('concurrency 4 · 400 in / 32 out · 8 tasks a level · tool loops of up to 5 steps · chat')
    expect(line({})).toBe('concurrency 4 · 400 in / 32 out · 8 requests a level · chat')
  })

  it('resolves defaults: four turns, x-session-id, a task per tool loop whose tool calls are checked', () => {
    const s = scenario('http://x', { sessions: { thinkTime: '1s' } })
    expect(s.sessions).toEqual({ turns: 4, thinkTime: { kind: 'constant', ms: 1000 }, onContextFull: 'truncate', header: 'x-session-id' })
    const a = scenario('http://x', { agent: { tools: [{ type: 'function', function: { name: 'a' } }] } })
    expect(a.sessions).toMatchObject({ turns: 1, header: 'x-session-id' })
    expect(a.agent).toEqual({ tools: [{ type: 'function', function: { name: 'a' } }], maxSteps: 8, check: true, result: { tokens: { tokens: 64 } } })
  })
})

describe('the simulator prefix cache', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i)

  it('finds whole blocks of a shared prefix, never the last token, and counts queries and hits', () => {
    const c = new PrefixCache(10_000, 16)
    expect(c.admit(ids(100))).toBe(0)
    // The same 100 tokens again: 6 whole blocks, the 7th block is not whole.
    expect(c.admit(ids(100))).toBe(96)
    // A prompt of exactly 4 blocks seen before: its last token is computed, so 3 blocks.
    expect(c.admit(ids(64))).toBe(48)
    // Diverging in block 3: blocks 1 and 2 only.
    expect(c.admit([...ids(40), ...ids(60, 1000)])).toBe(32)
    expect([c.queries, c.hits]).toEqual([100 + 100 + 64 + 100, 96 + 48 + 32])
    c.reset()
    expect(c.admit(ids(100))).toBe(0)
  })

  it('keeps a finished answer for the next turn, and evicts least recently used blocks past its capacity', () => {
    const c = new PrefixCache(64, 16)
    c.insert(ids(64))
    expect(c.tokens).toBe(64)
    c.insert(ids(32, 500))
    expect(c.tokens).toBe(64)
    // The older prompt's tail went first; its head was touched later and stays.
    expect(c.admit(ids(64))).toBe(32)
  })

  it('answers with a tool call as tool_choice says, or by the steps a task needs', () => {
    const o = resolveOptions({ toolSteps: 3 })
    const tools = [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'b' } }]
    const user = [{ role: 'user', content: 'x' }]
    const asked = (extra: object, messages: object[] = user) => chatTools({ tools, messages, ...extra })
    expect(decideToolCall(asked({}), o, 0.5)?.name).toMatch(/^[ab]$/)
    expect(decideToolCall(asked({}, [...user, { role: 'tool' }, { role: 'tool' }]), o, 0.5)).toBeNull()
    expect(decideToolCall(asked({ tool_choice: 'none' }), o, 0.5)).toBeNull()
    expect(decideToolCall(asked({ tool_choice: { type: 'function', function: { name: 'b' } } }, [...user, { role: 'tool' }, { role: 'tool' }]), o, 0.5)?.name).toBe('b')
    expect(decideToolCall(chatTools({ messages: user }), o, 0.5)).toBeNull()
    const p = resolveOptions({ toolCallProbability: 0.3 })
    expect(decideToolCall(asked({}), p, 0.29)).not.toBeNull()
    expect(decideToolCall(asked({}), p, 0.31)).toBeNull()
    expect(responsesTools({ tools: [{ type: 'function', name: 'r' }], tool_choice: 'required', input: [] })).toEqual({ names: ['r'], choice: 'required', results: 0 })
    expect(JSON.parse(toolArguments('a "quoted"\\ text'))).toEqual({ input: 'a "quoted"\\ text' })
  })
})

/** Feeds SSE events to an adapter with a reply capture. */
function capture(adapter: Adapter, events: Array<[string, string]>): ReplyCapture {
  const t = new RequestTracker(0, false, true, 0, 2)
  t.reply = new ReplyCapture()
  for (const [event, data] of events) adapter.onEvent(data, event, t)
  return t.reply
}

describe("the client's capture of a reply", () => {
  it('keeps chat text exactly, escapes and all, from the fast path and the parsed one', () => {
    const text = ['He said "hi"', ' \\ back', '\nnew line', ' 日本 👍', ' tab\t', '']
    const events: Array<[string, string]> = text.map((c, i) => ['message', JSON.stringify({ choices: [{ index: 0, delta: i === 2 ? { role: 'assistant', content: c } : { content: c }, finish_reason: null }] })])
    expect(capture(chatAdapter, events).content).toBe(text.join(''))
  })

  it('assembles streamed chat tool calls by index, and a non-streamed message', () => {
    const call = (d: object) => ['message', JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [d] } }] })] as [string, string]
    const c = capture(chatAdapter, [
      call({ index: 0, id: 'call_1', type: 'function', function: { name: 'search', arguments: '' } }),
      call({ index: 0, function: { arguments: '{"q":' } }),
      call({ index: 1, id: 'call_2', function: { name: 'fetch', arguments: '{}' } }),
      call({ index: 0, function: { arguments: '"x"}' } }),
    ])
    expect(c.toolCalls).toEqual([{ id: 'call_1', name: 'search', arguments: '{"q":"x"}' }, { id: 'call_2', name: 'fetch', arguments: '{}' }])
    const t = new RequestTracker(0, false, false, 0, 2)
    t.reply = new ReplyCapture()
    chatAdapter.onBody(JSON.stringify({ choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', function: { name: 'n', arguments: '{}' } }] } }] }), t)
    expect(t.reply.toolCalls).toEqual([{ id: 'c', name: 'n', arguments: '{}' }])
  })

  it('reads the Responses API text and function calls', () => {
    const c = capture(responsesAdapter, [
      ['response.output_text.delta', JSON.stringify({ type: 'response.output_text.delta', delta: 'Hello "x"' })],
      ['response.output_item.added', JSON.stringify({ type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', call_id: 'fc1', name: 'search', arguments: '' } })],
      ['response.function_call_arguments.delta', JSON.stringify({ type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"a":1}' })],
    ])
    expect(c.content).toBe('Hello "x"')
    expect(c.toolCalls).toEqual([{ id: 'fc1', name: 'search', arguments: '{"a":1}' }])
  })

  it('sends a tool loop history in the chat and Responses shapes', () => {
    const messages = [
      { role: 'user' as const, content: 'find it' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c1', name: 'search', arguments: '{}' }] },
      { role: 'tool' as const, content: 'found', toolCallId: 'c1' },
    ]
    const spec = { model: 'm', prompt: '', messages, promptTokens: 1, maxTokens: 4, stream: true, ignoreEos: false, includeUsage: false, continuousUsage: false, body: {}, tools: { definitions: [{ type: 'function', function: { name: 'search' } }], choice: 'search' } }
    const chat = JSON.parse(chatAdapter.buildRequest(spec).body)
    expect(chat.messages).toEqual([
      { role: 'user', content: 'find it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'found' },
    ])
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'search' } })
    const resp = JSON.parse(responsesAdapter.buildRequest(spec).body)
    expect(resp.input).toEqual([
      { role: 'user', content: 'find it' },
      { type: 'function_call', call_id: 'c1', name: 'search', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'found' },
    ])
    expect(resp.tools).toEqual([{ type: 'function', name: 'search' }])
    expect(resp.tool_choice).toEqual({ type: 'function', name: 'search' })
  })
})

const rec = (o: Partial<RequestRecord>): RequestRecord => ({
  index: 0, warmup: false, stream: true, scheduledAt: 0, sentAt: 0, firstTokenAt: 10, lastTokenAt: 50, endAt: 51, outcome: 'ok',
  outputTokens: 10, outputTokensSource: 'usage', inputTokens: 100, inputTokensSource: 'usage', tokenTimes: [10, 50], ...o,
})

describe('workload figures from records', () => {
  it('groups by turn and history, times whole sessions and tasks, and counts the designed reuse', () => {
    const f = new WorkloadFigures()
    // Session a: two turns, the second a tool loop of two steps; session b: one turn that failed.
    f.add(rec({ sessionId: 'a', turn: 1, step: 1, historyTokens: 0, repeatedTokens: 0, sentAt: 0, firstTokenAt: 20, lastTokenAt: 100, toolCalls: 0, taskEnd: 'answer' }))
    f.add(rec({ sessionId: 'a', turn: 2, step: 1, historyTokens: 110, repeatedTokens: 110, inputTokens: 150, sentAt: 300, firstTokenAt: 310, lastTokenAt: 400, toolCalls: 2 }))
    f.add(rec({ sessionId: 'a', turn: 2, step: 2, historyTokens: 160, repeatedTokens: 160, inputTokens: 200, sentAt: 500, firstTokenAt: 505, lastTokenAt: 600, toolCalls: 0, taskEnd: 'answer', sessionEnd: 'turns' }))
    f.add(rec({ sessionId: 'b', turn: 1, step: 1, historyTokens: 0, repeatedTokens: 0, outcome: 'http', firstTokenAt: undefined, lastTokenAt: undefined, taskEnd: 'failed', sessionEnd: 'failed' }))
    // A warm-up request counts in the designed reuse (the server saw it) but in no figure.
    f.add(rec({ warmup: true, repeatedTokens: 50, inputTokens: 50 }))
    const { sessions, tools, prefixCache } = f.finish()
    expect(prefixCache!.designed).toEqual({ share: (110 + 160 + 50) / (100 + 150 + 200 + 50), repeatedTokens: 320, promptTokens: 500, requests: 4 })
    expect(sessions!.ended).toBe(2)
    expect(sessions!.endedBy).toEqual({ turns: 1, failed: 1 })
    expect(sessions!.duration).toMatchObject({ count: 1, mean: 600 })
    expect(sessions!.byTurn.map((t) => [t.turn, t.count, t.ttft!.mean, t.historyTokensMean])).toEqual([[1, 1, 20, 0], [2, 2, 7.5, 135]])
    expect(sessions!.byHistory.map((h) => [h.from, h.to, h.count])).toEqual([[0, 50, 1], [100, 150, 1], [150, 200, 1]])
    expect(tools).toMatchObject({ tasks: 3, endedBy: { answer: 2, 'max-steps': 0, failed: 1 }, answeredShare: 2 / 3 })
    expect(tools!.timeToAnswer).toMatchObject({ count: 2, min: 100, max: 300 })
    expect(tools!.toolCalls).toMatchObject({ min: 0, max: 2 })
    expect(tools!.byStep.map((s) => [s.step, s.count])).toEqual([[1, 2], [2, 1]])
  })

  it("names the parts prompts share: trace blocks, a multi-turn dataset's messages", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-segments-'))
    const trace = join(dir, 'trace.jsonl')
    writeFileSync(trace, ['{"timestamp": 0, "input_length": 40, "output_length": 2, "hash_ids": [7, 8]}', '{"timestamp": 5, "input_length": 50, "output_length": 2, "hash_ids": [7, 9, 10]}'].join('\n'))
    const t = await loadPrompts({ kind: 'file', path: trace, format: 'trace', blockTokens: 16 }, 2, 0)
    expect(t.map((p) => p.segments)).toEqual([
      [{ key: 'block:7', tokens: 16 }, { key: 'block:8', tokens: 16 }],
      [{ key: 'block:7', tokens: 16 }, { key: 'block:9', tokens: 16 }, { key: 'block:10', tokens: 16 }],
    ])
    const d = new DesignedReuse()
    expect(t.map((p, k) => d.prompt(p.segments, `t${k}`, p.tokens))).toEqual([0, 16])
    const chats = join(dir, 'chats.jsonl')
    writeFileSync(chats, JSON.stringify({ messages: [{ role: 'user', content: 'one two' }, { role: 'assistant', content: 'three' }, { role: 'user', content: 'four five six' }] }))
    const m = await loadPrompts({ kind: 'file', path: chats, format: 'jsonl', multiTurn: true, shuffle: false }, 2, 0)
    expect(m.map((p) => p.segments?.map((x) => x.key))).toEqual([['record:0:0'], ['record:0:0', 'record:0:1', 'record:0:2']])
    // The second turn repeats the first user message, not the dataset's reply the server never wrote.
    const r = new DesignedReuse()
    expect(m.map((p, k) => r.prompt(p.segments, `m${k}`, p.tokens))).toEqual([0, m[0].segments![0].tokens])
  })

  it('counts what a chain of segments repeats of what was sent before', () => {
    const d = new DesignedReuse()
    const group = (g: number) => [{ key: 'prefix', tokens: 100 }, { key: `group:${g}`, tokens: 50 }]
    expect(d.prompt(group(0), 'p0', 300)).toBe(0)
    expect(d.prompt(group(1), 'p1', 300)).toBe(100)
    expect(d.prompt(group(0), 'p2', 300)).toBe(150)
    expect(d.prompt(group(0), 'p2', 300)).toBe(300)
    expect(d.seen(group(1))).toBe(150)
    expect(d.seen([{ key: 'other', tokens: 5 }])).toBe(0)
  })

  it("a prompt sent again whole repeats all the server counted of it (its images' tokens included); a part, what was counted", () => {
    const d = new DesignedReuse()
    const seg = [{ key: 'prefix', tokens: 100 }]
    // 300 text tokens by the client; the server counts 560 with an image's 255 and the template.
    expect(repeatedOf(d.prompt(seg, 'p0', 300), 300, 560)).toBe(0)
    expect(repeatedOf(d.prompt(seg, 'p1', 300), 300, 560)).toBe(100)
    expect(repeatedOf(d.prompt(seg, 'p0', 300), 300, 560)).toBe(560)
    // Never more than the server counted.
    expect(repeatedOf(d.prompt(seg, 'p2', 300), 300, 80)).toBe(80)
  })

  it("reads a server's prefix-cache counters or gauge, and says when it has none", () => {
    const page = (hits: number, queries: number) => parsePrometheus(
      `vllm:prefix_cache_queries_total{model_name="m"} ${queries}\nvllm:prefix_cache_hits_total{model_name="m"} ${hits}\nvllm:external_prefix_cache_queries_total{model_name="m"} 10\nvllm:external_prefix_cache_hits_total{model_name="m"} 5\n`,
    ).samples
    const a = prefixCacheOf(page(100, 1000))
    const b = prefixCacheOf(page(400, 2000))
    const share = prefixCacheShare(a, b)
    expect(share.measured).toEqual({ share: 0.3, source: 'vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total', kind: 'counters', hits: 300, queries: 1000 })
    expect(share.also).toEqual([])
    const sglang = prefixCacheOf(parsePrometheus('sglang:cache_hit_rate{model_name="m"} 0.25\n').samples)
    expect(prefixCacheShare(sglang, sglang).measured).toEqual({ share: 0.25, source: 'sglang:cache_hit_rate', kind: 'gauge' })
    expect(prefixCacheShare(null, prefixCacheOf(parsePrometheus('tgi_queue_size 0\n').samples))).toMatchObject({ measured: null, note: expect.stringMatching(/reports no prefix-cache metric/) })
  })

  it('prints sessions by turn, tool loops and the prefix cache designed against measured', () => {
    const f = new WorkloadFigures()
    f.add(rec({ sessionId: 'a', turn: 1, historyTokens: 0, repeatedTokens: 0 }))
    f.add(rec({ sessionId: 'a', turn: 2, historyTokens: 110, repeatedTokens: 110, inputTokens: 150, sessionEnd: 'turns' }))
    const summary = { ...f.finish() } as LevelSummary
    summary.prefixCache!.measured = { share: 0.41, source: 'vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total', kind: 'counters', hits: 102, queries: 250 }
    summary.prefixCache!.reset = { done: true, via: 'vLLM POST /reset_prefix_cache' }
    const text = renderWorkload(summary).join('\n')
    expect(text).toContain('Sessions: 1 ended (1 ran all their turns); 2.0 turns each on average')
    expect(text).toMatch(/By turn \(latencies in ms\)\n.*turn.*requests.*history tokens.*TTFT p50/s)
    expect(text).toContain('Prefix cache: the workload repeats 44.0% of prompt tokens (110 of 250); the server reports 41.0% hits (vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total)')
    expect(text).toContain('Prefix cache reset before the level: done (vLLM POST /reset_prefix_cache)')
  })
})
