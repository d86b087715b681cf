/**
 * Flags that belong to a command rather than to a scenario or the config: where `llmbench run`
 * writes, whether it starts the simulator, which bench files and scenarios `npx llmbench` runs.
 */
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { nonEmpty } from './values.js'
import { FIGURE_NAMES, TURN_FIGURE, type FigureName } from './vocabulary.js'

const run = ['run'] as const

/** A figure name: one of the list, or a turn figure (`turn2.ttft.p95`, a pattern no list holds). */
const figureName = z.union([z.enum(FIGURE_NAMES), z.string().regex(TURN_FIGURE)]) as unknown as z.ZodType<FigureName, FigureName>
const bench = ['bench'] as const

export const runCommandShape = {
  simulate: option(z.boolean(), {
    description: 'Start the built-in simulator in a child process on a free port and run against it (ignores --server)',
    default: false,
    flags: [{ name: 'simulate', commands: run }],
  }),
  simulatorArgs: option(nonEmpty(), {
    description: 'Flags for the simulator --simulate starts (those of llmbench simulate, without their dashes, in one quoted string; implies --simulate), e.g. "prefix-cache-tokens=4096 step-jitter=0.1 quirks=reasoning"',
    flags: [{ name: 'simulator-args', commands: run, placeholder: 'FLAGS' }],
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

/** `--tolerance 5%` (every relative figure) or `--tolerance ttft.p99=10%` (one figure; `2pp` for goodput and errors.rate). */
export function toleranceFlag(text: string): Record<string, number> {
  const m = /^\s*(?:([A-Za-z][\w]*(?:\.\w+)*)\s*=\s*)?([0-9]*\.?[0-9]+)\s*(%|pp)?\s*$/.exec(text)
  if (!m) throw new Error(`must be a share such as 5% (every figure) or ttft.p99=10% (one figure; 2pp for goodput and errors.rate), got "${text}"`)
  const n = Number(m[2])
  const value = m[3] ? n / 100 : n
  if (!(value > 0 && value < 1)) throw new Error(`must be above 0% and below 100%, got "${text}"`)
  return { [m[1] ?? 'default']: value }
}

const compare = ['compare'] as const
const listOf = (text: string) => text.split(/[,\s]+/).filter(Boolean)

/** `llmbench compare` (docs/verdicts.md), and the gates that compare as runs finish (`--baseline`). */
export const compareCommandShape = {
  tolerance: option(expecting(z.record(z.string(), z.number().gt(0).lt(1)), 'shares between 0 and 1 by figure (default for the rest)'), {
    description: 'How much a figure may change and still be equivalent: 5% (a factor of 1.05 either way) for every latency and throughput, or per figure',
    defaultText: '5%; 2pp goodput, 1pp errors.rate',
    flags: [{ name: 'tolerance', parse: toleranceFlag, repeatable: true, commands: ['compare', 'run', 'bench'], placeholder: '5%|FIGURE=10%' }],
  }),
  confidence: option(expecting(z.number().gt(0).lt(1), 'a confidence between 0 and 1, e.g. 0.95'), {
    description: 'Confidence that no regressed or improved verdict of the whole comparison is wrong (each figure gets its share: Bonferroni)',
    default: 0.95,
    flags: [{ name: 'confidence', commands: compare, placeholder: 'C' }],
  }),
  metrics: option(expecting(z.array(figureName).min(1), 'figure names such as ttft.p99,throughput.output'), {
    description: 'The figures to compare (default: TTFT, TPOT, ITL and E2E at p50/p90/p99, request and output throughput, goodput, error rate)',
    flags: [{ name: 'metrics', parse: listOf, commands: compare, placeholder: 'LIST' }],
  }),
  primary: option(expecting(z.array(figureName).min(1), 'figure names such as ttft.p99'), {
    description: 'Figures that decide: the confidence is spent on them alone (the others are shown, marked secondary)',
    flags: [{ name: 'primary', parse: listOf, commands: ['compare', 'run', 'bench'], placeholder: 'LIST' }],
  }),
  json: option(nonEmpty(), {
    description: 'Write the verdict document (every figure, change, interval and verdict) to this JSON file',
    flags: [{ name: 'json', commands: compare, placeholder: 'FILE' }],
  }),
} as const

export const compareCommandSchema = z.strictObject(compareCommandShape)
export type CompareSettings = z.output<typeof compareCommandSchema>
