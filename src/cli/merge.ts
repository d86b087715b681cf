/** `llmbench merge <shards...>`: the shards of one run (`--shard i/n`) as one result, printed and saved. */
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { readResultFile } from '../results/read.js'
import { mergeRunResults } from '../records/merge.js'
import { mergeRecordsFiles } from '../records/merge-records.js'
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { redactArgv } from '../results/redact.js'
import { renderLevel, renderSummary } from '../../reporters/console.js'
import { writeJsonFile } from '../write-file.js'
import type { RunResult } from '../results/types.js'
import { keepRunOutputs } from '../report/run-outputs.js'
import { flagsOf, withFlags } from '../options/flags.js'
import { runCommandShape } from '../options/commands.js'
import { configShape } from '../options/config.js'

export function mergeCommand(y: Argv) {
  return withFlags(y, [...flagsOf(runCommandShape, 'merge'), ...flagsOf(configShape, 'merge')])
    .positional('files', { type: 'string', array: true, describe: 'Result JSON files of the shards (llmbench run --shard i/n --output ...), or their records files (.records.jsonl)' })
}

export async function mergeHandler(a: Record<string, unknown>): Promise<number> {
  const files = ((a.files as unknown[] | undefined) ?? []).map(String)
  if (files.length < 1) throw new UsageError('merge needs the result files of the shards: llmbench merge shard-0.json shard-1.json ... -o merged.json')
  const command = ['llmbench', ...redactArgv(process.argv.slice(2))].join(' ')
  const inputs = files.map((f) => (isRecordsFile(f) ? { file: f } : { file: f, result: shardResult(f) }))
  // Results that hold every record merge in memory; a shard that kept only a sample (or a records
  // file given as such) makes the merge stream every shard's records file instead.
  const complete = inputs.every((i) => i.result && i.result.levels.every((l) => !l.recordsOmitted))
  const merged = complete
    ? mergeRunResults(inputs.map((i) => i.result!), files, command)
    : await mergeRecordsFiles(inputs.map((i) => (i.result ? recordsFileOf(i.file, i.result) : i.file)), command)
  const out = process.stdout
  out.write(`Merged ${files.length} shards of ${merged.scenario.model} at ${merged.scenario.server}${complete ? '' : ', from their records files'}\n\n`)
  for (const level of merged.levels) out.write(renderLevel(level.summary) + '\n\n')
  if (merged.levels.length) out.write(renderSummary(merged.levels.map((l) => l.summary)) + '\n')
  if (a.output) out.write(`Merged result written to ${writeJsonFile(String(a.output), merged)}\n`)
  for (const line of keepRunOutputs(merged, a)) out.write(`${line}\n`)
  return EXIT.OK
}

function shardResult(file: string): RunResult {
  const r = readResultFile(file)
  if (r.kind !== 'run') throw new UsageError(`${file} is a bench-file suite result: merge takes the results of llmbench run --shard i/n`)
  return r.doc
}

/** A records file (JSONL) starts with its run line. */
function isRecordsFile(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file} not found: pass the result files (or records files) of the shards`)
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(32)
    const n = readSync(fd, head, 0, head.length, 0)
    return /^\{"type":"run"/.test(head.toString('utf8', 0, n))
  } finally {
    closeSync(fd)
  }
}

/** The records file a shard's result names, found as written or beside the result. */
function recordsFileOf(file: string, r: RunResult): string {
  const omitted = r.levels.reduce((n, l) => n + (l.recordsOmitted ?? 0), 0)
  const named = r.recordsFile
  const candidates = named ? [named, join(dirname(file), basename(named))] : []
  const found = candidates.find((c) => existsSync(c))
  if (!found) {
    throw new UsageError(`${file} keeps a sample of its records (${omitted} left out) and its records file ${named ?? '(none was written)'} is not here: give the shards' records files (<output>.records.jsonl) to merge`)
  }
  return found
}
