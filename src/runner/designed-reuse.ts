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
