/**
 * Checks of the prompt options where a config or bench file writes them (`input`, `output`,
 * `dataset`, `tokenizer`), their conversion to a PromptSpec, and the check of a PromptSpec itself.
 * Every failure is one UsageError line in the style of config/fields.ts:
 * `<where>: <key path> must be <what is expected>, got <value>`.
 */
import { isAbsolute, resolve } from 'node:path'
import { bool, checkKeys, fail, isObject, keyPath, nonEmptyString, oneOf, positiveNumber, wholeNumber, type Obj } from '../config/fields.js'
import { UsageError } from '../errors.js'
import { guessFormat } from './file-source.js'
import { lengthBounds } from './lengths.js'
import {
  FILE_FORMATS, RANGE_MODES, type FileFormat, type FileSpec, type LengthSpec, type PromptSpec,
  type RangeMode, type SyntheticSpec,
} from './prompt.js'

export interface InputOptions extends LengthSpec {
  /** Tokens every prompt starts with, the same text for all. */
  prefix?: { tokens: number }
  /** SGLang's generated-shared-prefix groups; `shuffle: false` keeps prompt i in group i mod count in order. */
  groups?: { count: number; systemTokens: number; shuffle?: boolean }
}

export type OutputOptions = LengthSpec

/** A dataset as a bench or config file writes it: a file spec whose format may be left to its name (the tokenizer is set apart). */
export type DatasetObject = Omit<FileSpec, 'kind' | 'format' | 'tokenizer'> & { format?: FileFormat }

/** The prompt options of a scenario as a config or bench file writes them. */
export interface PromptOptions {
  input?: InputOptions
  output?: OutputOptions
  /** A dataset file: its path (format from its name), or the path with options. */
  dataset?: string | DatasetObject
  /** Path of a Hugging Face tokenizer.json. */
  tokenizer?: string
}

const LENGTH_KEYS = ['tokens', 'spread', 'range']
const INPUT_KEYS = [...LENGTH_KEYS, 'prefix', 'groups']
const DATASET_KEYS = ['path', 'format', 'column', 'filters', 'multiTurn', 'outputTokens', 'speed', 'blockTokens', 'shuffle']
const FILTER_KEYS = ['minInput', 'minOutput', 'maxInput', 'maxTotal']
const SPEC_FILE_KEYS = ['kind', ...DATASET_KEYS, 'tokenizer']
const SPEC_SYNTHETIC_KEYS = ['kind', 'input', 'output', 'prefix', 'groups', 'tokenizer', 'shuffle']

/** The allowed spread for a range mode, as messages state it. */
export function spreadRange(mode: RangeMode): string {
  return mode === 'symmetric' ? '[0, 1)' : '[0, 1]'
}

export function spreadOk(mode: RangeMode, s: number): boolean {
  return Number.isFinite(s) && s >= 0 && (mode === 'symmetric' ? s < 1 : s <= 1)
}

function length(where: string, path: string, v: unknown, keys: string[]): LengthSpec {
  if (!isObject(v)) fail(where, path, 'an object like { tokens: 256 }', v)
  checkKeys(v, keys, where, path)
  wholeNumber(where, keyPath(path, 'tokens'), v.tokens, 1)
  const mode = v.range === undefined ? 'symmetric' : (oneOf(where, keyPath(path, 'range'), v.range, RANGE_MODES) as RangeMode)
  if (v.spread !== undefined && (typeof v.spread !== 'number' || !spreadOk(mode, v.spread))) {
    fail(where, keyPath(path, 'spread'), `a number in ${spreadRange(mode)}`, v.spread)
  }
  return v as unknown as LengthSpec
}

/** The shared prefix and group system prompt must leave at least one token in the shortest prompt. */
function sharedFits(where: string, path: string, input: LengthSpec, prefix: number, system: number): void {
  const [shortest] = lengthBounds(input)
  if (prefix + system >= shortest) {
    const what = system ? `${keyPath(path, 'prefix')}.tokens + ${keyPath(path, 'groups')}.systemTokens` : `${keyPath(path, 'prefix')}.tokens`
    throw new UsageError(`${where}: ${what} must be less than the shortest prompt (${shortest} tokens), got ${prefix + system}`)
  }
}

function prefixAndGroups(where: string, path: string, v: Obj, groupKeys: string[]): { prefix: number; system: number } {
  let prefix = 0
  let system = 0
  if (v.prefix !== undefined) {
    const p = keyPath(path, 'prefix')
    if (!isObject(v.prefix)) fail(where, p, 'an object like { tokens: 64 }', v.prefix)
    checkKeys(v.prefix, ['tokens'], where, p)
    prefix = wholeNumber(where, keyPath(p, 'tokens'), v.prefix.tokens, 1)
  }
  if (v.groups !== undefined) {
    const g = keyPath(path, 'groups')
    if (!isObject(v.groups)) fail(where, g, 'an object like { count: 8, systemTokens: 1024 }', v.groups)
    checkKeys(v.groups, groupKeys, where, g)
    wholeNumber(where, keyPath(g, 'count'), v.groups.count, 1)
    system = wholeNumber(where, keyPath(g, 'systemTokens'), v.groups.systemTokens, 1)
    if (v.groups.shuffle !== undefined) bool(where, keyPath(g, 'shuffle'), v.groups.shuffle)
  }
  return { prefix, system }
}

