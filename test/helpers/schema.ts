/** Validates a result document against the shipped JSON Schema. */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8'))
const ajv = new Ajv2020({ allErrors: true, strict: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
ajv.addSchema(load('result.schema.json'))
const validateRun = ajv.getSchema('https://llmbench.dev/schema/result-2.json')!
const validateSuite = ajv.compile(load('suite.schema.json'))

function errorsOf(validate: typeof validateRun, doc: unknown): string[] {
  if (validate(doc)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

/** Problems of a `llmbench run` result (schema/result.schema.json). */
export function schemaErrors(doc: unknown): string[] {
  return errorsOf(validateRun, doc)
}

/** Problems of a suite result, the json reporter's file (schema/suite.schema.json). */
export function suiteSchemaErrors(doc: unknown): string[] {
  return errorsOf(validateSuite, doc)
}
