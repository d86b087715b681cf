/**
 * One session of a level (docs/workloads.md, Sessions and Tool loops): its turns in order, each
 * sent only after the previous one ended and the think time passed, carrying the whole history
 * with the server's own replies; within a turn, an agent's tool loop: a reply that calls tools
 * gets a mocked result per call and the next step, up to maxSteps.
 *
 * History is one array of messages per session that grows by pushing: a request refers to it and
 * its adapter serializes it once; nothing copies the conversation per turn. Token counts come from
 * the server's usage (never a tokenizer pass over the history), so a turn costs the client the same
 * whatever the conversation's length, but for the bytes of its body.
 *
 * A session's record is handed on when the session's next step is known: the last one carries
 * why the session ended (`sessionEnd`), which is only known then.
 *
 * A session's images and audio sit in its first user message, and every later request re-sends
 * them there, the same parts (the same strings), as a chat client re-sends its history: a server's
 * prefix cache that hashes media into its blocks (vLLM) finds them again. They leave with the
 * first turn when a context limit drops it.
 */
import { now } from '../clock.js'
import { ReplyCapture } from '../client/reply.js'
import { lastUserMessage } from '../client/media-parts.js'
import type { ChatMessage } from '../data/prompt.js'
import type { SessionScript } from '../data/sessions.js'
import type { Phase } from '../load/phases.js'
import type { AgentSettings, SessionSettings } from '../load/session-options.js'
import { drawMs } from '../load/time-draw.js'
import { mixSeed, mulberry32 } from '../random.js'
import type { RequestRecord } from '../results/types.js'
import { repeatedOf, type DesignedReuse } from './designed-reuse.js'
import type { LevelContext, SendExtras } from './level-context.js'
import type { Validator } from '../client/structured.js'
import type { ToolsSpec } from '../client/tool-messages.js'

/** Tokens a chat template adds around a message (a guess: the server's usage corrects it each turn). */
const MESSAGE_OVERHEAD = 4
/** A wait longer than this checks for Ctrl-C and the level's end in between. */
const WAIT_SLICE_MS = 100

export interface SessionEnv {
  ctx: LevelContext
  /** The level's index, for request tags. */
  level: number
  settings: SessionSettings
  agent?: AgentSettings
  scripts: SessionScript[]
  /** Mocked tool results to draw from (when the agent's results are not a function). */
  toolTexts: Array<{ text: string; tokens: number }>
  reuse: DesignedReuse
  /** The next request index of the level (records are numbered as they are sent). */
  nextIndex(): number
  onRecord(r: RequestRecord): void
  stopped(): boolean
  /** Monotonic ms after which no session starts a new turn (a level bounded by time). */
  deadline?: number
  seed: number
  /** Session k's id. */
  idOf(k: number): string
  /** The check of a tool loop's tool calls (agent.check), compiled once for the level. */
  toolValidator?: Validator
  /** Told once per kind of problem the level should mention (a tool function that threw). */
  warn(key: string, message: string): void
}

