/**
 * Synthetic prompts of an exact token length. Words are drawn with a seeded PRNG so every prompt
 * differs (a server's prefix cache must not turn the benchmark into a cache test) while a run
 * stays reproducible.
 */
import { countTokens, decodeTokens, encodeText } from './tokenizer.js'
import { mulberry32 } from './random.js'

const WORDS = (
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

/** `count` prompts of exactly `tokens` tokens each (by llmbench's tokenizer). */
export function syntheticPrompts(count: number, tokens: number, seed = 0): SyntheticPrompt[] {
  const rand = mulberry32(seed)
  const out: SyntheticPrompt[] = []
  for (let i = 0; i < count; i++) out.push(syntheticPrompt(tokens, rand))
  return out
}

function syntheticPrompt(tokens: number, rand: () => number): SyntheticPrompt {
  if (tokens <= 0) return { text: '', tokens: 0 }
  // Space-led common words are one token each in BPE vocabularies; the exact count is then
  // checked and corrected by trimming or padding at the token level.
  const parts: string[] = []
  for (let i = 0; i < tokens; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)])
  let text = parts.join(' ')
  let ids = encodeText(text)
  while (ids.length < tokens) {
    text += ' ' + WORDS[Math.floor(rand() * WORDS.length)]
    ids = encodeText(text)
  }
  if (ids.length > tokens) {
    text = decodeTokens(ids.slice(0, tokens))
  }
  return { text, tokens: countTokens(text) }
}
