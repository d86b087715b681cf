/**
 * Results uploaded by CI (`curl --data-binary @results.json .../api/v1/benchmark/result`): told
 * apart as a run or suite result, checked against the JSON Schema llmbench ships, and redacted
 * once more of anything shaped like a credential before they are stored.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ValidateFunction } from 'ajv'
import { UsageError } from '../errors.js'
import { classifyResult, type AnyResult } from '../results/read.js'
import { redactDeep, redactSecrets } from '../results/redact.js'
import { PACKAGE_ROOT } from '../version.js'
import { ApiError } from './http.js'

const SCHEMAS = { run: 'result.schema.json', suite: 'suite.schema.json' } as const
let validators: Promise<Record<AnyResult['kind'], ValidateFunction>> | undefined

/** Read once, on the first upload: a server that never takes one never loads ajv. */
function loadValidators(): Promise<Record<AnyResult['kind'], ValidateFunction>> {
  validators ??= (async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js')
    const { default: addFormats } = await import('ajv-formats')
    const ajv = new Ajv2020({ allErrors: false, strict: true })
    ;(addFormats as unknown as (a: InstanceType<typeof Ajv2020>) => void)(ajv)
    const load = (name: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', name), 'utf8'))
    const run = load(SCHEMAS.run)
    ajv.addSchema(run)
    return { run: ajv.getSchema(run.$id)!, suite: ajv.compile(load(SCHEMAS.suite)) }
  })()
  return validators
}

export async function checkUpload(body: unknown): Promise<AnyResult> {
  let result: AnyResult
  try {
    result = classifyResult(body, 'the uploaded document')
  } catch (err) {
    if (err instanceof UsageError) throw new ApiError(400, 'not-a-result', err.message)
    throw err
  }
  const validate = (await loadValidators())[result.kind]
  if (!validate(result.doc)) {
    const first = validate.errors?.[0]
    const where = first ? `${first.instancePath || '/'} ${first.message}` : 'it does not match'
    throw new ApiError(422, 'invalid-result', `the uploaded ${result.kind} result does not match schema/${SCHEMAS[result.kind]}: ${where}`)
  }
  // CI may have run with secrets this server never saw: credential-shaped text goes too.
  return { kind: result.kind, doc: redactDeep(result.doc, (t) => redactSecrets(t)) } as AnyResult
}
