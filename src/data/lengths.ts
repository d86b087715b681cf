/**
 * Lengths drawn from a range. vLLM and SGLang both call their knob `--random-range-ratio` but read
 * it differently; both readings are offered under their own names (docs/datasets.md):
 *
 *   symmetric  (vLLM)   uniform integer in [floor(L·(1−s)), ceil(L·(1+s))], s in [0, 1)
 *   min-ratio  (SGLang) uniform integer in [trunc(L·s), L], s in [0, 1]
 *
 * Both ends are inclusive and every length is at least 1.
 */
import type { LengthSpec } from './prompt.js'
import { lengthBounds } from '../options/lengths.js'

export { lengthBounds }


/** One length: uniform over the integers of lengthBounds(spec). */
export function drawLength(spec: LengthSpec, rand: () => number): number {
  const [lo, hi] = lengthBounds(spec)
  return lo + Math.floor(rand() * (hi - lo + 1))
}

/** `256 tokens`, or `256 tokens (uniform 205–307)`. */
export function describeLength(spec: LengthSpec): string {
  const [lo, hi] = lengthBounds(spec)
  return lo === hi ? `${lo} tokens` : `${spec.tokens} tokens (uniform ${lo}–${hi})`
}
