/** The generated tables of README.md and docs/ (scripts/docs.mjs writes them; test/docs-tables.test.ts checks them). */
import { flagsTable, optionsTable } from '../options/docs.js'
import { benchShape, scenarioShape } from '../options/scenario.js'
import { benchCommandShape, runCommandShape } from '../options/commands.js'
import { configShape } from '../options/config.js'
import { RUN_FLAGS } from './run.js'
import { BENCH_FLAGS } from './bench.js'

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
