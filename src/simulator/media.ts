/**
 * Images and audio in the simulator's chat requests (docs/request-kinds.md): each image_url part
 * is decoded far enough to know its size, and costs prompt tokens by its tiles, as OpenAI counts
 * them: `imageBaseTokens` + `imageTileTokens` × ⌈width / imageTileSize⌉ × ⌈height / imageTileSize⌉
 * (85 + 170 per 512-pixel tile by default). A clip costs `audioTokensPerSecond` per second. The
 * tokens join the prompt: prefill time and usage.prompt_tokens grow with them.
 *
 * With the prefix cache on, each part also gets its place in the prompt's ids (prompt.ts,
 * PlaceholderRun): as vLLM hashes an image's content into its blocks (its mm_hash), a run of
 * placeholder ids named by a hash of the part's data URL, base64 or http URL, hashed once per request.
 */
import { createHash } from 'node:crypto'
import { imageSize } from 'image-size'
import { wavSeconds } from '../data/audio.js'
import type { ResolvedOptions } from './options.js'
import type { PlaceholderRun } from './prompt.js'

export interface ReceivedImage { width: number; height: number; bytes: number; tokens: number; url?: string }
export interface ReceivedAudio { seconds: number; bytes: number; tokens: number; url?: string }
export interface ReceivedMedia {
  images: ReceivedImage[]
  audio: ReceivedAudio[]
  tokens: number
  /** With the prefix cache: each part's placeholder run, in the order of the messages and their parts. */
  runs?: PlaceholderRun[]
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** An http URL's image is not fetched (the simulator has no network): it counts as one tile. */
const UNFETCHED_SIDE = 512
/** An mp3 or a URL clip's length is not decoded: bytes at 128 kbit/s, or 5 s. */
const MP3_BYTES_PER_SECOND = 16_000
const UNFETCHED_SECONDS = 5

export function imageTokens(width: number, height: number, o: ResolvedOptions): number {
  return o.imageBaseTokens + o.imageTileTokens * Math.ceil(width / o.imageTileSize) * Math.ceil(height / o.imageTileSize)
}

/** The media of a chat's messages, or the message of a 400 for one the server cannot read. */
export function receivedMedia(messages: unknown[], o: ResolvedOptions): ReceivedMedia | { error: string } | undefined {
  const out: ReceivedMedia = { images: [], audio: [], tokens: 0, ...(o.prefixCache ? { runs: [] } : {}) }
  for (const m of messages) {
    if (!isObject(m) || !Array.isArray(m.content)) continue
    for (const part of m.content) {
      if (!isObject(part)) continue
      if (part.type === 'image_url') {
        const url = isObject(part.image_url) ? part.image_url.url : undefined
        if (typeof url !== 'string') return { error: 'image_url.url must be a string.' }
        const img = readImage(url)
        if ('error' in img) return img
        const tokens = imageTokens(img.width, img.height, o)
        out.images.push({ ...img, tokens })
        out.tokens += tokens
        out.runs?.push({ id: placeholderId(url), tokens })
      } else if (part.type === 'input_audio' || part.type === 'audio_url') {
        const clip = readAudio(part)
        if ('error' in clip) return clip
        const tokens = Math.ceil(clip.seconds * o.audioTokensPerSecond)
        out.audio.push({ ...clip, tokens })
        out.tokens += tokens
        out.runs?.push({ id: placeholderId(...audioKey(part)), tokens })
      }
    }
  }
  return out.images.length || out.audio.length ? out : undefined
}

/**
 * The placeholder id of a part: 31 bits of the SHA-1 of what it sends, with the sign bit set so
 * that it is no text token's id. Identical bytes (or URLs) give the same id, and different ones
 * collide once in 2^31.
 */
function placeholderId(...key: string[]): number {
  // Hashed piece by piece (the digest of the pieces joined): a clip's base64 is not copied into a key.
  const hash = createHash('sha1')
  for (const piece of key) hash.update(piece)
  return hash.digest().readUInt32LE(0) | 0x80000000
}

/** What names a clip: its format and base64 data, or its URL (pieces placeholderId hashes as one). */
const audioKey = (part: Record<string, unknown>): string[] =>
  part.type === 'audio_url' ? ['url:', (part.audio_url as { url: string }).url] : [(part.input_audio as { format: string }).format, ':', (part.input_audio as { data: string }).data]

function readImage(url: string): { width: number; height: number; bytes: number; url?: string } | { error: string } {
  const m = /^data:image\/[\w.+-]+;base64,/i.exec(url)
  if (!m) {
    if (/^https?:\/\//i.test(url)) return { width: UNFETCHED_SIDE, height: UNFETCHED_SIDE, bytes: 0, url }
    return { error: 'Invalid image URL: expected a data:image/...;base64, URL or an http(s) URL.' }
  }
  const bytes = Buffer.from(url.slice(m[0].length), 'base64')
  try {
    const size = imageSize(bytes)
    return { width: size.width, height: size.height, bytes: bytes.length }
  } catch {
    return { error: 'Invalid image: the data is not an image the server can read.' }
  }
}

function readAudio(part: Record<string, unknown>): { seconds: number; bytes: number; url?: string } | { error: string } {
  if (part.type === 'audio_url') {
    const url = isObject(part.audio_url) ? part.audio_url.url : undefined
    return typeof url === 'string' ? { seconds: UNFETCHED_SECONDS, bytes: 0, url } : { error: 'audio_url.url must be a string.' }
  }
  const a = isObject(part.input_audio) ? part.input_audio : undefined
  if (!a || typeof a.data !== 'string') return { error: 'input_audio.data must be a base64 string.' }
  const bytes = Buffer.from(a.data, 'base64')
  if (a.format === 'wav') {
    const seconds = wavSeconds(bytes)
    return seconds === undefined ? { error: 'Invalid audio: input_audio.data is not a WAV file.' } : { seconds, bytes: bytes.length }
  }
  if (a.format === 'mp3') return { seconds: bytes.length / MP3_BYTES_PER_SECOND, bytes: bytes.length }
  return { error: 'input_audio.format must be wav or mp3.' }
}
