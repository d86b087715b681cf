/** How a length with a spread is read (data/lengths.ts draws from it), and what a shared prefix leaves of the shortest prompt. */
import * as z from 'zod'
import { expecting } from './declare.js'
import { whole } from './values.js'
import { RANGE_MODES, type RangeMode } from './vocabulary.js'

/** A length in tokens, with a spread (scenario.ts's input and output, a session's user turns). */
export const length = () =>
  expecting(
    z.strictObject({
      tokens: whole(1),
      /** Draw lengths from a range around `tokens` (see `range`). */
      spread: z.number().optional(),
      range: z.enum(RANGE_MODES).optional(),
    }),
    'an object like { tokens: 256 }',
  )

/** The spread each range mode allows: [0, 1) symmetric, [0, 1] min-ratio. */
export function spreadFits(l: { spread?: number; range?: string }, ctx: z.RefinementCtx): void {
  if (l.spread === undefined) return
  const mode = l.range ?? 'symmetric'
  if (!(l.spread >= 0 && (mode === 'symmetric' ? l.spread < 1 : l.spread <= 1))) {
    ctx.addIssue({ code: 'custom', path: ['spread'], input: l.spread, message: `must be a number in ${mode === 'symmetric' ? '[0, 1)' : '[0, 1]'} with {@range} ${mode}` })
  }
}

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
