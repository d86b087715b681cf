/** JSON Schema of declared options, for the OpenAPI document and the result file's schema. */
import * as z from 'zod'

/** The JSON Schema (2020-12) of what a user may write for `schema`: types, bounds, descriptions. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline', override: keyPattern }) as Record<string, unknown>
  return json
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
