/**
 * A generated prompt before its text is fixed: the shared text it starts with, the stream its own
 * tokens come from, and the length to hit. Synthetic prompts and trace lines are drafts; the text
 * is fixed by our tokenizer (exactText) or by the server's /tokenize (server-fit.ts).
 */
import type { Prompt, PromptSegment } from './prompt.js'
import { exactText, type TokenStream } from './synthetic.js'
import type { TextTokenizer } from './tokenizer.js'

export interface Draft {
  /** Text shared with other prompts (prefix, group system prompt, trace blocks); may be ''. */
  shared: string
  /** The shared text is a group's system prompt: chat endpoints get it as a system message. */
  system: boolean
  stream: TokenStream
  /** Input tokens wanted for the whole prompt. */
  target: number
  maxTokens?: number
  at?: number
  /** The shared parts, for the designed prefix reuse (Prompt.segments). */
  segments?: PromptSegment[]
}

export function draftPrompt(d: Draft, text: string, tokens: number): Prompt {
  const p: Prompt = { text, tokens }
  if (d.system && d.shared) {
    p.messages = [{ role: 'system', content: d.shared }, { role: 'user', content: text.slice(d.shared.length).trimStart() }]
  }
  if (d.maxTokens !== undefined) p.maxTokens = d.maxTokens
  if (d.at !== undefined) p.at = d.at
  if (d.segments?.length) p.segments = d.segments
  return p
}

/** The draft's prompt, exact by our tokenizer. */
export function buildDraft(tok: TextTokenizer, d: Draft): Prompt {
  const { text, tokens } = exactText(tok, d.shared, d.stream, d.target)
  return draftPrompt(d, text, tokens)
}