/** Runs session `k` of the level; resolves when its last record has been handed on. */
export async function runSession(env: SessionEnv, k: number, scheduledAt: number, phase: Phase, readyAt?: number): Promise<void> {
  const { ctx, settings: s, agent } = env
  const opts = ctx.opts
  const script = env.scripts[k % env.scripts.length]
  const id = env.idOf(k)
  const rng = mulberry32(mixSeed(env.seed, k))
  const first = script.first
  const messages: ChatMessage[] = first.messages ? first.messages.slice() : [{ role: 'user', content: first.text }]
  let systemCount = 0
  while (systemCount < messages.length - 1 && messages[systemCount].role === 'system') systemCount++
  // The first user message carries the session's media on every request while it is in the history.
  let media = first.media
  const mediaAt = lastUserMessage(messages)
  // Each kept turn: where its messages start, and its tokens (by the server's counts as they come).
  const turnStarts: number[] = [systemCount]
  const turnSizes: number[] = []
  const extras: SendExtras = {
    ...(s.header ? { headers: { [s.header]: id } } : {}),
    ...(s.bodyField ? { body: { [s.bodyField]: id } } : {}),
    ...(agent ? { tools: toolsSpec(agent) } : {}),
    ...(env.toolValidator ? { validator: env.toolValidator } : {}),
  }
  /** Prompt tokens of the conversation so far (the last prompt and its reply, and any tool results since). */
  let context = 0
  /** What the next request repeats of the last one: its prompt and reply; undefined before the first. */
  let carried: number | undefined
  let contextAtTurnStart = script.systemTokens
  let truncatedTurns = 0
  let pending: RequestRecord | undefined
  let at = scheduledAt
  const flush = () => {
    if (pending) env.onRecord(pending)
    pending = undefined
  }
  const end = (why: NonNullable<RequestRecord['sessionEnd']>) => {
    if (pending) pending.sessionEnd = why
    flush()
  }
  const turns = script.turns.length + 1

  for (let turn = 1; turn <= turns; turn++) {
    let maxTokens = first.maxTokens ?? opts.outputLen
    let added = first.tokens
    if (turn > 1) {
      const u = script.turns[turn - 2]
      at = s.thinkTime ? now() + drawMs(s.thinkTime, rng) : now()
      if (!(await sleepUntil(at, env))) return end(env.stopped() ? 'stopped' : 'level-end')
      maxTokens = u.maxTokens ?? opts.outputLen
      added = u.tokens + MESSAGE_OVERHEAD
      turnSizes.push(context - contextAtTurnStart)
      if (s.maxContextTokens !== undefined && context + added + maxTokens > s.maxContextTokens) {
        if (s.onContextFull === 'end') return end('context')
        // As a chat app does: drop the oldest turns (the system prompt stays) until the next one fits.
        let drop = 0
        let freed = 0
        while (drop < turnSizes.length && context - freed + added + maxTokens > s.maxContextTokens) freed += turnSizes[drop++]
        if (context - freed + added + maxTokens > s.maxContextTokens) return end('context')
        const from = systemCount
        const to = drop < turnStarts.length ? turnStarts[drop] : messages.length
        messages.splice(from, to - from)
        turnStarts.splice(0, drop)
        for (let j = 0; j < turnStarts.length; j++) turnStarts[j] -= to - from
        turnSizes.splice(0, drop)
        context -= freed
        if (carried !== undefined) carried = Math.max(0, carried - freed)
        truncatedTurns = drop
        // The first turn is the first dropped: its media go with it.
        if (drop > 0) media = undefined
      }
      contextAtTurnStart = context
      turnStarts.push(messages.length)
      messages.push({ role: 'user', content: u.content })
    }
    flush()

    for (let step = 1; ; step++) {
      if (env.stopped()) return end('stopped')
      const history = carried ?? 0
      // Designed reuse: a session's first request as any prompt; later ones repeat the previous
      // prompt and reply, unless turns were just dropped (then only a shared system prompt).
      const repeated = carried === undefined
        ? env.reuse.prompt(first.segments, `session:${k % env.scripts.length}`, first.tokens)
        : truncatedTurns > 0 ? (systemCount > 0 ? env.reuse.seen(first.segments) : 0) : carried
      const opening = carried === undefined
      const reply = new ReplyCapture()
      // Request kinds: a session keeps its LoRA adapter and its images and audio on every request.
      const prompt = { text: '', tokens: context + added, messages, adapter: first.adapter, ...(media ? { media } : {}) }
      const r = await ctx.send(`L${env.level}`, prompt, maxTokens, env.nextIndex(), phase === 'warmup', at, { ...extras, reply, ...(media ? { mediaAt } : {}) })
      if (phase === 'cooldown') r.cooldown = true
      if (readyAt !== undefined) {
        r.readyAt = readyAt
        readyAt = undefined
      }
      r.sessionId = id
      r.turn = turn
      if (agent) r.step = step
      r.historyTokens = history
      // A first prompt sent again whole repeats all the server counted of it, its media included.
      r.repeatedTokens = opening ? repeatedOf(repeated, first.tokens, r.inputTokens) : Math.min(repeated, r.inputTokens)
      if (truncatedTurns > 0) r.truncatedTurns = truncatedTurns
      truncatedTurns = 0
      pending = r
      if (r.outcome !== 'ok') {
        if (agent) r.taskEnd = 'failed'
        return end(r.outcome === 'aborted' ? 'stopped' : 'failed')
      }
      // The server's counts of what it was sent and what it wrote.
      carried = r.inputTokens + r.outputTokens
      context = carried + MESSAGE_OVERHEAD
      const calls = agent ? reply.toolCalls : []
      if (agent) r.toolCalls = calls.length
      if (calls.length === 0 || step >= agent!.maxSteps) {
        // Calls left unanswered at maxSteps stay out of the history: a server refuses calls without results.
        messages.push({ role: 'assistant', content: reply.content })
        if (agent) r.taskEnd = calls.length ? 'max-steps' : 'answer'
        break
      }
      messages.push({ role: 'assistant', content: reply.content, toolCalls: calls })
      // The tool calls run side by side; the next step goes when the slowest has answered.
      const results = await Promise.all(calls.map((c) => toolResult(env, agent!, { name: c.name, arguments: c.arguments, session: id, turn, step }, rng)))
      flush()
      calls.forEach((c, j) => {
        messages.push({ role: 'tool', toolCallId: c.id, content: results[j].text })
        context += results[j].tokens + MESSAGE_OVERHEAD
      })
      added = 0
      at = now()
      if (env.stopped()) return end('stopped')
    }
  }
  end('turns')
}

/** The tools every request of the level offers. */
function toolsSpec(a: AgentSettings): ToolsSpec {
  return { definitions: a.tools, ...(a.choice !== undefined ? { choice: a.choice } : {}) }
}

/** One call's mocked result after its latency: drawn from the level's texts, or the bench file's function. */
async function toolResult(env: SessionEnv, a: AgentSettings, call: { name: string; arguments: string; session: string; turn: number; step: number }, rng: () => number): Promise<{ text: string; tokens: number }> {
  const r = a.result
  if ('fn' in r) {
    try {
      const out = await r.fn(call)
      const text = typeof out === 'string' ? out : String(out?.content ?? '')
      const latency = typeof out === 'object' && out !== null ? Number(out.latencyMs) : 0
      if (latency > 0) await sleepUntil(now() + latency, env)
      // An estimate for the context limit; the next reply's usage gives the server's count.
      return { text, tokens: Math.ceil(text.length / 4) }
    } catch (err) {
      env.warn('tool-function', `agent.toolResult threw for a call to ${call.name}: ${(err as Error)?.message ?? err} (the call got the error as its result)`)
      const text = `error: ${(err as Error)?.message ?? err}`
      return { text, tokens: Math.ceil(text.length / 4) }
    }
  }
  const pick = env.toolTexts[Math.floor(rng() * env.toolTexts.length)] ?? { text: '', tokens: 0 }
  if (r.latency) await sleepUntil(now() + drawMs(r.latency, rng), env)
  return pick
}

/** Waits until `at`; false when Ctrl-C or the level's end came first. */
async function sleepUntil(at: number, env: SessionEnv): Promise<boolean> {
  for (;;) {
    if (env.stopped()) return false
    const t = now()
    if (env.deadline !== undefined && t >= env.deadline) return false
    if (t >= at) return true
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(WAIT_SLICE_MS, at - t))))
  }
}
