/**
 * Tool calls in the simulator: whether a request is answered with a call to one of its `tools`,
 * and the text of the call. A call's arguments are `{"input":"<generated text>"}`: each generated
 * token streams as a piece of them, so a tool-call answer has the same token count and timing as
 * a text answer. Tool messages and calls are rendered into the prompt's text (prompt.ts), so the
 * prefix cache and the token counts see them as a chat template would.
 *
 * When a request has tools: `tool_choice` `none` never calls, `required` or a named function
 * always does; `auto` (the default) calls while the messages since the last user message hold
 * fewer than `toolSteps - 1` tool results (a task needs `toolSteps` requests), else with
 * `toolCallProbability`.
 */
import { randomUUID } from 'node:crypto'
import type { ResolvedOptions } from './options.js'
import { PIECES_JSON } from './text.js'

/** What a request says about tools. */
export interface ToolRequest {
  /** Names of the tools offered. */
  names: string[]
  /** 'auto' | 'required' | 'none', or the name of the function it must call. */
  choice: string
  /** Tool results after the last user message: steps of the task so far. */
  results: number
}

export interface ToolCall {
  name: string
  id: string
}

const CHOICES = new Set(['auto', 'required', 'none'])
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A chat request's tools (`tools: [{type: 'function', function: {name}}]`, `tool_choice`). */
export function chatTools(b: Record<string, unknown>): ToolRequest | undefined {
  const names = toolNames(b.tools, (t) => (isObject(t.function) ? t.function.name : undefined))
  if (!names) return undefined
  const c = b.tool_choice
  const named = isObject(c) && isObject(c.function) && typeof c.function.name === 'string' ? c.function.name : undefined
  return { names, choice: named ?? (typeof c === 'string' && CHOICES.has(c) ? c : 'auto'), results: resultsSinceUser(b.messages, (m) => m.role === 'tool') }
}

/** A Responses request's tools (`tools: [{type: 'function', name}]`, `tool_choice`). */
export function responsesTools(b: Record<string, unknown>): ToolRequest | undefined {
  const names = toolNames(b.tools, (t) => t.name)
  if (!names) return undefined
  const c = b.tool_choice
  const named = isObject(c) && typeof c.name === 'string' ? c.name : undefined
  return { names, choice: named ?? (typeof c === 'string' && CHOICES.has(c) ? c : 'auto'), results: resultsSinceUser(b.input, (m) => m.type === 'function_call_output') }
}

function toolNames(tools: unknown, nameOf: (t: Record<string, unknown>) => unknown): string[] | undefined {
  if (!Array.isArray(tools)) return undefined
  const names = tools.flatMap((t) => {
    const n = isObject(t) ? nameOf(t) : undefined
    return typeof n === 'string' && n ? [n] : []
  })
  return names.length ? names : undefined
}

function resultsSinceUser(items: unknown, isResult: (m: Record<string, unknown>) => boolean): number {
  if (!Array.isArray(items)) return 0
  let n = 0
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i]
    if (!isObject(m)) continue
    if (m.role === 'user') break
    if (isResult(m)) n++
  }
  return n
}

/** The call this request is answered with, or null for a text answer. `draw` is the request's own random number. */
export function decideToolCall(t: ToolRequest | undefined, o: ResolvedOptions, draw: number): ToolCall | null {
  if (!t || t.choice === 'none') return null
  const id = () => 'call_' + randomUUID().replaceAll('-', '').slice(0, 24)
  if (t.choice !== 'auto' && t.choice !== 'required') return { name: t.choice, id: id() }
  const pick = () => t.names[Math.min(t.names.length - 1, Math.floor(draw * 7919) % t.names.length)]
  if (t.choice === 'required') return { name: pick(), id: id() }
  const call = o.toolSteps !== null ? t.results < o.toolSteps - 1 : draw < o.toolCallProbability
  return call ? { name: pick(), id: id() } : null
}

const OPEN = JSON.stringify('{"input":"').slice(1, -1)
const CLOSE = JSON.stringify('"}').slice(1, -1)
/** Token pieces escaped twice: inside the arguments' JSON string, inside the event's JSON. */
const PIECES_ARG_JSON: readonly string[] = PIECES_JSON.map((p) => JSON.stringify(p).slice(1, -1))

/** The escaped arguments fragment of one event: its content tokens, opened by the first event, closed by the last. */
export function argumentsFragment(ids: readonly number[], from: number, first: boolean, last: boolean): string {
  let s = first ? OPEN : ''
  for (let i = from; i < ids.length; i++) s += PIECES_ARG_JSON[ids[i]]
  return last ? s + CLOSE : s
}

/** The whole arguments of a call whose generated text is `text`. */
export function toolArguments(text: string): string {
  return `{"input":${JSON.stringify(text)}}`
}

/** How tool calls read in the prompt's text (prompt.ts): the name and arguments of each, a line apiece. */
export function toolCallsText(calls: unknown): string {
  if (!Array.isArray(calls)) return ''
  let s = ''
  for (const c of calls) {
    const f = isObject(c) && isObject(c.function) ? c.function : isObject(c) ? c : undefined
    if (f && typeof f.name === 'string') s += `${s ? '\n' : ''}${f.name} ${typeof f.arguments === 'string' ? f.arguments : ''}`
  }
  return s
}
