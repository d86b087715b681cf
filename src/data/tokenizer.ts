/**
 * Token counting for prompts and estimates. gpt-tokenizer's o200k BPE stands in for the
 * server's tokenizer unless the user names a Hugging Face tokenizer.json: the record prefers the
 * server's own `usage` counts whenever it sends them.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { encode, decode, countTokens as count } from 'gpt-tokenizer/encoding/o200k_base'
import { UsageError } from '../errors.js'

export const TOKENIZER_NAME = 'o200k_base'

export function countTokens(text: string): number {
  return count(text)
}

export function encodeText(text: string): number[] {
  return encode(text)
}

export function decodeTokens(tokens: number[]): string {
  return decode(tokens)
}

export interface TextTokenizer {
  /** `o200k_base`, or the tokenizer.json path as given. */
  readonly name: string
  encode(text: string): number[]
  decode(ids: number[]): string
  count(text: string): number
}

export const BUILTIN_TOKENIZER: TextTokenizer = { name: TOKENIZER_NAME, encode: encodeText, decode: decodeTokens, count: countTokens }

const loaded = new Map<string, TextTokenizer>()

/**
 * The built-in tokenizer, or a Hugging Face tokenizer.json (and the tokenizer_config.json beside it,
 * when there is one). Counts leave out special tokens (BOS): they are the prompt text's tokens;
 * calibration against the server's /tokenize accounts for what the server adds.
 */
export function loadTokenizer(path?: string): TextTokenizer {
  if (path === undefined) return BUILTIN_TOKENIZER
  const full = resolve(path)
  let tokenizer = loaded.get(full)
  if (!tokenizer) {
    tokenizer = readHfTokenizer(path, full)
    loaded.set(full, tokenizer)
  }
  return tokenizer
}

function readHfTokenizer(path: string, full: string): TextTokenizer {
  const problem = (what: string) =>
    new UsageError(`tokenizer ${path}: ${what} (give the path of a Hugging Face tokenizer.json, e.g. from the model's repository)`)
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw problem(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? (err as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw problem(`not valid JSON: ${(err as Error).message.split('\n')[0]}`)
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !('model' in json)) {
    throw problem('not a tokenizer.json: it has no "model"')
  }
  let hf: InstanceType<HfModule['Tokenizer']>
  try {
    hf = new (hfModule().Tokenizer)(json, readConfig(join(dirname(full), 'tokenizer_config.json')))
    hf.encode('probe', { add_special_tokens: false })
  } catch (err) {
    throw problem(`not usable: ${(err as Error).message.split('\n')[0]}`)
  }
  const encodeIds = (s: string) => hf.encode(s, { add_special_tokens: false }).ids
  return {
    name: path,
    encode: encodeIds,
    decode: (ids) => hf.decode(ids, { skip_special_tokens: false }),
    count: (s) => encodeIds(s).length,
  }
}

type HfModule = typeof import('@huggingface/tokenizers')

/** Loaded on first use: most runs never name a tokenizer.json, and every process counts tokens. */
function hfModule(): HfModule {
  return createRequire(import.meta.url)('@huggingface/tokenizers') as HfModule
}

/** tokenizer_config.json is optional: without it the tokenizer.json alone decides. */
function readConfig(path: string): object {
  try {
    const config = JSON.parse(readFileSync(path, 'utf8'))
    return config !== null && typeof config === 'object' && !Array.isArray(config) ? config : {}
  } catch {
    return {}
  }
}
