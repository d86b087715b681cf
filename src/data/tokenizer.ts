/**
 * Token counting for prompts and estimates. gpt-tokenizer's o200k BPE stands in for the
 * server's tokenizer unless the user names a Hugging Face tokenizer.json: the record prefers the
 * server's own `usage` counts whenever it sends them.
 *
 * Loading the o200k tables costs about 0.4 s of CPU and 40 MB (a 2.4 MB module of 200,000 ranks,
 * then a Map of them), so they load on the first text that needs them, never at start-up. Texts
 * made only of the synthetic prompts' words (word-pieces.ts: each word's ids, generated from the
 * same tables) are counted, encoded and decoded without them, exactly as the BPE would.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { O200K_PARTS, O200K_PIECES } from './word-pieces.js'

export const TOKENIZER_NAME = 'o200k_base'

interface Bpe {
  encode(text: string): number[]
  decode(ids: number[]): string
  countTokens(text: string): number
}

let bpe: Bpe | undefined

/** gpt-tokenizer's o200k_base, loaded (synchronously, its CommonJS build) on first use. */
function o200k(): Bpe {
  return (bpe ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Bpe)
}

/**
 * Loads the o200k tables now: before a measured phase that may count a text the word table does
 * not know (a response without usage), so that no request waits the 0.4 s of loading them.
 */
export function preloadTokenizer(): void {
  o200k()
}

/** Whether the o200k tables are loaded (for tests and the start-up benchmark). */
export function tokenizerLoaded(): boolean {
  return bpe !== undefined
}

let pieceIds: Map<string, readonly number[]> | undefined
let idText: Map<number, string> | undefined

function wordTables(): void {
  if (pieceIds) return
  pieceIds = new Map()
  idText = new Map(O200K_PARTS)
  for (const [piece, ...ids] of O200K_PIECES) {
    pieceIds.set(piece, ids)
    if (ids.length === 1) idText.set(ids[0], piece)
  }
}

/**
 * Words of lower-case letters separated by single spaces, optionally led by one: o200k's
 * pre-tokenizer splits such a text into `word` then ` word` pieces, and a piece found whole in the
 * vocabulary is that one token (word-pieces.ts holds what the BPE makes of each).
 */
const WORD_TEXT = /^ ?[a-z]+(?: [a-z]+)*$/

/** The ids of a text of known words, or undefined when the BPE must decide. */
function wordIds(text: string): number[] | undefined {
  if (!WORD_TEXT.test(text)) return undefined
  wordTables()
  const out: number[] = []
  let start = 0
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 32) continue
    const ids = pieceIds!.get(text.slice(start, i))
    if (!ids) return undefined
    for (const id of ids) out.push(id)
    start = i
  }
  return out
}

export function countTokens(text: string): number {
  if (text === '') return 0
  return wordIds(text)?.length ?? o200k().countTokens(text)
}

export function encodeText(text: string): number[] {
  if (text === '') return []
  return wordIds(text) ?? o200k().encode(text)
}

export function decodeTokens(tokens: number[]): string {
  wordTables()
  let text = ''
  for (const id of tokens) {
    const piece = idText!.get(id)
    if (piece === undefined) return o200k().decode(tokens)
    text += piece
  }
  return text
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
