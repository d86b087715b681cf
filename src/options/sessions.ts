/**
 * The options of workloads as users send them (docs/workloads.md): chained conversations
 * (`sessions`), agent tool loops (`agent`) and the server's prefix cache (`resetPrefixCache`),
 * declared once and spread into the scenario's shape (scenario.ts).
 */
import { readFileSync } from 'node:fs'
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { parseDuration } from './duration.js'
import { duration, HEADER_NAME, nonEmpty, whole } from './values.js'
import { length, spreadFits } from './lengths.js'

/** A time drawn per use: a constant, uniform between two times, or exponential around a mean. */
export const timeDraw = (what: string) =>
  expecting(
    z.union([
      duration(),
      z.strictObject({ min: duration(), max: duration() }).refine((d) => parseDuration(d.max) >= parseDuration(d.min), { message: 'must have max at least min', path: ['max'] }),
      z.strictObject({ mean: duration() }),
    ]),
    `a time such as '2s', { min: '1s', max: '5s' } (uniform) or { mean: '2s' } (exponential) ${what}`,
  )

const ZERO_OK = /^\s*0+(?:\.0+)?(?:ms|s|m|h)?\s*$/

/** `2s`, `1s-5s` (uniform), `exp:2s` (exponential); `0` for none. */
export function timeDrawFlag(text: string): unknown {
  const t = text.trim()
  if (ZERO_OK.test(t)) return '0ms'
  if (t.startsWith('exp:')) return { mean: t.slice(4) }
  const dash = t.indexOf('-')
  if (dash > 0) return { min: t.slice(0, dash), max: t.slice(dash + 1) }
  return t
}

const turnsSchema = expecting(
  z.union([whole(1), z.strictObject({ min: whole(1), max: whole(1) }).refine((t) => t.max >= t.min, { message: 'must have max at least min', path: ['max'] }), z.literal('dataset')]),
  "a number of turns, { min, max }, or 'dataset' (each conversation's own user turns)",
)

/** `4`, `2-6`, or `dataset`. */
export function turnsFlag(text: string): unknown {
  const t = text.trim()
  if (t === 'dataset') return t
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(t)
  if (m) return { min: Number(m[1]), max: Number(m[2]) }
  const n = Number(t)
  if (t === '' || !Number.isFinite(n)) throw new Error(`must be a number of turns, MIN-MAX or dataset, got "${text}"`)
  return n
}

const sessionsSchema = expecting(
  z.strictObject({
    /** User turns per session. */
    turns: turnsSchema.optional(),
    /** Between a reply's end and the next turn. */
    thinkTime: z.union([timeDraw('between turns'), expecting(z.string().regex(ZERO_OK), '0')]).optional(),
    /** Synthetic sessions: the length of each user turn after the first. */
    userTurn: length().superRefine(spreadFits).optional(),
    maxContextTokens: whole(1).optional(),
    onContextFull: z.enum(['truncate', 'end']).optional(),
    /** The header that carries the session's id; false: none. */
    header: z.union([expecting(z.string().regex(HEADER_NAME), 'a header name'), z.literal(false)]).optional(),
    /** A body field that carries the session's id too (OpenAI's `user`). */
    bodyField: nonEmpty().optional(),
  }),
  "an object like { turns: 4, thinkTime: '2s' }",
)

