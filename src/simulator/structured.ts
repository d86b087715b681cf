/**
 * Structured answers of the simulator (docs/request-kinds.md): a chat or completions request that
 * asks for JSON (`response_format`) or offers tools gets a JSON document that fits the schema (or
 * the tool's parameters), spread over exactly the tokens the request generates. At the rate of
 * `invalidRate` an answer is made invalid on purpose: cut short (not JSON), or with a value of the
 * wrong type (JSON that misses the schema), so a client's validity check can be tested.
 */
import { mixSeed, mulberry32 } from '../random.js'

/**
 * What a request asked for: JSON (to a schema, or any object), and the parameters of the tools it
 * offers that declare them (whether a tool is called is decided apart: tools.ts).
 */
export interface StructuredAsk {
  /** `response_format` (chat, completions) or `text.format` (Responses): JSON for a text answer. */
  json?: { schema?: Record<string, unknown> }
  /** Tool name → its parameters' schema, for the arguments of a call. */
  tools?: Record<string, Record<string, unknown>>
}

/** The document to write: JSON to `schema` (none: any object). */
export interface JsonTarget {
  schema?: Record<string, unknown>
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The structured ask of an OpenAI chat or completions body, or of a Responses body (`text.format`); undefined for free text. */
export function structuredAsk(b: Record<string, unknown>, chat: boolean): StructuredAsk | undefined {
  const out: StructuredAsk = {}
  if (chat && Array.isArray(b.tools)) {
    for (const t of b.tools.filter(isObject)) {
      const f = isObject(t.function) ? t.function : t
      if (typeof f.name === 'string' && isObject(f.parameters)) (out.tools ??= {})[f.name] = f.parameters
    }
  }
  const rf = isObject(b.response_format) ? b.response_format : isObject(b.text) && isObject(b.text.format) ? b.text.format : undefined
  if (rf?.type === 'json_object') out.json = {}
  else if (rf?.type === 'json_schema') {
    const schema = isObject(rf.json_schema) ? rf.json_schema.schema : rf.schema
    out.json = isObject(schema) ? { schema } : {}
  }
  return out.json || out.tools ? out : undefined
}

/**
 * Whether `{"input": "<any text>"}` fits `schema`: an object whose only required property, if any,
 * is `input`, where `input` (when declared) is any string. Such tools keep tools.ts's arguments.
 */
export function takesInput(schema: Record<string, unknown>): boolean {
  if (schema.type !== undefined && schema.type !== 'object') return false
  if (Array.isArray(schema.required) && schema.required.some((k) => k !== 'input')) return false
  const input = isObject(schema.properties) ? schema.properties.input : undefined
  if (input === undefined) return schema.additionalProperties === undefined || schema.additionalProperties === true
  if (!isObject(input) || (input.type !== undefined && input.type !== 'string')) return false
  return !['enum', 'const', 'format', 'pattern', 'minLength', 'maxLength'].some((k) => k in input)
}

const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'harbor', 'meadow', 'river', 'summit', 'willow', 'cedar', 'ember', 'orbit']

/** A value that fits `schema` (the common keywords: type, properties, required, items, enum, const, bounds). */
export function sampleValue(schema: unknown, rng: () => number, depth = 0): unknown {
  if (!isObject(schema) || depth > 6) return 'value'
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[Math.floor(rng() * schema.enum.length)]
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length) return sampleValue(options[0], rng, depth + 1)
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) return sampleValue(Object.assign({}, ...schema.allOf.filter(isObject)), rng, depth + 1)
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : schema.items ? 'array' : types[0])
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const props = isObject(schema.properties) ? schema.properties : {}
      for (const [k, v] of Object.entries(props)) out[k] = sampleValue(v, rng, depth + 1)
      return out
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : min + 2
      const n = Math.max(min, Math.min(max, min + Math.floor(rng() * 3)))
      return Array.from({ length: n }, () => sampleValue(schema.items, rng, depth + 1))
    }
    case 'integer':
    case 'number': {
      const lo = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0
      const hi = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : lo + 100
      const v = lo + rng() * Math.max(0, hi - lo)
      return type === 'integer' ? Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(v))) : Math.round(v * 100) / 100
    }
    case 'boolean':
      return rng() < 0.5
    case 'null':
      return null
    case 'string': {
      if (schema.format === 'date-time') return '2025-01-01T00:00:00Z'
      if (schema.format === 'date') return '2025-01-01'
      if (schema.format === 'email') return 'user@example.com'
      if (schema.format === 'uri') return 'https://example.com/'
      const min = typeof schema.minLength === 'number' ? schema.minLength : 1
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 40
      let s = WORDS[Math.floor(rng() * WORDS.length)]
      while (s.length < min) s += ' ' + WORDS[Math.floor(rng() * WORDS.length)]
      return s.slice(0, Math.max(min, Math.min(max, s.length)))
    }
    default:
      return { answer: WORDS[Math.floor(rng() * WORDS.length)] }
  }
}

/** A value of another type than `v`: what makes a document miss its schema. */
function wrongTyped(v: unknown): unknown {
  if (typeof v === 'string') return 12345
  if (typeof v === 'number') return 'not a number'
  if (typeof v === 'boolean') return 'yes'
  return 'wrong'
}

/**
 * The answer's text: valid JSON for `ask`, or when `invalid`, cut short (half the time) or with
 * its first value of the wrong type. Deterministic in `seed`.
 */
export function structuredText(ask: JsonTarget, seed: number, invalid: boolean): string {
  const rng = mulberry32(mixSeed(seed, 0x5c4e))
  let doc = ask.schema ? sampleValue(ask.schema, rng) : { answer: WORDS[Math.floor(rng() * WORDS.length)], score: Math.round(rng() * 100) }
  const cut = invalid && (!ask.schema || rng() < 0.5)
  if (invalid && !cut) {
    if (isObject(doc) && Object.keys(doc).length) {
      const k = Object.keys(doc)[0]
      doc = { ...doc, [k]: wrongTyped(doc[k]) }
    } else doc = wrongTyped(doc)
  }
  const text = JSON.stringify(doc)
  return cut ? text.slice(0, Math.max(1, text.length - 1)) : text
}

/**
 * `text` as exactly `n` token pieces: runs of characters of nearly equal length, or, when the text
 * is shorter than `n` characters, one character each followed by spaces (whitespace after a JSON
 * document is still JSON). JSON-escaped pieces come with each.
 */
export function tokenPieces(text: string, n: number): Array<{ raw: string; json: string }> {
  const out: Array<{ raw: string; json: string }> = []
  const chars = Array.from(text)
  const per = chars.length / n
  for (let i = 0; i < n; i++) {
    const raw = chars.length >= n ? chars.slice(Math.round(i * per), Math.round((i + 1) * per)).join('') : (chars[i] ?? ' ')
    out.push({ raw, json: JSON.stringify(raw).slice(1, -1) })
  }
  return out
}

/** FNV-1a of a request id: the invalid draw of a request does not depend on the order requests arrive in. */
export function idHash(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return h >>> 0
}
