/**
 * A level of sessions (docs/workloads.md): its pool of session scripts prepared before the clock
 * starts (fitted to the server's tokenizer like any prompts), the mocked tool results, and the
 * environment each session runs in (session.ts). Loads count sessions: a closed loop's slot runs
 * one session after another, an open loop's arrivals start sessions.
 */
import { loadSessionScripts, type SessionScript } from '../data/sessions.js'
import { exactText, TokenStream } from '../data/synthetic.js'
import { drawLength } from '../data/lengths.js'
import { loadTokenizer } from '../data/tokenizer.js'
import type { LengthSpec } from '../data/prompt.js'
import { meanTurns } from '../load/session-options.js'
import { promptsNeeded, type LevelPlan } from '../load/levels.js'
import { mixSeed, mulberry32 } from '../random.js'
import { UsageError } from '../errors.js'
import type { RequestRecord } from '../results/types.js'
import type { DesignedReuse } from './designed-reuse.js'
import type { LevelContext } from './level-context.js'
import { runSession, type SessionEnv } from './session.js'
import { attachKinds } from './kinds.js'
import { toolLoopValidator } from '../client/structured.js'
import type { ScenarioOptions } from './types.js'

/** Endpoints that take a conversation as messages, and those that take tools. */
const MESSAGE_ENDPOINTS = new Set(['chat', 'responses', 'anthropic', 'ollama'])
const TOOL_ENDPOINTS = new Set(['chat', 'responses'])

/** Refuses, in one line, an endpoint that cannot carry sessions or tools. */
export function checkSessionEndpoint(opts: ScenarioOptions): void {
  if (opts.agent && !TOOL_ENDPOINTS.has(opts.endpoint)) {
    throw new UsageError(`agent tool loops need the chat or responses endpoint, not ${opts.endpoint}: pass --endpoint chat (or responses)`)
  }
  if (opts.sessions && !MESSAGE_ENDPOINTS.has(opts.endpoint)) {
    throw new UsageError(`sessions need an endpoint that takes messages (chat, responses, anthropic, ollama), not ${opts.endpoint}: pass --endpoint chat`)
  }
}

/** Sessions to prepare for a level: its count, or for a level bounded by time an estimate of the sessions it starts. */
export function sessionsNeeded(plan: LevelPlan, opts: ScenarioOptions): number {
  const n = promptsNeeded(plan, opts.numPrompts)
  const timed = Object.values(plan.phases).some((b) => 'ms' in b)
  return timed && opts.sessions ? Math.max(opts.numPrompts, Math.ceil(n / meanTurns(opts.sessions))) : n
}

/** Mocked tool results drawn per call: a pool of this many texts. */
const TOOL_TEXTS = 64

export interface SessionLevel {
  /** The first prompts of the sessions set aside for the short warm-up. */
  warmup: SessionScript[]
  env: SessionEnv
  run: (k: number, at: number, phase: Parameters<typeof runSession>[3], readyAt?: number) => Promise<void>
  /** Sessions started past the prepared pool (their scripts were used again). */
  reused: () => number
  warnings: () => string[]
}

export async function prepareSessionLevel(
  ctx: LevelContext,
  i: number,
  pool: number,
  warm: number,
  seed: number,
  reuse: DesignedReuse,
  onRecord: (r: RequestRecord) => void,
): Promise<SessionLevel> {
  const { opts } = ctx
  const s = opts.sessions!
  const userTurn: LengthSpec = s.userTurn ?? defaultUserTurn(ctx)
  const scripts = await loadSessionScripts(ctx.spec, pool + warm, seed, { turns: s.turns, userTurn }, { tokenize: ctx.calibration?.tokenize, offset: ctx.calibration?.offset, stopped: ctx.stopped })
  // Request kinds (runner/kinds.ts): each session's media and LoRA adapter, drawn as for prompts.
  attachKinds(scripts.map((x) => x.first), opts, seed)
  const toolTexts = opts.agent && !('fn' in opts.agent.result) ? syntheticTexts(opts.agent.result.tokens, TOOL_TEXTS, mixSeed(seed, 0x7001), ctx.spec.tokenizer) : []
  let index = 0
  let reused = 0
  const warned = new Map<string, string>()
  const tag = opts.sessionTag ?? 'session'
  const env: SessionEnv = {
    ctx,
    level: i,
    settings: s,
    ...(opts.agent ? { agent: opts.agent } : {}),
    ...(opts.agent?.check ? { toolValidator: agentValidator(opts.agent.tools) } : {}),
    scripts: scripts.slice(0, pool),
    toolTexts,
    reuse,
    nextIndex: () => index++,
    onRecord,
    stopped: ctx.stopped,
    seed: mixSeed(seed, 0x5e55),
    // Thread t's session k is session k·n + t of the level, as its requests are numbered.
    idOf: (k) => `${tag}-${i}-${opts.shard ? k * opts.shard.count + opts.shard.index : k}`,
    warn: (key, message) => {
      if (!warned.has(key)) warned.set(key, message)
    },
  }
  return {
    warmup: scripts.slice(pool),
    env,
    run: (k, at, phase, readyAt) => {
      if (k >= pool) reused++
      return runSession(env, k, at, phase, readyAt)
    },
    reused: () => reused,
    warnings: () => [...warned.values()],
  }
}

/** A synthetic user turn after the first: as long as the prompt's own part (its length less any shared prefix). */
function defaultUserTurn(ctx: LevelContext): LengthSpec {
  const spec = ctx.spec
  if (spec.kind !== 'synthetic') return { tokens: ctx.opts.inputLen }
  const shared = (spec.prefix?.tokens ?? 0) + (spec.groups?.systemTokens ?? 0)
  return { ...spec.input, tokens: Math.max(1, spec.input.tokens - shared) }
}

/** `count` texts of lengths drawn from `length`, exact by the scenario's tokenizer. */
function syntheticTexts(length: LengthSpec, count: number, seed: number, tokenizer?: string): Array<{ text: string; tokens: number }> {
  const tok = loadTokenizer(tokenizer)
  const rand = mulberry32(seed)
  return Array.from({ length: count }, (_, j) => {
    const { text, tokens } = exactText(tok, '', new TokenStream(tok, mulberry32(mixSeed(seed, j + 1))), drawLength(length, rand))
    return { text, tokens }
  })
}

/** The tool loop's check of its tool calls, from the tools' definitions; a schema that cannot compile is the user's to fix. */
function agentValidator(tools: unknown[]) {
  const defs = tools.map((t) => (t as { function: { name: string; parameters?: Record<string, unknown> } }).function)
  try {
    return toolLoopValidator(defs)
  } catch (err) {
    throw new UsageError(`agent.tools: a tool's parameters are not a JSON Schema ajv can compile: ${(err as Error).message.split('\n')[0]} (fix the schema, or pass --tool-check none)`)
  }
}
