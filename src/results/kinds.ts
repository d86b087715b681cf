/**
 * The result model of the request kinds (issue 17, docs/request-kinds.md): what a request sent
 * besides text, whether its structured output was valid, and a level's media, validity,
 * reasoning, energy and cost figures. types.ts puts them on records and level summaries.
 */

/** Images and audio a request sent (RequestRecord.media). Bytes are the files' own, before base64. */
export interface MediaSent {
  images?: number
  /** Σ width × height of the images whose size is known (synthetic and files; not http URLs). */
  pixels?: number
  imageBytes?: number
  audio?: number
  audioBytes?: number
  /** Σ length of the clips whose length is known (WAV). */
  audioSeconds?: number
  /** Images or clips sent as http(s) URLs: the server fetches them, their size is unknown here. */
  urls?: number
}

/** A level's media: totals over its measured requests (LevelSummary.media). */
export interface MediaSummary {
  /** Measured requests that carried any image or clip. */
  requests: number
  images: number
  pixels: number
  imageBytes: number
  audio: number
  audioBytes: number
  audioSeconds: number
  urls: number
}

/** Structured outputs: how many succeeded requests were checked, and how many passed (LevelSummary.validity). */
export interface ValiditySummary {
  checked: number
  valid: number
  invalid: number
  /** valid / checked (0 when none was checked). */
  rate: number
  /** Invalid requests per reason (the reason's first words, e.g. "not JSON"). */
  reasons: Record<string, number>
}

/** Reasoning models: output tokens spent thinking against those shown (LevelSummary.reasoning). */
export interface ReasoningSummary {
  /** Succeeded requests whose reasoning tokens are known (usage, or counted reasoning events). */
  requests: number
  reasoningTokens: number
  visibleTokens: number
  /** reasoningTokens / (reasoningTokens + visibleTokens) over those requests. */
  share: number
}

/** Energy from GPU power samples over the level's measured window, or why there is none. */
export type EnergySummary =
  | {
      /** Σ over GPUs of power integrated over the window (trapezoids between samples). */
      joules: number
      /** joules / output tokens of the level's succeeded requests. */
      perOutputToken: number
      /** Mean total power of the GPUs over the window. */
      watts: number
      gpus: number
      /** Power samples inside the window (all GPUs). */
      samples: number
      windowSec: number
    }
  | { missing: string }

/** What the level's tokens cost at the price given (cost option). */
export interface CostSummary {
  /** `gpu-hours`: price × GPUs × the level's duration, all of it put on each kind of token; `tokens`: a hosted API's prices. */
  basis: 'gpu-hours' | 'tokens'
  /** The level's cost, in the price's currency. */
  total: number
  perMillionOutput?: number
  perMillionInput?: number
  /** total / succeeded requests. */
  perRequest?: number
}
