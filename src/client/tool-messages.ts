/**
 * Tools on the wire, for agent tool loops (docs/workloads.md, Tool loops): the tools and
 * tool_choice a request offers, the assistant's tool calls and the tool results in its history,
 * in the shapes of Chat Completions and of the Responses API, and the tool calls read back from a
 * reply (reply.ts). Only the chat and responses adapters use them.
 */
import type { ChatMessage } from '../data/prompt.js'
import type { ReplyCapture } from './reply.js'

/** The tools a request offers: OpenAI chat tool definitions, and the choice it asks for. */
export interface ToolsSpec {
  /** `[{ type: 'function', function: { name, description, parameters } }]`. */
  definitions: unknown[]
  /** `auto`, `required`, `none`, or the name of the one function to call. */
  choice?: string
}

const CHOICES = new Set(['auto', 'required', 'none'])

/** `tools` and `tool_choice` of a chat request. */
export function chatToolFields(t: ToolsSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { tools: t.definitions }
  if (t.choice !== undefined) out.tool_choice = CHOICES.has(t.choice) ? t.choice : { type: 'function', function: { name: t.choice } }
  return out
}

/** The same for the Responses API, whose tool definitions are flat: `{ type: 'function', name, parameters }`. */
export function responsesToolFields(t: ToolsSpec): Record<string, unknown> {
  const tools = t.definitions.map((d) => {
    const f = (d as { function?: Record<string, unknown> })?.function
    return f ? { type: 'function', ...f } : d
  })
  const out: Record<string, unknown> = { tools }
  if (t.choice !== undefined) out.tool_choice = CHOICES.has(t.choice) ? t.choice : { type: 'function', name: t.choice }
  return out
}

/** Chat messages with tool calls and tool results in the chat wire shape. */
export function chatWireMessages(messages: ChatMessage[]): unknown[] {
  return messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content }
    if (m.toolCalls) {
      return {
        role: 'assistant',
        content: m.content || null,
        tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      }
    }
    return m
  })
}

/** Chat messages as Responses input items: tool calls become `function_call` items, results `function_call_output`. */
export function responsesInput(messages: ChatMessage[]): unknown[] {
  const out: unknown[] = []
  for (const m of messages) {
    if (m.role === 'tool') out.push({ type: 'function_call_output', call_id: m.toolCallId ?? '', output: m.content })
    else if (m.toolCalls) {
      if (m.content) out.push({ role: 'assistant', content: m.content })
      for (const c of m.toolCalls) out.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments })
    } else out.push(m)
  }
  return out
}

/** A streamed chat delta's text and tool-call pieces. */
export function captureChatDelta(delta: Record<string, any>, reply: ReplyCapture): void {
  if (typeof delta.content === 'string') reply.text(delta.content)
  if (Array.isArray(delta.tool_calls)) {
    delta.tool_calls.forEach((c: any, i: number) => reply.toolCall(Number.isInteger(c?.index) ? c.index : i, c?.id, c?.function?.name, c?.function?.arguments))
  }
}

/** A non-streamed chat message's text and tool calls. */
export function captureChatMessage(message: Record<string, any> | undefined, reply: ReplyCapture): void {
  if (!message) return
  if (typeof message.content === 'string') reply.text(message.content)
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((c: any, i: number) => reply.toolCall(i, c?.id, c?.function?.name, c?.function?.arguments))
  }
}
