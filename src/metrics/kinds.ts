/**
 * A level's figures of the request kinds (docs/request-kinds.md), taken one record at a time
 * beside the level accumulator: media sent, validity of structured outputs, and reasoning against
 * visible tokens. Per-request values are here too, so the summary and the verdicts read them alike.
 */
import type { LevelSummary, MediaSummary, RequestRecord, Stats, ValiditySummary } from '../results/types.js'
import { Column } from './column.js'
import { computeStatsInPlace } from './stats.js'

/** Reasoning tokens of a request, when known (usage, or counted reasoning events). */
export function reasoningTokens(r: RequestRecord): number | undefined {
  return r.reasoningTokens
}

/** Visible output tokens: output minus reasoning, when the reasoning count is known. */
export function visibleTokens(r: RequestRecord): number | undefined {
  return r.reasoningTokens === undefined ? undefined : Math.max(0, r.outputTokens - r.reasoningTokens)
}

/** An invalid reason's kind for counting: its words before the first colon (`not JSON`, `/name`). */
export function reasonKind(reason: string | undefined): string {
  const text = (reason ?? 'invalid').trim()
  const colon = text.indexOf(':')
  return (colon > 0 ? text.slice(0, colon) : text).slice(0, 80)
}

const MAX_REASONS = 20

export class KindsTally {
  private readonly media: MediaSummary = { requests: 0, images: 0, pixels: 0, imageBytes: 0, audio: 0, audioBytes: 0, audioSeconds: 0, urls: 0 }
  private checked = 0
  private valid = 0
  private readonly reasons: Record<string, number> = {}
  private readonly reasoning = new Column()
  private readonly visible = new Column()
  private reasoningSum = 0
  private visibleSum = 0

  /** A measured request (warm-up, cool-down and interrupted ones are not given). */
  add(r: RequestRecord): void {
    const m = r.media
    if (m) {
      const t = this.media
      t.requests++
      t.images += m.images ?? 0
      t.pixels += m.pixels ?? 0
      t.imageBytes += m.imageBytes ?? 0
      t.audio += m.audio ?? 0
      t.audioBytes += m.audioBytes ?? 0
      t.audioSeconds += m.audioSeconds ?? 0
      t.urls += m.urls ?? 0
    }
    if (r.outcome !== 'ok') return
    if (r.valid !== undefined) {
      this.checked++
      if (r.valid) this.valid++
      else {
        const kind = reasonKind(r.invalidReason)
        if (kind in this.reasons || Object.keys(this.reasons).length < MAX_REASONS) this.reasons[kind] = (this.reasons[kind] ?? 0) + 1
        else this.reasons.other = (this.reasons.other ?? 0) + 1
      }
    }
    const rt = reasoningTokens(r)
    if (rt !== undefined) {
      const vt = visibleTokens(r)!
      this.reasoning.push(rt)
      this.visible.push(vt)
      this.reasoningSum += rt
      this.visibleSum += vt
    }
  }

  /** The summary's fields of the kinds, each present only when the level has any. */
  finish(): Pick<LevelSummary, 'media' | 'validity' | 'reasoning'> & { stats: { reasoningTokens?: Stats; visibleTokens?: Stats }; invalid?: number } {
    const out: ReturnType<KindsTally['finish']> = { stats: {} }
    if (this.media.requests > 0) out.media = { ...this.media }
    if (this.checked > 0) {
      const invalid = this.checked - this.valid
      const validity: ValiditySummary = { checked: this.checked, valid: this.valid, invalid, rate: this.valid / this.checked, reasons: { ...this.reasons } }
      out.validity = validity
      out.invalid = invalid
    }
    if (this.reasoning.length > 0) {
      const total = this.reasoningSum + this.visibleSum
      out.reasoning = { requests: this.reasoning.length, reasoningTokens: this.reasoningSum, visibleTokens: this.visibleSum, share: total > 0 ? this.reasoningSum / total : 0 }
      out.stats.reasoningTokens = computeStatsInPlace(this.reasoning.view().slice())
      out.stats.visibleTokens = computeStatsInPlace(this.visible.view().slice())
    }
    return out
  }
}
