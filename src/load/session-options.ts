/**
 * Sessions and tool loops as the runner takes them (runner/session.ts), from the options users
 * write (options/sessions.ts). Rules that need more than the options themselves (a dataset's own
 * turns need a conversation file) are checked here and say so with an OptionError naming the key.
 */
import type { BenchOptions } from '../options/scenario.js'
import type { LengthSpec } from '../options/lengths.js'
import type { ToolResultFunction } from '../options/sessions.js'
import { OptionError } from '../options/check.js'
import { toTimeDraw, type TimeDraw } from './time-draw.js'

export type { ToolCallInfo, ToolResultFunction } from '../options/sessions.js'

export interface SessionSettings {
  /** User turns per session: fixed, drawn uniformly per session, or each conversation's own. */
  turns: number | { min: number; max: number } | 'dataset'
  /** Between a reply's end and the next turn (default none). */
  thinkTime?: TimeDraw
  /** Synthetic user turns after the first (default: the prompt's length less its shared part). */
  userTurn?: LengthSpec
  maxContextTokens?: number
  onContextFull: 'truncate' | 'end'
  /** The header carrying the session's id (default x-session-id); undefined: none. */
  header?: string
  /** A body field carrying it too. */
  bodyField?: string
}

export interface AgentSettings {
  /** OpenAI chat tool definitions, sent with every request. */
  tools: unknown[]
  /** tool_choice: auto, required, none or a function's name; undefined: not sent. */
  choice?: string
  maxSteps: number
  /** Check each step's tool calls against the tools' parameters (`check: 'tool-args'`, the default). */
  check: boolean
  /** Each call's mocked result: drawn lengths and latencies, or a bench file's function. */
  result: { tokens: LengthSpec; latency?: TimeDraw } | { fn: ToolResultFunction }
}

export const DEFAULT_TURNS = 4
export const DEFAULT_MAX_STEPS = 8
export const DEFAULT_TOOL_RESULT_TOKENS = 64
export const DEFAULT_SESSION_HEADER = 'x-session-id'

type SessionsInput = NonNullable<BenchOptions['sessions']>
type AgentInput = NonNullable<BenchOptions['agent']>

/**
 * The runner's settings. Tool loops without sessions are sessions of one turn (a task each), so
 * they carry a session id too. `conversations`: the prompts come from a file of conversations
 * (ShareGPT, JSONL), where turns default to each conversation's own.
 */
export function toSessionSettings(s: SessionsInput | undefined, a: AgentInput | undefined, conversations: boolean): { sessions?: SessionSettings; agent?: AgentSettings } {
  if (!s && !a) return {}
  const turns = s?.turns ?? (s ? (conversations ? 'dataset' : DEFAULT_TURNS) : 1)
  if (turns === 'dataset' && !conversations) throw new OptionError(['sessions', 'turns'], "'dataset' takes each conversation's own user turns: it needs a ShareGPT or JSONL dataset of conversations")
  const sessions: SessionSettings = {
    turns,
    onContextFull: s?.onContextFull ?? 'truncate',
    ...(s?.thinkTime !== undefined ? { thinkTime: toTimeDraw(s.thinkTime) } : {}),
    ...(s?.userTurn ? { userTurn: { ...s.userTurn } } : {}),
    ...(s?.maxContextTokens !== undefined ? { maxContextTokens: s.maxContextTokens } : {}),
    ...(s?.header === false ? {} : { header: (s?.header ?? DEFAULT_SESSION_HEADER).toLowerCase() }),
    ...(s?.bodyField ? { bodyField: s.bodyField } : {}),
  }
  if (!a) return { sessions }
  const r = a.toolResult
  const agent: AgentSettings = {
    tools: a.tools.map((t) => structuredClone(t)),
    ...(a.toolChoice !== undefined ? { choice: a.toolChoice } : {}),
    maxSteps: a.maxSteps ?? DEFAULT_MAX_STEPS,
    check: a.check !== 'none',
    result: typeof r === 'function'
      ? { fn: r }
      : { tokens: r?.tokens ? { ...r.tokens } : { tokens: DEFAULT_TOOL_RESULT_TOKENS }, ...(r?.latency !== undefined ? { latency: toTimeDraw(r.latency) } : {}) },
  }
  return { sessions, agent }
}

/** The mean turns of a session, for sizing a level's pool of sessions. */
export function meanTurns(s: SessionSettings): number {
  return typeof s.turns === 'number' ? s.turns : s.turns === 'dataset' ? 2 : (s.turns.min + s.turns.max) / 2
}