/** OpenAI's chat tool definition: `{ type: 'function', function: { name, description?, parameters? } }`. */
const toolDefinition = expecting(
  z.looseObject({
    type: z.literal('function'),
    function: z.looseObject({ name: expecting(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), 'a function name of letters, digits, _ and -'), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
  }),
  "an OpenAI tool like { type: 'function', function: { name: 'search', parameters: {...} } }",
)

/** What a mocked tool returns for one call (a bench file's function). */
export interface ToolCallInfo {
  name: string
  /** The arguments as the model wrote them (JSON text). */
  arguments: string
  /** The session's id, its user turn (from 1) and the step of that turn's task (from 1). */
  session: string
  turn: number
  step: number
}
export type ToolResultFunction = (call: ToolCallInfo) => string | { content: string; latencyMs?: number } | Promise<string | { content: string; latencyMs?: number }>

const toolResultSchema = expecting(
  z.union([
    z.strictObject({ tokens: length().superRefine(spreadFits).optional(), latency: z.union([timeDraw('per call'), expecting(z.string().regex(ZERO_OK), '0')]).optional() }),
    z.custom<ToolResultFunction>((v) => typeof v === 'function'),
  ]),
  "an object like { tokens: { tokens: 200 }, latency: '300ms' }, or a function (call) => string",
)

const agentSchema = expecting(
  z.strictObject({
    tools: z.array(toolDefinition).min(1, 'must list at least one tool'),
    toolChoice: z.union([z.enum(['auto', 'required', 'none']), nonEmpty()]).optional(),
    maxSteps: whole(1).optional(),
    toolResult: toolResultSchema.optional(),
    check: z.enum(['tool-args', 'none']).optional(),
  }).superRefine((a, ctx) => {
    const c = a.toolChoice
    if (c !== undefined && !['auto', 'required', 'none'].includes(c) && !a.tools.some((t) => t.function.name === c)) {
      ctx.addIssue({ code: 'custom', path: ['toolChoice'], input: c, message: `must be auto, required, none or the name of one of the tools (${a.tools.map((t) => t.function.name).join(', ')}), got ${JSON.stringify(c)}` })
    }
  }),
  "an object like { tools: [{ type: 'function', function: { name: 'search' } }], maxSteps: 8 }",
)

/** `--tools`: a JSON list of tools, or the path of a file holding one. */
export function toolsFlag(text: string): unknown {
  const t = text.trim()
  let json = t
  if (!t.startsWith('[')) {
    try {
      json = readFileSync(t, 'utf8')
    } catch (err) {
      throw new Error(`must be a JSON list of tools or the path of a file holding one: ${t}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
    }
  }
  try {
    return JSON.parse(json)
  } catch (err) {
    throw new Error(`must be a JSON list of OpenAI tools: ${(err as Error).message}`)
  }
}

const SESSIONS_ONLY = { flags: ['turns'], message: 'applies to sessions: pass --turns too' }
const AGENT_ONLY = { flags: ['tools'], message: 'applies to tool loops: pass --tools too' }

export const sessionShape = {
  sessions: option(sessionsSchema, {
    description: "Chained conversations: each turn carries the history with the server's own replies, after a think time; loads count sessions",
    docs: 'workloads.md',
    flags: [
      { name: 'turns', path: 'turns', parse: turnsFlag, placeholder: 'N|MIN-MAX|dataset', describe: "Run sessions of N user turns (or MIN-MAX, or dataset: each conversation's own); --concurrency and --request-rate then count sessions" },
      { name: 'think-time', path: 'thinkTime', parse: timeDrawFlag, placeholder: '2s|1s-5s|exp:2s', requires: SESSIONS_ONLY, describe: 'Time between a reply and the next turn: constant, uniform MIN-MAX, or exponential exp:MEAN' },
      { name: 'user-turn-len', path: 'userTurn.tokens', placeholder: 'N', requires: SESSIONS_ONLY, describe: 'Tokens of each synthetic user turn after the first (default: --input-len less any shared prefix)' },
      { name: 'max-context-tokens', path: 'maxContextTokens', placeholder: 'N', requires: SESSIONS_ONLY, describe: 'A session whose next request would not fit (prompt + output) is truncated or ended (--on-context-full)' },
      { name: 'on-context-full', path: 'onContextFull', placeholder: 'truncate|end', requires: SESSIONS_ONLY, describe: 'At --max-context-tokens: drop the oldest turns (truncate, default) or end the session' },
      { name: 'session-header', path: 'header', parse: (t: string) => (t === 'none' ? false : t), placeholder: 'NAME|none', describe: "Header carrying each session's id for KV-aware routers (default x-session-id; none for no header)" },
      { name: 'session-body-field', path: 'bodyField', placeholder: 'FIELD', describe: "Body field carrying the session's id too, e.g. user" },
    ],
  }),
  agent: option(agentSchema, {
    description: 'Agent tool loops: tools offered with every request; a reply that calls tools gets a mocked result per call and the next step, up to maxSteps',
    docs: 'workloads.md',
    flags: [
      { name: 'tools', path: 'tools', parse: toolsFlag, placeholder: 'FILE|JSON', describe: 'Tool loops: OpenAI tool definitions (a JSON list, or a file holding one) offered with every request' },
      { name: 'tool-choice', path: 'toolChoice', placeholder: 'auto|required|none|NAME', requires: AGENT_ONLY, describe: 'tool_choice sent with every step (default: the server decides)' },
      { name: 'max-steps', path: 'maxSteps', placeholder: 'N', requires: AGENT_ONLY, describe: 'Most requests a task may take before it counts as unfinished (default 8)' },
      { name: 'tool-result-len', path: 'toolResult.tokens.tokens', placeholder: 'N', requires: AGENT_ONLY, describe: 'Tokens of each mocked tool result (default 64)' },
      { name: 'tool-check', path: 'check', placeholder: 'tool-args|none', requires: AGENT_ONLY, describe: "Check each step's tool calls: named tools, arguments that fit their parameters (tool-args, default; counted in valid.rate), or none" },
      { name: 'tool-latency', path: 'toolResult.latency', parse: timeDrawFlag, placeholder: '300ms|100ms-1s|exp:300ms', requires: AGENT_ONLY, describe: 'How long each mocked tool call takes before its result is sent back (default 0)' },
    ],
  }),
  resetPrefixCache: option(z.boolean(), {
    description: "Empty the server's prefix cache before each level where it offers that (vLLM POST /reset_prefix_cache, SGLang /flush_cache); recorded per level",
    default: false,
    docs: 'workloads.md',
    flags: [{ name: 'reset-prefix-cache' }],
  }),
} as const
