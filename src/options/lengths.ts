/** How a length with a spread is read (data/lengths.ts draws from it), and what a shared prefix leaves of the shortest prompt. */
import type { RangeMode } from './vocabulary.js'

export interface LengthSpec {
  tokens: number
  /** Absent or 0 (symmetric) / 1 (min-ratio): every length is `tokens`. */
  spread?: number
  /** How `spread` is read; default 'symmetric'. */
  range?: RangeMode
}

/** The shortest and longest length `spec` draws (both inclusive, at least 1). */
export function lengthBounds(spec: LengthSpec): [number, number] {
  const L = spec.tokens
  const s = spec.spread
  let lo = L
  let hi = L
  if (s !== undefined) {
    if ((spec.range ?? 'symmetric') === 'symmetric') {
      lo = Math.floor(L * (1 - s))
      hi = Math.ceil(L * (1 + s))
    } else {
      lo = Math.trunc(L * s)
    }
  }
  return [Math.max(1, lo), Math.max(1, hi)]
}

/**
 * The shared prefix and group system prompt must leave at least one token in the shortest prompt:
 * the key at fault (relative to the object holding `prefix` and `groups`) and what to say, or undefined.
 * `lengthKey`: where the prompt length is, from that object (`''` when it is the length itself).
 */
export function sharedPrefixTooLong(input: LengthSpec, prefix: number, system: number, lengthKey: string): { path: string[]; message: string } | undefined {
  if (prefix + system === 0) return undefined
  const [shortest] = lengthBounds(input)
  if (prefix + system < shortest) return undefined
  // Messages name keys from the one at fault (`prefix.tokens`), two levels up: the object holding prefix and groups.
  const up = (key: string) => `{@^2/${key}}`
  const length = (key: string) => up(lengthKey ? `${lengthKey}.${key}` : key)
  const from = `${shortest} tokens from ${length('tokens')}${input.spread ? ` and ${length('spread')}` : ''}`
  if (prefix && system) return { path: ['prefix', 'tokens'], message: `+ ${up('groups.systemTokens')} must be less than the shortest prompt (${from}), got ${prefix + system}` }
  return { path: prefix ? ['prefix', 'tokens'] : ['groups', 'systemTokens'], message: `must be less than the shortest prompt (${from}), got ${prefix + system}` }
}
