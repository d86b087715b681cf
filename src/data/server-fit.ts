/**
 * Drafts fitted to the server's own token count (its /tokenize): the body of each prompt is grown
 * or cut until the server counts exactly the target. Each prompt's search depends only on its
 * own answers and the calibrated offset, so the texts are the same from run to run whatever order
 * the answers arrive in.
 */
import { draftPrompt, type Draft } from './draft.js'
import type { ChatMessage, Prompt } from './prompt.js'
import { joinText } from './synthetic.js'
import type { TextTokenizer } from './tokenizer.js'

/** The server's input token count for a prompt (its messages, when a chat endpoint is measured). */
export type Tokenize = (text: string, messages?: ChatMessage[]) => Promise<number>

/** A search that has not hit the target in this many /tokenize calls keeps its closest text. */
const MAX_CALLS = 12
const CONCURRENCY = 8

export interface Fitted {
  prompt: Prompt
  calls: number
  exact: boolean
}

/**
 * `offset` is the expected server count minus ours (a BOS token, a chat template): the first guess.
 * After it, steps scale with the observed ratio of our tokens to the server's, and once the target
 * is bracketed the search bisects.
 */
export async function fitDraft(d: Draft, tok: TextTokenizer, tokenize: Tokenize, offset = 0): Promise<Fitted> {
  const sharedTokens = d.shared ? tok.count(d.shared) : 0
  const T = d.target
  let lo = -1
  let hi = Infinity
  let n = Math.max(0, T - sharedTokens - offset)
  let best: { prompt: Prompt; miss: number } | undefined
  const tried = new Set<number>()
  let calls = 0
  while (calls < MAX_CALLS && !tried.has(n)) {
    tried.add(n)
    const text = joinText(d.shared, d.stream, n)
    const shaped = draftPrompt(d, text, 0)
    const s = await tokenize(text, shaped.messages)
    calls++
    const miss = Math.abs(s - T)
    if (!best || miss < best.miss) best = { prompt: { ...shaped, tokens: s }, miss }
    if (s === T) break
    if (s < T) lo = Math.max(lo, n)
    else hi = Math.min(hi, n)
    let next: number
    if (lo >= 0 && hi !== Infinity) {
      if (hi - lo <= 1) break
      next = Math.floor((lo + hi) / 2)
    } else {
      const ratio = s > 0 ? Math.max(0.25, (sharedTokens + n) / s) : 1
      const step = Math.round((T - s) * ratio) || Math.sign(T - s)
      next = Math.min(hi - 1, Math.max(lo + 1, n + step, 0))
    }
    n = next
  }
  return { prompt: best!.prompt, calls, exact: best!.miss === 0 }
}

/** Every draft fitted, a few /tokenize calls in flight at a time, in the drafts' order. */
export async function fitDrafts(drafts: Draft[], tok: TextTokenizer, tokenize: Tokenize, offset = 0): Promise<Fitted[]> {
  const out: Fitted[] = new Array(drafts.length)
  let next = 0
  const worker = async () => {
    while (next < drafts.length) {
      const i = next++
      out[i] = await fitDraft(drafts[i], tok, tokenize, offset)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, drafts.length) }, worker))
  return out
}
