/**
 * The prefix reuse a workload is designed to have (docs/workloads.md, Prefix caches): for each
 * request, how many of its leading prompt tokens repeat a prefix this level already sent. A
 * prompt is a chain of named segments (Prompt.segments: a shared prefix, a group's system prompt,
 * trace blocks, a dataset conversation's messages) followed by its own text; a segment counts when
 * the whole chain up to it was sent before. A session's later requests repeat their previous
 * request's prompt and reply (runner/session.ts says so itself).
 *
 * It knows what this thread sent: with several load threads, a segment's first use counts once per
 * thread, a few requests in a level of many.
 *
 * Images and audio: the client cannot know how many prompt tokens the server makes of an image
 * (its processor decides), so they count through the server's own counts. A session's later
 * request repeats the previous one's `usage.prompt_tokens` (its media's tokens included: it
 * re-sends them, session.ts) and reply; a prompt sent again whole repeats all its input tokens
 * by the server's count (`repeatedOf`). Segments are text and sit before a prompt's media (which
 * go after the text of its last user message), so their counts need none.
 */
import type { PromptSegment } from '../data/prompt.js'

export class DesignedReuse {
  /** `<parent id>|<key>` to the id of that chain. */
  private readonly ids = new Map<string, number>()
  private readonly sent = new Set<number>()

  private idOf(parent: number, key: string): number {
    const k = `${parent}|${key}`
    let id = this.ids.get(k)
    if (id === undefined) this.ids.set(k, (id = this.ids.size + 1))
    return id
  }

  /**
   * The repeated tokens of a prompt of `tokens` tokens made of `segments` then its own text
   * (named `own`: the same prompt sent again repeats whole), and marks all of it as sent.
   */
  prompt(segments: readonly PromptSegment[] | undefined, own: string, tokens: number): number {
    let parent = 0
    let cumulative = 0
    let repeated = 0
    let unbroken = true
    for (const s of segments ?? []) {
      parent = this.idOf(parent, s.key)
      cumulative += s.tokens
      if (unbroken && this.sent.has(parent)) repeated = cumulative
      else unbroken = false
      this.sent.add(parent)
    }
    const whole = this.idOf(parent, `own:${own}`)
    if (unbroken && this.sent.has(whole)) repeated = tokens
    this.sent.add(whole)
    return Math.min(repeated, tokens)
  }

  /** The tokens of the leading `segments` already sent, without marking anything. */
  seen(segments: readonly PromptSegment[] | undefined): number {
    let parent = 0
    let cumulative = 0
    for (const s of segments ?? []) {
      parent = this.idOf(parent, s.key)
      if (!this.sent.has(parent)) break
      cumulative += s.tokens
    }
    return cumulative
  }
}

/**
 * A request's repeated tokens once the server has counted its prompt (`inputTokens`): a prompt
 * sent again whole (`prompt` returned all its `tokens`) repeats all the server counted, its
 * media's tokens and chat template included; otherwise what `prompt` counted, at most all.
 */
export function repeatedOf(repeated: number, tokens: number, inputTokens: number): number {
  return repeated >= tokens ? inputTokens : Math.min(repeated, inputTokens)
}