function dataset(where: string, path: string, v: unknown, keys: string[]): void {
  if (typeof v === 'string') {
    nonEmptyString(where, path, v)
    return
  }
  if (!isObject(v)) fail(where, path, "a path, or an object like { path: 'data.jsonl', format: 'jsonl' }", v)
  checkKeys(v, keys, where, path)
  const at = (key: string) => keyPath(path, key)
  nonEmptyString(where, at('path'), v.path)
  const format = v.format === undefined ? undefined : (oneOf(where, at('format'), v.format, FILE_FORMATS) as FileFormat)
  if (v.column !== undefined) nonEmptyString(where, at('column'), v.column)
  if (v.filters !== undefined) {
    if (!isObject(v.filters)) fail(where, at('filters'), 'an object like { maxInput: 1024, maxTotal: 2048 }', v.filters)
    checkKeys(v.filters, FILTER_KEYS, where, at('filters'))
    for (const [key, n] of Object.entries(v.filters)) wholeNumber(where, keyPath(at('filters'), key), n, 0)
  }
  if (v.multiTurn !== undefined) bool(where, at('multiTurn'), v.multiTurn)
  if (v.outputTokens !== undefined) wholeNumber(where, at('outputTokens'), v.outputTokens, 1)
  if (v.speed !== undefined) positiveNumber(where, at('speed'), v.speed, 'times the recorded rate')
  if (v.blockTokens !== undefined) wholeNumber(where, at('blockTokens'), v.blockTokens, 1)
  if (v.shuffle !== undefined) bool(where, at('shuffle'), v.shuffle)
  if (format === undefined) return
  const only = (key: string, formats: FileFormat[]) => {
    if (v[key] !== undefined && !formats.includes(format)) {
      throw new UsageError(`${where}: ${at(key)} applies to ${formats.join(' and ')} files, not to format "${format}"`)
    }
  }
  only('column', ['csv'])
  only('multiTurn', ['sharegpt', 'jsonl'])
  only('speed', ['trace'])
  only('blockTokens', ['trace'])
  if (format === 'trace' && v.filters !== undefined) throw new UsageError(`${where}: ${at('filters')} does not apply to a trace: every line is replayed`)
  if (format === 'trace' && v.shuffle === true) throw new UsageError(`${where}: ${at('shuffle')} cannot be true for a trace: its lines are replayed in order`)
}

/**
 * Checks `input`, `output`, `dataset` and `tokenizer` of a scenario's options. `where` names the
 * file, `prefix` the key path above the options (`defaults`).
 */
export function checkPromptOptions(value: { input?: unknown; output?: unknown; dataset?: unknown; tokenizer?: unknown }, where: string, prefix: string): void {
  const at = (key: string) => keyPath(prefix, key)
  if (value.input !== undefined) {
    const input = length(where, at('input'), value.input, INPUT_KEYS)
    const { prefix: p, system } = prefixAndGroups(where, at('input'), value.input as Obj, ['count', 'systemTokens', 'shuffle'])
    if (p + system > 0) sharedFits(where, at('input'), input, p, system)
  }
  if (value.output !== undefined) length(where, at('output'), value.output, LENGTH_KEYS)
  if (value.dataset !== undefined) dataset(where, at('dataset'), value.dataset, DATASET_KEYS)
  if (value.tokenizer !== undefined) nonEmptyString(where, at('tokenizer'), value.tokenizer)
}

/**
 * The PromptSpec of checked options. Paths are resolved against `baseDir` (the config's or bench
 * file's folder); a dataset's format comes from its name when not given. With a dataset, `input`
 * is not used and `output` only where the dataset names no output length.
 */
export function promptSpecFromOptions(options: PromptOptions & { input: LengthSpec; output: LengthSpec }, baseDir: string, where: string): PromptSpec {
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
  const format = d.format ?? guessFormatOrFail(path, () => `${where}: cannot tell the format of ${d.path} from its name: set dataset.format to one of ${FILE_FORMATS.join(', ')}`)
  return { kind: 'file', ...d, path, format, ...tokenizer }
}

export function guessFormatOrFail(path: string, message: () => string): FileFormat {
  let format: FileFormat | undefined
  try {
    format = guessFormat(path)
  } catch {
    format = undefined // an unreadable file is reported when it is loaded, with the reason
  }
  if (!format) throw new UsageError(message())
  return format
}

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

/** Checks a PromptSpec as loadPrompts receives it (a program may build one by hand). */
export function checkPromptSpec(spec: unknown, where = 'prompt spec'): asserts spec is PromptSpec {
  if (!isObject(spec)) fail(where, 'the spec', "an object with kind 'synthetic' or 'file'", spec)
  const kind = oneOf(where, 'kind', spec.kind, ['synthetic', 'file'])
  if (spec.tokenizer !== undefined) nonEmptyString(where, 'tokenizer', spec.tokenizer)
  if (spec.shuffle !== undefined) bool(where, 'shuffle', spec.shuffle)
  if (kind === 'file') {
    checkKeys(spec, SPEC_FILE_KEYS, where, '')
    oneOf(where, 'format', spec.format, FILE_FORMATS)
    const { kind: _, tokenizer: __, ...rest } = spec
    dataset(where, '', rest, DATASET_KEYS)
    return
  }
  checkKeys(spec, SPEC_SYNTHETIC_KEYS, where, '')
  const input = length(where, 'input', spec.input, LENGTH_KEYS)
  length(where, 'output', spec.output, LENGTH_KEYS)
  const { prefix, system } = prefixAndGroups(where, '', spec, ['count', 'systemTokens'])
  if (prefix + system > 0) sharedFits(where, '', input, prefix, system)
}
