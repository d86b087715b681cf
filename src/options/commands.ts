/**
 * Flags that belong to a command rather than to a scenario or the config: where `llmbench run`
 * writes, whether it starts the simulator, which bench files and scenarios `npx llmbench` runs.
 */
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { nonEmpty } from './values.js'

const run = ['run'] as const
const bench = ['bench'] as const

export const runCommandShape = {
  simulate: option(z.boolean(), {
    description: 'Start the built-in simulator in a child process on a free port and run against it (ignores --server)',
    default: false,
    flags: [{ name: 'simulate', commands: run }],
  }),
  output: option(nonEmpty(), {
    description: 'Write the result JSON to this file',
    flags: [{ name: 'output', alias: 'o', commands: ['run', 'merge'], placeholder: 'FILE' }],
  }),
  records: option(expecting(z.union([nonEmpty(), z.literal(false)]), 'a path, or false'), {
    description: "Append every request's record to this JSONL file as it ends (default with --output: <output>.records.jsonl; --no-records to skip); rebuild with llmbench report --from",
    flags: [{ name: 'records', raw: true, commands: run, placeholder: 'FILE' }],
  }),
  html: option(z.string(), {
    description: 'Write the HTML report into this folder (--html alone: llmbench-report)',
    flags: [{ name: 'html', commands: ['run', 'merge'], placeholder: '[DIR]' }],
  }),
  shard: option(expecting(z.string().regex(/^\s*\d+\s*\/\s*\d+\s*$/), 'I/N with 0 <= I < N, e.g. 0/4'), {
    description: 'Run shard I of N (e.g. 0/4): this process applies its share of every level; merge the shards with llmbench merge',
    flags: [{ name: 'shard', commands: run, placeholder: 'I/N' }],
  }),
  startAt: option(expecting(z.string().refine((t) => Number.isFinite(/^\s*\d+\s*$/.test(t) ? Number(t) : Date.parse(t))), 'a time such as 2026-12-01T10:00:00Z or epoch milliseconds'), {
    description: 'Wall-clock time the first level starts (ISO 8601 or epoch ms), so shards begin together',
    flags: [{ name: 'start-at', commands: run, placeholder: 'TIME' }],
  }),
} as const

export const benchCommandShape = {
  testNamePattern: option(
    expecting(z.string().refine((t) => { try { new RegExp(t); return true } catch { return false } }), 'a valid regular expression'),
    { description: 'Run only scenarios whose name (describe path included) matches this regular expression', flags: [{ name: 'testNamePattern', alias: 't', commands: bench, placeholder: 'RE' }] },
  ),
  config: option(nonEmpty(), {
    description: 'Config file (default: llmbench.config.* found in --root)',
    flags: [{ name: 'config', alias: 'c', commands: bench, placeholder: 'FILE' }],
  }),
  root: option(nonEmpty(), {
    description: 'Project root (default: the current folder)',
    flags: [{ name: 'root', alias: 'r', commands: bench, placeholder: 'DIR' }],
  }),
  list: option(z.boolean(), {
    description: 'Print the scenarios the filters select, without running them',
    flags: [{ name: 'list', commands: bench }],
  }),
  passWithNoTests: option(z.boolean(), {
    description: 'Exit 0 when the filters select no scenario (otherwise that is a failure, exit 1)',
    flags: [{ name: 'pass-with-no-tests', commands: bench }],
  }),
} as const

export const runCommandSchema = z.strictObject(runCommandShape)
export const benchCommandSchema = z.strictObject(benchCommandShape)
