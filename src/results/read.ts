/** Reading saved results for reports: a `llmbench run` result or a suite result, told apart and checked. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { UsageError } from '../errors.js'
import { SUITE_SCHEMA_VERSION, type SuiteResult } from './suite.js'
import { SCHEMA_VERSION, type RunResult } from './types.js'
import { VERSION } from '../version.js'
import { runFromV1, suiteFromV1 } from './upgrade.js'

export type AnyResult = { kind: 'run'; doc: RunResult } | { kind: 'suite'; doc: SuiteResult }

const WHAT = 'a result JSON written by `llmbench run --output` or the json reporter of `npx llmbench`'

/** Tells a run result from a suite result (a version-1 one read as today's); throws a one-line UsageError naming `name` otherwise. */
export function classifyResult(doc: unknown, name: string): AnyResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`${name} is not an llmbench result (not a JSON object): pass ${WHAT}`)
  }
  const o = doc as Record<string, unknown>
  const isRun = Array.isArray(o.levels) && typeof o.scenario === 'object' && o.scenario !== null
  const isSuite = Array.isArray(o.files)
  if (!('schemaVersion' in o) || (!isRun && !isSuite)) {
    throw new UsageError(`${name} is not an llmbench result (it has no schemaVersion with levels or files): pass ${WHAT}`)
  }
  const expected = isRun ? SCHEMA_VERSION : SUITE_SCHEMA_VERSION
  if (o.schemaVersion === 1) return isRun ? { kind: 'run', doc: runFromV1(o) as unknown as RunResult } : { kind: 'suite', doc: suiteFromV1(o) as unknown as SuiteResult }
  if (o.schemaVersion !== expected) {
    throw new UsageError(
      `${name} has schemaVersion ${JSON.stringify(o.schemaVersion)}, but llmbench ${VERSION} reads version ${expected}: ` +
        'build the report with the llmbench version that wrote the file',
    )
  }
  return isRun ? { kind: 'run', doc: doc as RunResult } : { kind: 'suite', doc: doc as SuiteResult }
}

/** Reads and classifies a result file; every problem is one UsageError naming the file and the fix. */
export function readResultFile(file: string): AnyResult {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file} not found: pass ${WHAT}`)
  let doc: unknown
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]
    throw new UsageError(`${file} is not valid JSON (${why}): pass ${WHAT}`)
  }
  return classifyResult(doc, file)
}
