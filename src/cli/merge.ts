/** `llmbench merge <shards...>`: the shards of one run (`--shard i/n`) as one result, printed and saved. */
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { readResultFile } from '../report/load.js'
import { mergeRunResults } from '../results/merge.js'
import { redactArgv } from '../results/redact.js'
import { renderLevel, renderSummary } from '../../reporters/console.js'
import { writeJsonResult } from '../../reporters/json.js'
import type { RunResult } from '../results/types.js'
import { keepRunOutputs, reportOptions } from '../report/run-outputs.js'

export function mergeCommand(y: Argv) {
  return reportOptions(y)
    .positional('files', { type: 'string', array: true, describe: 'Result JSON files of the shards (llmbench run --shard i/n --output ...)' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the merged result JSON to this file' })
}

export async function mergeHandler(a: Record<string, unknown>): Promise<number> {
  const files = ((a.files as unknown[] | undefined) ?? []).map(String)
  if (files.length < 1) throw new UsageError('merge needs the result files of the shards: llmbench merge shard-0.json shard-1.json ... -o merged.json')
  const results: RunResult[] = files.map((f) => {
    const r = readResultFile(f)
    if (r.kind !== 'run') throw new UsageError(`${f} is a bench-file suite result: merge takes the results of llmbench run --shard i/n`)
    return r.doc
  })
  const merged = mergeRunResults(results, files, ['llmbench', ...redactArgv(process.argv.slice(2))].join(' '))
  const out = process.stdout
  out.write(`Merged ${files.length} shards of ${merged.scenario.model} at ${merged.scenario.server}\n\n`)
  for (const level of merged.levels) out.write(renderLevel(level.summary) + '\n\n')
  if (merged.levels.length) out.write(renderSummary(merged.levels.map((l) => l.summary)) + '\n')
  if (a.output) out.write(`Merged result written to ${writeJsonResult(String(a.output), merged)}\n`)
  for (const line of keepRunOutputs(merged, a)) out.write(`${line}\n`)
  return EXIT.OK
}
