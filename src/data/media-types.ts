/** The shapes of a prompt's images and audio (data/media.ts makes them; prompt.ts carries them). */
import type { MediaSent } from '../results/kinds.js'

/** An OpenAI chat content part carrying an image or a clip. */
export type MediaPart =
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' } }
  | { type: 'audio_url'; audio_url: { url: string } }

/** A prompt's parts, and what they amount to for its record. */
export interface PromptMedia {
  parts: MediaPart[]
  sent: MediaSent
}

/** What the dataset row of a prompt lists: image and audio files (absolute paths) or URLs. */
export interface RowMedia {
  images?: string[]
  audio?: string[]
}
