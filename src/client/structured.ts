/**
 * Structured outputs (docs/request-kinds.md): the request fields that ask for them on each
 * protocol that has them, and the check that says whether an answer is valid. A response that
 * arrives fast but is malformed JSON, or calls a tool with arguments that do not fit, is counted
 * apart (`valid: false`) so that goodput can require validity.
 */
import { createRequire } from 'node:module'
import type { Ajv as AjvClass, ValidateFunction } from 'ajv'
import type { ValidityFunction } from '../options/kinds.js'
import { chatToolFields, responsesToolFields, type ToolsSpec } from './tool-messages.js'

/** ajv is loaded when a schema is first compiled: a run without structured outputs never pays for it. */
const load = createRequire(import.meta.url)

export interface ToolSpec {
  name: string
  description?: string
  /** The JSON Schema of the tool's arguments. */
  parameters: Record<string, unknown>
}

/** The structured options as the runner has them (config/kinds.ts reads files and fills defaults). */
export interface StructuredSpec {
  responseFormat?: { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> }
  tools?: ToolSpec[]
  toolChoice?: string
  check: 'json' | 'schema' | 'tool-args' | 'none' | ValidityFunction
}

/** What a request produced, as the check sees it: the visible text and the tool calls. */
export interface ModelOutput {
  text: string
  toolCalls: Array<{ name: string; arguments: string }>
}

export interface Verdict {
  valid: boolean
  reason?: string
}

/** The check of one answer; undefined when the answer has nothing to check (a tool loop's final reply). */
export type Validator = (output: ModelOutput) => Verdict | undefined

/** Endpoints that can ask for structured output, and what each can ask for. */
export const STRUCTURED_ENDPOINTS: Readonly<Record<string, { format: boolean; tools: boolean }>> = {
  chat: { format: true, tools: true },
  completions: { format: true, tools: false },
  responses: { format: true, tools: true },
}

/** The body fields that ask `endpoint` for the structured output (merged under the user's own body). */
export function structuredBody(endpoint: string, s: StructuredSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const f = s.responseFormat
  if (endpoint === 'responses') {
    if (f) out.text = { format: f.type === 'json_object' ? { type: 'json_object' } : { type: 'json_schema', name: f.name, schema: f.schema } }
    if (s.tools) Object.assign(out, responsesToolFields(toolsOffered(s)))
    return out
  }
  if (f) out.response_format = f.type === 'json_object' ? { type: 'json_object' } : { type: 'json_schema', json_schema: { name: f.name, schema: f.schema } }
  if (s.tools && endpoint === 'chat') Object.assign(out, chatToolFields(toolsOffered(s)))
  return out
}

/**
 * The tools as chat definitions, for the wire shapes of tool-messages.ts; tool_choice `auto`,
 * `required`, `none`, or a tool's name (forced). Default `required`: every answer is a call to check.
 */
function toolsOffered(s: StructuredSpec): ToolsSpec {
  const definitions = s.tools!.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters } }))
  return { definitions, choice: s.toolChoice ?? 'required' }
}

const MAX_REASON = 200

function compile(schema: Record<string, unknown>): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12')
  const Ajv = (is2020 ? load('ajv/dist/2020.js').Ajv2020 : load('ajv').Ajv) as typeof AjvClass
  const ajv = new Ajv({ strict: false, allErrors: false })
  ;(load('ajv-formats') as (a: AjvClass) => void)(ajv)
  return ajv.compile(schema)
}

/** Throws a one-line Error when a schema cannot be compiled (the caller names the option). */
export function checkSchema(schema: Record<string, unknown>): void {
  compile(schema)
}

function schemaError(v: ValidateFunction): string {
  const e = v.errors?.[0]
  if (!e) return 'does not match'
  return `${e.instancePath || '/'} ${e.message ?? 'is not allowed'}`.slice(0, MAX_REASON)
}

function parse(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (err) {
    return { ok: false, reason: (err as Error).message.slice(0, MAX_REASON) }
  }
}

/** The check of each answer; undefined when none is asked for. Schemas are compiled once, here. */
export function makeValidator(s: StructuredSpec): Validator | undefined {
  const check = s.check
  if (check === 'none') return undefined
  if (typeof check === 'function') {
    return (output) => {
      try {
        const r = check(output)
        if (r === false) return { valid: false, reason: 'failed the check' }
        if (typeof r === 'string') return { valid: false, reason: r.slice(0, MAX_REASON) }
        return { valid: true }
      } catch (err) {
        return { valid: false, reason: `check threw: ${(err as Error)?.message ?? err}`.slice(0, MAX_REASON) }
      }
    }
  }
  if (check === 'json') {
    return (output) => {
      const p = parse(output.text)
      return p.ok ? { valid: true } : { valid: false, reason: `not JSON: ${p.reason}` }
    }
  }
  if (check === 'schema') {
    const f = s.responseFormat
    if (!f || f.type !== 'json_schema') throw new Error('the schema check needs a json_schema response format')
    const validate = compile(f.schema)
    return (output) => {
      const p = parse(output.text)
      if (!p.ok) return { valid: false, reason: `not JSON: ${p.reason}` }
      return validate(p.value) ? { valid: true } : { valid: false, reason: `does not match the schema: ${schemaError(validate)}` }
    }
  }
  const calls = toolCallCheck(s.tools ?? [])
  return (output) => (output.toolCalls.length === 0 ? { valid: false, reason: 'no tool call' } : calls(output.toolCalls))
}

/**
 * An agent tool loop's check (docs/workloads.md): each step that calls tools must name tools it
 * was offered, with arguments that fit their parameters (any JSON when a tool declares none). A
 * step without tool calls is the task's answer: there is nothing to check, and it is not counted.
 * Throws a one-line Error for a schema that cannot be compiled.
 */
export function toolLoopValidator(tools: ReadonlyArray<{ name: string; parameters?: Record<string, unknown> }>): Validator {
  const check = toolCallCheck(tools)
  return (output) => (output.toolCalls.length === 0 ? undefined : check(output.toolCalls))
}

function toolCallCheck(tools: ReadonlyArray<{ name: string; parameters?: Record<string, unknown> }>): (calls: ModelOutput['toolCalls']) => Verdict {
  const schemas = new Map(tools.map((t) => [t.name, t.parameters ? compile(t.parameters) : undefined]))
  return (calls) => {
    for (const call of calls) {
      if (!schemas.has(call.name)) return { valid: false, reason: `unknown tool: ${call.name.slice(0, 80)}` }
      const validate = schemas.get(call.name)
      const p = parse(call.arguments)
      if (!p.ok) return { valid: false, reason: `tool arguments not JSON: ${p.reason}` }
      if (validate && !validate(p.value)) return { valid: false, reason: `tool arguments do not match ${call.name.slice(0, 80)}: ${schemaError(validate)}` }
    }
    return { valid: true }
  }
}
