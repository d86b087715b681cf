/**
 * Synthetic prompts of an exact token length. Words are drawn with a seeded PRNG so every prompt
 * differs (a server's prefix cache must not turn the benchmark into a cache test) while a run
 * stays reproducible.
 */
import { BUILTIN_TOKENIZER, type TextTokenizer } from './tokenizer.js'
import { mulberry32 } from '../random.js'

export const WORDS = (
  'time year people way day man thing woman life child world school state family student group ' +
  'country problem hand part place case week company system program question work government number ' +
  'night point home water room mother area money story fact month lot right study book eye job word ' +
  'business issue side kind head house service friend father power hour game line end member law car ' +
  'city community name president team minute idea kid body information back parent face others level ' +
  'office door health person art war history party result change morning reason research girl guy ' +
  'moment air teacher force education foot boy age policy process music market sense nation plan ' +
  'college interest death experience effect use class control care field development role effort rate ' +
  'heart drug show leader light voice wife police mind price report decision son view relationship town ' +
  'road arm difference value building action model season society tax director position player record ' +
  'paper space ground form event official matter center couple site project activity star table need ' +
  'court oil situation cost industry figure street image phone data picture practice piece land product ' +
  'doctor wall patient worker news test movie north love support technology step baby computer type ' +
  'attention film tree source organization hair window evidence population truth song energy'
).split(' ')

export interface SyntheticPrompt {
  text: string
  /** The prompt's length in tokens by llmbench's tokenizer (the server's count may differ). */
  tokens: number
}

/** `count` prompts of exactly `tokens` tokens each (by llmbench's tokenizer, or `tokenizer`). */
export function syntheticPrompts(count: number, tokens: number, seed = 0, tokenizer: TextTokenizer = BUILTIN_TOKENIZER): SyntheticPrompt[] {
  const rand = mulberry32(seed)
  const out: SyntheticPrompt[] = []
  for (let i = 0; i < count; i++) out.push(syntheticPrompt(tokens, rand, tokenizer))
  return out
}

function syntheticPrompt(tokens: number, rand: () => number, tok: TextTokenizer): SyntheticPrompt {
  if (tokens <= 0) return { text: '', tokens: 0 }
  // Space-led common words are one token each in BPE vocabularies; the exact count is then
  // checked and corrected by trimming or padding at the token level.
  const parts: string[] = []
  for (let i = 0; i < tokens; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)])
  let text = parts.join(' ')
  let ids = tok.encode(text)
  while (ids.length < tokens) {
    text += ' ' + WORDS[Math.floor(rand() * WORDS.length)]
    ids = tok.encode(text)
  }
  if (ids.length > tokens) {
    text = tok.decode(ids.slice(0, tokens))
  }
  return { text, tokens: tok.count(text) }
}

/**
 * Token ids of space-led random words, grown on demand: `text(n)` is a prefix of `text(n + k)`, so
 * a prompt's length can be searched for without changing the words it starts with. `head` ids
 * (trace hash blocks) come first.
 */
export class TokenStream {
  private readonly tokens: number[]

  constructor(private readonly tok: TextTokenizer, private readonly rand: () => number, head: readonly number[] = []) {
    this.tokens = [...head]
  }

  /** The first `n` token ids. */
  ids(n: number): number[] {
    while (this.tokens.length < n) {
      const words: string[] = []
      for (let i = Math.max(16, n - this.tokens.length); i > 0; i--) words.push(WORDS[Math.floor(this.rand() * WORDS.length)])
      for (const id of this.tok.encode(' ' + words.join(' '))) this.tokens.push(id)
    }
    return this.tokens.slice(0, n)
  }

  text(n: number): string {
    return n > 0 ? this.tok.decode(this.ids(n)) : ''
  }
}

/** `shared` followed by the stream's first `n` tokens; a prompt without shared text starts with a word. */
export function joinText(shared: string, stream: TokenStream, n: number): string {
  const body = stream.text(n)
  return shared === '' ? body.trimStart() : shared + body
}

/**
 * `shared` plus as much of the stream as makes exactly `target` tokens by `tok`. Tokenizers that do
 * not split at spaces may merge across the joint: the body length is corrected a few times; the
 * closest text is kept if none is exact (its true count is returned).
 */
export function exactText(tok: TextTokenizer, shared: string, stream: TokenStream, target: number): { text: string; tokens: number; body: number } {
  let n = Math.max(0, target - (shared ? tok.count(shared) : 0))
  let best: { text: string; tokens: number; body: number } | undefined
  for (let round = 0; round < 8; round++) {
    const text = joinText(shared, stream, n)
    const tokens = tok.count(text)
    if (!best || Math.abs(tokens - target) < Math.abs(best.tokens - target)) best = { text, tokens, body: n }
    if (tokens === target) break
    const next = Math.max(0, n + target - tokens)
    if (next === n) break
    n = next
  }
  return best!
}
