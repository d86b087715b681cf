/**
 * Whether a set of prompts can be prepared at all: every prompt is built in memory before a level
 * starts, so a count or a length past what the process can hold is refused up front, with one line,
 * instead of climbing to the heap limit and dying with a native stack.
 *
 * The estimate is of the peak while prompts are built (measured on synthetic prompts: about 25
 * bytes per token while drafts and texts both live, 6.5 characters of text per token, and under
 * 1 KB of objects per prompt); a dataset's prompts share the file's text and cost their objects.
 */
import { getHeapStatistics } from 'node:v8'
import { constants } from 'node:buffer'
import { UsageError } from '../errors.js'
import { openSource } from './file-source.js'
import { lengthBounds } from './lengths.js'
import type { PromptSpec } from './prompt.js'

const PEAK_BYTES_PER_TOKEN = 25
const OBJECT_BYTES_PER_PROMPT = 1024
const CHARS_PER_TOKEN = 6.5
/** Text of one prompt is made one string, then sent inside another: at most a quarter of the longest string. */
export const MAX_PROMPT_TOKENS = Math.floor(constants.MAX_STRING_LENGTH / 4 / CHARS_PER_TOKEN)

const n = (x: number) => x.toLocaleString('en-US')

function size(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024
    i++
  }
  return `${bytes.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** Room the heap has left, of which prompts may take three quarters. */
export function promptMemoryBudget(): number {
  const h = getHeapStatistics()
  return Math.max(0, (h.heap_size_limit - h.used_heap_size) * 0.75)
}

/** Tokens of the longest prompt, and the mean, a spec generates; undefined for dataset prompts (their text is the file's). */
function generatedTokens(spec: PromptSpec): { longest: number; mean: number } | undefined {
  if (spec.kind === 'synthetic') {
    const [lo, hi] = lengthBounds(spec.input)
    return { longest: hi, mean: (lo + hi) / 2 }
  }
  const source = openSource(spec)
  if (source.format !== 'trace') return undefined
  let longest = 0
  let sum = 0
  for (const l of source.lines) {
    longest = Math.max(longest, l.input)
    sum += l.input
  }
  return { longest, mean: sum / Math.max(1, source.lines.length) }
}

/**
 * Refuses `count` prompts of `spec` when one of them is longer than a string can carry or all of
 * them would not fit in `budget` bytes (default: three quarters of the heap left). Opens a dataset
 * file, so a bad file is reported here too.
 */
export function checkPromptsFit(spec: PromptSpec, count: number, budget = promptMemoryBudget()): void {
  const tokens = generatedTokens(spec)
  const what = spec.kind === 'synthetic' ? 'the input length (--input-len, or `input.tokens`)' : 'the trace\'s "input_length"'
  if (tokens && tokens.longest > MAX_PROMPT_TOKENS) {
    throw new UsageError(
      `a prompt of ${n(tokens.longest)} tokens is longer than llmbench can build (at most ${n(MAX_PROMPT_TOKENS)} tokens, ` +
      `about ${size(MAX_PROMPT_TOKENS * CHARS_PER_TOKEN)} of text): lower ${what}`,
    )
  }
  const perPrompt = OBJECT_BYTES_PER_PROMPT + (tokens ? tokens.mean * PEAK_BYTES_PER_TOKEN : 0)
  const need = count * perPrompt
  if (need > budget) {
    const most = Math.max(0, Math.floor(budget / perPrompt))
    const length = tokens ? ` of ${n(Math.round(tokens.mean))} tokens` : ''
    throw new UsageError(
      `${n(count)} prompts${length} would take about ${size(need)} of memory to prepare, more than the ${size(budget)} this process has ` +
      `(at most about ${n(most)}): lower the requests per level (--num-prompts, or \`requests\`)${tokens ? ` or ${what}` : ''}, ` +
      'or run timed levels (--duration), which reuse a pool of prompts',
    )
  }
}
