/** JSON Schema of declared options, for the OpenAPI document and the result file's schema. */
import * as z from 'zod'

/** The JSON Schema (2020-12) of what a user may write for `schema`: types, bounds, descriptions. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>
  return json
}
