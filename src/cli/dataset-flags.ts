/**
 * The prompt flags of `llmbench run`: synthetic ranges, shared prefixes and groups, dataset files,
 * trace replay and the tokenizer (docs/datasets.md). toPromptSpec turns them into a PromptSpec;
 * each mistake is one UsageError line naming the flag.
 */
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { lengthBounds } from '../data/lengths.js'
import {
  FILE_FORMATS, RANGE_MODES, type FileFormat, type FileSpec, type LengthFilters, type LengthSpec, type PromptSpec,
  type RangeMode, type SyntheticSpec,
} from '../data/prompt.js'
import { guessFormatOrFail, spreadOk, spreadRange } from '../data/spec-check.js'
import { nonNegativeInt, positiveInt, positiveNumber } from './parse.js'

const DATASET_FIX = 'give a path to a ShareGPT JSON, JSONL, CSV or text file'

export function datasetOptions<T>(y: Argv<T>) {
  return y
    .option('dataset', { type: 'string', describe: 'Prompts from a file: ShareGPT JSON, JSONL ({"prompt"} or {"messages"}), CSV, text (a prompt per line) or a Mooncake trace' })
    .option('dataset-format', { type: 'string', choices: FILE_FORMATS, describe: 'Format of --dataset (default: from its name; .jsonl with "timestamp" and "input_length" is a trace)' })
    .option('dataset-column', { type: 'string', describe: 'CSV column holding the prompt (default: prompt)' })
    .option('dataset-output-len', { type: 'number', describe: 'Output tokens for every dataset prompt, instead of the lengths the file gives' })
    .option('multi-turn', { type: 'boolean', describe: 'ShareGPT/JSONL: every user turn is a prompt carrying the conversation so far (the dataset\'s replies)' })
    .option('shuffle', { type: 'boolean', describe: 'Seeded shuffle of dataset records and synthetic groups (default: on; --no-shuffle keeps file order)' })
    .option('sharegpt-min-input', { type: 'number', describe: 'Drop prompts shorter than this many tokens (ShareGPT default 4; 0: off)' })
    .option('sharegpt-min-output', { type: 'number', describe: 'Drop prompts whose reply is shorter than this many tokens (ShareGPT default 4; 0: off)' })
    .option('sharegpt-max-input', { type: 'number', describe: 'Drop prompts longer than this many tokens (ShareGPT default 1024; 0: off)' })
    .option('sharegpt-max-total', { type: 'number', describe: 'Drop prompts whose input + output exceeds this many tokens (ShareGPT default 2048; 0: off)' })
    .option('trace-speed', { type: 'number', describe: 'Trace replay speed factor: 2 sends at twice the recorded rate (default 1)' })
    .option('trace-block-len', { type: 'number', describe: 'Tokens per trace hash block (default 512, as in Mooncake traces)' })
    .option('input-spread', { type: 'number', describe: 'Draw each prompt length from a range around --input-len (see --range-mode)' })
    .option('output-spread', { type: 'number', describe: 'Draw each output length from a range around --output-len (see --range-mode)' })
    .option('range-mode', { type: 'string', choices: RANGE_MODES, describe: 'symmetric (vLLM): [L(1-s), L(1+s)], s in [0, 1); min-ratio (SGLang): [L*s, L], s in [0, 1]' })
    .option('prefix-len', { type: 'number', describe: 'The first N tokens of every synthetic prompt are the same text (prefix-cache tests)' })
    .option('groups', { type: 'number', describe: 'Synthetic prompts in N groups, each group sharing a system prompt of --group-system-len tokens' })
    .option('group-system-len', { type: 'number', describe: 'Tokens of each group\'s shared system prompt (with --groups)' })
    .option('tokenizer', { type: 'string', describe: 'A Hugging Face tokenizer.json to count and generate prompts with (default: built-in o200k)' })
}

type Args = Record<string, unknown>

const given = (a: Args, key: string) => a[key] !== undefined

function spread(flag: string, value: unknown, mode: RangeMode): number {
  const s = typeof value === 'number' ? value : Number(String(value).trim())
  if (!spreadOk(mode, s)) throw new UsageError(`${flag} must be a number in ${spreadRange(mode)} with --range-mode ${mode}, got "${value}"`)
  return s
}

function lengthSpec(tokens: number, a: Args, flag: string, key: string, mode: RangeMode): LengthSpec {
  const spec: LengthSpec = { tokens }
  if (given(a, key)) {
    spec.spread = spread(flag, a[key], mode)
    spec.range = mode
  }
  return spec
}

/**
 * The PromptSpec of `llmbench run`'s flags. `inputLen` and `outputLen` are the checked
 * --input-len and --output-len.
 */
