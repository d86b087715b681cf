/**
 * Seeded text: a small PRNG and a fixed vocabulary of token pieces such as " word". Each piece is
 * kept raw and JSON-escaped (without quotes), so events are built by concatenation.
 */
import { mulberry32 } from '../random.js'

const WORDS = (
  'the of and to in is that it was for on are as with they at be this from have or by one had not ' +
  'but what all were when we there can an your which their said if do will each about how up out ' +
  'them then she many some so these would other into has more two like see time could no make than ' +
  'first been its who now people my made over did down only way find use may water long little very ' +
  'after words called just where most know get through back much before go good new write our used ' +
  'man too any day same right look think also around another came come work three word must because ' +
  'does part even place well such here take why things help put years different away again off went ' +
  'old number great tell men say small every found still between name should home big give air line ' +
  'set own under read last never us left end along while might next sound below saw something ' +
  'thought both few those always looked show large often together asked house world going want ' +
  'school important until form food keep children feet land side without boy once animals life ' +
  'enough took sometimes four head above kind began almost live page got earth need far hand high ' +
  'year mother light country father let night following picture being study second eyes soon times ' +
  'story since white days ever paper hard near sentence better best across during today others sure'
).split(' ')

/** Pieces with multi-byte UTF-8 characters (2, 3 and 4 bytes), for the `unicode` quirk. */
const UNICODE = [' é', ' 日本', ' 👍', ' café', ' naïve', ' Привет', ' 中文', ' über', ' 🚀', ' ñ', '—', ' 語']

/** Raw token pieces: words, punctuation and newlines (tokens can be bare whitespace). */
export const PIECES: readonly string[] = [
  ...WORDS.map((w) => ' ' + w),
  ',', ',', '.', '.', '\n', ' "quoted"', '\\',
  ...UNICODE,
]
/** The pieces JSON-escaped, without the surrounding quotes. */
export const PIECES_JSON: readonly string[] = PIECES.map((p) => JSON.stringify(p).slice(1, -1))
const ASCII_COUNT = PIECES.length - UNICODE.length

/** Seeded source of token piece indexes. */
export class TextSource {
  private readonly rng: () => number
  constructor(seed: number, private readonly unicode: boolean) {
    this.rng = mulberry32(seed)
  }
  next(): number {
    if (this.unicode && this.rng() < 0.5) return ASCII_COUNT + Math.floor(this.rng() * UNICODE.length)
    return Math.floor(this.rng() * ASCII_COUNT)
  }
}

/** Output length: `max` tokens, or fewer when an end-of-sequence draw with `eosProbability` per
 * token (after the first) hits first. Geometric draw, O(1). */
export function drawOutputLength(max: number, eosProbability: number, rng: () => number): number {
  if (eosProbability <= 0 || max <= 1) return max
  const extra = Math.floor(Math.log(1 - rng()) / Math.log(1 - eosProbability))
  return Math.min(max, 1 + extra)
}
