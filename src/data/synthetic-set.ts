/**
 * The drafts of a synthetic spec: lengths drawn from the input and output ranges, a prefix shared
 * by every prompt, and SGLang's generated-shared-prefix groups (a system prompt per group).
 * Every random choice has its own seeded stream, so prompt i does not depend on how long the
 * others are.
 */
import type { Draft } from './draft.js'
import { drawLength } from './lengths.js'
import type { PromptSegment, SyntheticSpec } from './prompt.js'
import { mixSeed, mulberry32 } from '../random.js'
import { exactText, TokenStream } from './synthetic.js'
import type { TextTokenizer } from './tokenizer.js'

const SALT = { lengths: 1, prefix: 2, group: 3, body: 4, order: 5 } as const

const stream = (tok: TextTokenizer, seed: number, salt: number, index = 0) =>
  new TokenStream(tok, mulberry32(mixSeed(mixSeed(seed, salt), index)))

export function syntheticDrafts(spec: SyntheticSpec, count: number, seed: number, tok: TextTokenizer): Draft[] {
  const prefixTokens = spec.prefix?.tokens ?? 0
  const prefix = prefixTokens > 0 ? exactText(tok, '', stream(tok, seed, SALT.prefix), prefixTokens).text : ''
  const groups = spec.groups
  const systems = new Map<number, string>()
  const shared = (i: number): string => {
    if (!groups) return prefix
    const g = i % groups.count
    let text = systems.get(g)
    if (text === undefined) {
      text = exactText(tok, prefix, stream(tok, seed, SALT.group, g), prefixTokens + groups.systemTokens).text
      systems.set(g, text)
    }
    return text
  }
  const lengths = mulberry32(mixSeed(seed, SALT.lengths))
  const drafts: Draft[] = []
  // What prompts share, for the designed prefix reuse: the prefix, then the group's system prompt.
  const segments = (i: number): PromptSegment[] => [
    ...(prefixTokens > 0 ? [{ key: 'prefix', tokens: prefixTokens }] : []),
    ...(groups ? [{ key: `group:${i % groups.count}`, tokens: groups.systemTokens }] : []),
  ]
  for (let i = 0; i < count; i++) {
    const target = drawLength(spec.input, lengths)
    const maxTokens = drawLength(spec.output, lengths)
    drafts.push({ shared: shared(i), system: groups !== undefined, stream: stream(tok, seed, SALT.body, i), target, maxTokens, segments: segments(i) })
  }
  // SGLang shuffles its grouped prompts so that consecutive requests hit different groups.
  if (groups && spec.shuffle !== false) shuffleInPlace(drafts, mulberry32(mixSeed(seed, SALT.order)))
  return drafts
}

/** Fisher–Yates with a seeded PRNG. */
export function shuffleInPlace<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
}