export function toPromptSpec(a: Args, inputLen: number, outputLen: number): PromptSpec {
  const tokenizer = given(a, 'tokenizer') ? { tokenizer: existingFile('--tokenizer', a.tokenizer, 'give the path of a Hugging Face tokenizer.json') } : {}
  if (!given(a, 'dataset')) {
    for (const flag of ['dataset-format', 'dataset-column', 'dataset-output-len', 'multi-turn', 'sharegpt-min-input', 'sharegpt-min-output', 'sharegpt-max-input', 'sharegpt-max-total', 'trace-speed', 'trace-block-len']) {
      if (given(a, camel(flag))) throw new UsageError(`--${flag} applies to a dataset file: pass --dataset <path> too`)
    }
    return syntheticSpec(a, inputLen, outputLen, tokenizer)
  }
  for (const flag of ['input-spread', 'output-spread', 'range-mode', 'prefix-len', 'groups', 'group-system-len']) {
    if (given(a, camel(flag))) throw new UsageError(`--${flag} applies to synthetic prompts, not to --dataset`)
  }
  const path = existingFile('--dataset', a.dataset, DATASET_FIX)
  const format = given(a, 'datasetFormat') ? (a.datasetFormat as FileFormat)
    : guessFormatOrFail(path, () => `--dataset: cannot tell the format of ${String(a.dataset)} from its name (pass --dataset-format ${FILE_FORMATS.join('|')})`)
  const spec: FileSpec = { kind: 'file', path, format, ...tokenizer }
  const only = (flag: string, formats: FileFormat[]) => {
    if (given(a, camel(flag)) && !formats.includes(format)) throw new UsageError(`--${flag} applies to ${formats.join(' and ')} files, not to --dataset-format ${format}`)
  }
  only('dataset-column', ['csv'])
  only('multi-turn', ['sharegpt', 'jsonl'])
  only('trace-speed', ['trace'])
  only('trace-block-len', ['trace'])
  if (given(a, 'datasetColumn')) spec.column = nonEmpty('--dataset-column', a.datasetColumn)
  if (given(a, 'datasetOutputLen')) spec.outputTokens = positiveInt('--dataset-output-len', a.datasetOutputLen)
  if (given(a, 'multiTurn')) spec.multiTurn = a.multiTurn === true
  if (given(a, 'traceSpeed')) spec.speed = positiveNumber('--trace-speed', a.traceSpeed)
  if (given(a, 'traceBlockLen')) spec.blockTokens = positiveInt('--trace-block-len', a.traceBlockLen)
  if (given(a, 'shuffle')) {
    if (format === 'trace' && a.shuffle === true) throw new UsageError('--shuffle cannot be used with a trace: its lines are replayed in order')
    spec.shuffle = a.shuffle === true
  }
  const filters: LengthFilters = {}
  for (const [flag, key] of [['sharegpt-min-input', 'minInput'], ['sharegpt-min-output', 'minOutput'], ['sharegpt-max-input', 'maxInput'], ['sharegpt-max-total', 'maxTotal']] as const) {
    if (given(a, camel(flag))) filters[key] = nonNegativeInt(`--${flag}`, a[camel(flag)])
  }
  if (Object.keys(filters).length) {
    if (format === 'trace') throw new UsageError('--sharegpt-* filters do not apply to a trace: every line is replayed')
    spec.filters = filters
  }
  return spec
}

function syntheticSpec(a: Args, inputLen: number, outputLen: number, tokenizer: { tokenizer?: string }): SyntheticSpec {
  const mode = (given(a, 'rangeMode') ? a.rangeMode : 'symmetric') as RangeMode
  if (given(a, 'rangeMode') && !given(a, 'inputSpread') && !given(a, 'outputSpread')) {
    throw new UsageError('--range-mode says how --input-spread and --output-spread are read: pass one of them too')
  }
  const spec: SyntheticSpec = {
    kind: 'synthetic',
    input: lengthSpec(inputLen, a, '--input-spread', 'inputSpread', mode),
    output: lengthSpec(outputLen, a, '--output-spread', 'outputSpread', mode),
    ...tokenizer,
  }
  const [shortest] = lengthBounds(spec.input)
  let shared = 0
  if (given(a, 'prefixLen')) {
    shared = positiveInt('--prefix-len', a.prefixLen)
    spec.prefix = { tokens: shared }
  }
  if (given(a, 'groups') !== given(a, 'groupSystemLen')) throw new UsageError('--groups and --group-system-len go together: pass both, e.g. --groups 8 --group-system-len 1024')
  if (given(a, 'groups')) {
    const systemTokens = positiveInt('--group-system-len', a.groupSystemLen)
    spec.groups = { count: positiveInt('--groups', a.groups), systemTokens }
    shared += systemTokens
  }
  if (shared > 0 && shared >= shortest) {
    const what = spec.prefix && spec.groups ? '--prefix-len + --group-system-len' : spec.prefix ? '--prefix-len' : '--group-system-len'
    throw new UsageError(`${what} must be less than the shortest prompt (${shortest} tokens from --input-len${spec.input.spread ? ' and --input-spread' : ''}), got ${shared}`)
  }
  if (given(a, 'shuffle')) spec.shuffle = a.shuffle === true
  return spec
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

function nonEmpty(flag: string, value: unknown): string {
  const text = String(value ?? '').trim()
  if (!text) throw new UsageError(`${flag} needs a value`)
  return text
}

function existingFile(flag: string, value: unknown, fix: string): string {
  const path = nonEmpty(flag, value)
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch {
    throw new UsageError(`${flag}: no such file ${path} (${fix})`)
  }
  if (!isFile) throw new UsageError(`${flag}: ${path} is not a file (${fix})`)
  return resolve(path)
}
