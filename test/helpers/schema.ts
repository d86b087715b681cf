/** Validates a result document against the shipped JSON Schema. */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

const schema = JSON.parse(readFileSync(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'))
const ajv = new Ajv2020({ allErrors: true, strict: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
const validate = ajv.compile(schema)

export function schemaErrors(doc: unknown): string[] {
  if (validate(doc)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}
