/**
 * The prompt options of a scenario (`input`, `output`, `dataset`, `tokenizer`, declared in
 * options/scenario.ts) as a PromptSpec, and the check of a PromptSpec a program builds by hand.
 * Rules that need the file (its format guessed from its name) or the lengths drawn from a range are
 * checked here and say so with an OptionError naming the key.
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { statSync } from 'node:fs'
import * as z from 'zod'
import { check, keyNaming, OptionError } from '../options/check.js'
import { datasetObject, formatMismatch, length, type BenchOptions } from '../options/scenario.js'
import { FILE_FORMATS } from '../options/vocabulary.js'
import { guessFormat } from './file-source.js'
import { sharedPrefixTooLong } from '../options/lengths.js'
import type { FileFormat, LengthSpec, PromptSpec, SyntheticSpec } from './prompt.js'

export type InputOptions = NonNullable<BenchOptions['input']>
export type OutputOptions = NonNullable<BenchOptions['output']>
/** A dataset as a bench or config file writes it: a file spec whose format may be left to its name. */
export type DatasetObject = Exclude<NonNullable<BenchOptions['dataset']>, string>
/** The prompt options of a scenario as a config or bench file writes them. */
export type PromptOptions = Pick<BenchOptions, 'input' | 'output' | 'dataset' | 'tokenizer'>

/**
 * The PromptSpec of checked options. Paths are resolved against `baseDir` (the config's or bench
 * file's folder); a dataset's format comes from its name when not given. With a dataset, `input`
 * is not used and `output` only where the dataset names no output length.
 */
export function promptSpecFromOptions(options: PromptOptions & { input: LengthSpec; output: LengthSpec }, baseDir: string): PromptSpec {
  const tokenizer = options.tokenizer === undefined ? {} : { tokenizer: resolvePath(baseDir, options.tokenizer) }
  if (options.dataset === undefined) {
    const { prefix, groups, ...input } = options.input as InputOptions
    const spec: SyntheticSpec = { kind: 'synthetic', input, output: { ...options.output }, ...tokenizer }
    if (prefix) spec.prefix = { tokens: prefix.tokens }
    if (groups) {
      spec.groups = { count: groups.count, systemTokens: groups.systemTokens }
      if (groups.shuffle !== undefined) spec.shuffle = groups.shuffle
    }
    return spec
  }
  const d: DatasetObject = typeof options.dataset === 'string' ? { path: options.dataset } : options.dataset
  const path = resolvePath(baseDir, d.path)
  const format = d.format ?? guessFormatOrFail(path, d.path)
  const wrong = formatMismatch(d, format)
  if (wrong) throw new OptionError(['dataset', wrong.key], wrong.message)
  return { kind: 'file', ...d, path, format, ...tokenizer }
}

function guessFormatOrFail(path: string, written: string): FileFormat {
  let format: FileFormat | undefined
  try {
    format = guessFormat(path)
  } catch {
    format = undefined // an unreadable file is reported when it is loaded, with the reason
  }
  if (!format) throw new OptionError(['dataset', 'path'], `cannot tell the format of ${written} from its name (pass {@format} ${FILE_FORMATS.join('|')})`, true)
  return format
}

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

/** Checks that the files the options name exist, before anything is sent (the command line does, to fail at once). */
export function checkPromptFiles(options: PromptOptions, baseDir: string): void {
  const dataset = typeof options.dataset === 'string' ? options.dataset : options.dataset?.path
  if (dataset !== undefined) existingFile(['dataset', 'path'], resolvePath(baseDir, dataset), 'give a path to a ShareGPT JSON, JSONL, CSV or text file')
  if (options.tokenizer !== undefined) existingFile(['tokenizer'], resolvePath(baseDir, options.tokenizer), 'give the path of a Hugging Face tokenizer.json')
}

function existingFile(key: string[], path: string, fix: string): void {
  const rel = relative(process.cwd(), path)
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch {
    throw new OptionError(key, `no such file ${shown} (${fix})`, true)
  }
  if (!isFile) throw new OptionError(key, `${shown} is not a file (${fix})`, true)
}

const syntheticSpec = z.strictObject({
  kind: z.literal('synthetic'),
  input: length(),
  output: length(),
  prefix: z.strictObject({ tokens: z.int().min(1) }).optional(),
  groups: z.strictObject({ count: z.int().min(1), systemTokens: z.int().min(1) }).optional(),
  tokenizer: z.string().optional(),
  shuffle: z.boolean().optional(),
}).superRefine((s, ctx) => {
  const long = sharedPrefixTooLong(s.input, s.prefix?.tokens ?? 0, s.groups?.systemTokens ?? 0, 'input')
  if (long) ctx.addIssue({ code: 'custom', path: long.path, input: s, message: long.message })
})
const fileSpec = datasetObject.safeExtend({ kind: z.literal('file'), format: z.enum(FILE_FORMATS), tokenizer: z.string().optional() })
const promptSpec = z.discriminatedUnion('kind', [syntheticSpec, fileSpec])

/** Checks a PromptSpec as loadPrompts receives it (a program may build one by hand). */
export function checkPromptSpec(spec: unknown, where = 'prompt spec'): asserts spec is PromptSpec {
  check(promptSpec, spec, keyNaming(where))
}
