/** SLO bounds written as an object in a bench file (`{ ttft: 500, tpot: 50 }`), checked by parseSlo. */
import { parseSlo } from '../metrics/index.js'
import type { SloSet } from '../results/types.js'

/**
 * The canonical SloSet of `bounds` (keys ttft, ttfc, tpot, itl, e2e, alias e2el; positive ms).
 * Throws an Error opening with `what` for a value that is not a number, an unknown key, no key.
 */
export function parseBounds(bounds: unknown, what: string): SloSet {
  if (typeof bounds !== 'object' || bounds === null || Array.isArray(bounds)) {
    throw new Error(`${what} must be an object of bounds in ms, e.g. { ttft: 500, tpot: 50 }`)
  }
  const pairs: string[] = []
  for (const [key, value] of Object.entries(bounds)) {
    if (value === undefined) continue
    if (typeof value !== 'number') {
      throw new Error(`${what}.${key} is ${JSON.stringify(value)}: give a number of milliseconds, e.g. ${key}: 500`)
    }
    pairs.push(`${key}:${value}`)
  }
  try {
    return parseSlo(pairs.join(','))
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`)
  }
}
