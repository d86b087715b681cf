/** JSON Schema of declared options, for the OpenAPI document and the result file's schema. */
import * as z from 'zod'

/**
 * The JSON Schema (2020-12) of what a user may write for `schema`: types, bounds, descriptions.
 * Schemas declared with an id (`.meta({ id })`, e.g. an objective's threshold, used by every
 * figure) are written once, in `defs`, and referred to at `refBase` + id: the caller puts them
 * where that points (the result schema's `$defs`, the OpenAPI document's components).
 */
export function jsonSchemaOf(schema: z.ZodType, refBase: string): { schema: Record<string, unknown>; defs: Record<string, unknown> } {
  const { $schema: _, $defs, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline', override: keyPattern }) as Record<string, unknown>
  const rebase = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rebase)
    if (v === null || typeof v !== 'object') return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? refBase + x.slice(8) : rebase(x)]))
  }
  return { schema: rebase(json) as Record<string, unknown>, defs: rebase($defs ?? {}) as Record<string, unknown> }
}

/**
 * An object whose extra keys must match a pattern (`.catchall(value).meta({ keyPattern })`, the
 * objectives' turn figures): its catch-all becomes patternProperties, and no other key is allowed.
 */
function keyPattern(ctx: { jsonSchema: Record<string, unknown> }): void {
  const json = ctx.jsonSchema
  const pattern = json.keyPattern
  if (typeof pattern !== 'string') return
  delete json.keyPattern
  json.patternProperties = { [pattern]: json.additionalProperties }
  json.additionalProperties = false
}
