/**
 * What is generated from the option declarations: the tables of README.md and docs/, the
 * `scenario` of schema/result.schema.json, and the source files below (scripts/generate.mjs writes
 * them; test/generated.test.ts fails when the committed files differ).
 */
import { flagsTable, optionsTable } from '../options/docs.js'
import { benchShape, scenarioShape } from '../options/scenario.js'
import { benchCommandShape, runCommandShape } from '../options/commands.js'
import { configShape } from '../options/config.js'
import { jsonSchemaOf } from '../options/json-schema.js'
import { recordedScenarioSchema } from '../options/recorded.js'
import { RUN_FLAGS } from './run.js'
import { BENCH_FLAGS } from './bench.js'
import { wordPiecesSource } from '../data/word-table.js'

export interface DocTable {
  /** Relative to the package root. */
  file: string
  /** The `<!-- generated:NAME -->` block it fills. */
  name: string
  body: string
}

const ALL = { ...benchShape, ...runCommandShape, ...benchCommandShape, ...configShape }

export function docTables(): DocTable[] {
  return [
    { file: 'README.md', name: 'run-flags', body: flagsTable(RUN_FLAGS, ALL, 'docs/') },
    { file: 'docs/bench-files.md', name: 'scenario-options', body: optionsTable(scenarioShape) },
    { file: 'docs/bench-files.md', name: 'bench-flags', body: flagsTable(BENCH_FLAGS, ALL) },
    { file: 'docs/bench-files.md', name: 'config-keys', body: optionsTable(configShape) },
  ]
}

/** schema/result.schema.json with its `scenario` definition derived from the declarations. */
export function resultSchema(committed: string): string {
  const schema = JSON.parse(committed) as { $defs: Record<string, unknown> }
  schema.$defs.scenario = {
    ...jsonSchemaOf(recordedScenarioSchema),
    description: 'The options the run used, as a bench file writes them, after every layer (config, defaults); never a secret: header values are "***", no API key. Generated from src/options/ (npm run generate).',
  }
  return JSON.stringify(schema, null, 2) + '\n'
}

/** Source files generated whole: their path relative to the package root, and their text. */
export function generatedSources(): Array<{ file: string; text: string }> {
  return [
    { file: 'src/data/word-pieces.ts', text: wordPiecesSource() },
  ]
}
