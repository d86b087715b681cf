/**
 * Images and audio for chat requests (docs/request-kinds.md): each prompt of a level gets its
 * OpenAI content parts, prepared before the level's clock starts like its text. Sources:
 * synthetic images and clips made from the seed (every prompt its own), files from a folder in a
 * seeded order, or the files and URLs a dataset row lists. Files are read once per process and
 * shared by every prompt that sends them; URLs are sent as they are, for the server to fetch.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { createRequire } from 'node:module'
import type { imageSize as ImageSize } from 'image-size'
import { UsageError } from '../errors.js'
import { mixSeed, mulberry32 } from '../random.js'
import { syntheticWav, wavSeconds } from './audio.js'
import { syntheticImage, type ImageFormat } from './images.js'
import { shuffleInPlace } from './synthetic-set.js'
import type { MediaSent } from '../results/kinds.js'
import type { MediaPart, PromptMedia, RowMedia } from './media-types.js'

export type { MediaPart, PromptMedia, RowMedia }

/** image-size (26 files), loaded by the first image file a run sends, not by every run. */
let sizeOf: typeof ImageSize | undefined
const imageSize = (bytes: Uint8Array) => (sizeOf ??= (createRequire(import.meta.url)('image-size') as { imageSize: typeof ImageSize }).imageSize)(bytes)

/** Where a scenario's images and clips come from (the runner's resolved `images` and `audio` options). */
export interface MediaSpec {
  images?: { count: number; width: [number, number]; height: [number, number]; format: ImageFormat } | { count: number; dir: string }
  audio?: { count: number; seconds: [number, number] } | { count: number; dir: string }
}

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' }
const AUDIO_TYPES: Record<string, 'wav' | 'mp3'> = { '.wav': 'wav', '.mp3': 'mp3' }

export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s)

interface FilePart { part: MediaPart; sent: MediaSent }

/** An image sent inline, as a data URL. */
const imagePart = (bytes: Buffer, mime: string, pixels: number): FilePart =>
  ({ part: { type: 'image_url', image_url: { url: `data:${mime};base64,${bytes.toString('base64')}` } }, sent: { images: 1, pixels, imageBytes: bytes.length } })

/** A clip sent inline; its length when it is known. */
const audioPart = (bytes: Buffer, format: 'wav' | 'mp3', seconds: number | undefined): FilePart =>
  ({ part: { type: 'input_audio', input_audio: { data: bytes.toString('base64'), format } }, sent: { audio: 1, audioBytes: bytes.length, ...(seconds !== undefined ? { audioSeconds: seconds } : {}) } })

/** Files read and encoded once per process: every prompt that sends one shares its string. */
const files = new Map<string, FilePart>()

/** The part of an image or audio file (by its extension), read once. Throws a UsageError naming the file. */
export function filePart(path: string, kind: 'image' | 'audio', where: string): FilePart {
  const known = files.get(path)
  if (known) return known
  const ext = extname(path).toLowerCase()
  const types = kind === 'image' ? Object.keys(IMAGE_TYPES) : Object.keys(AUDIO_TYPES)
  if (!types.includes(ext)) throw new UsageError(`${where}: ${path} is not ${kind === 'image' ? 'an image' : 'an audio'} file llmbench sends (${types.join(', ')})`)
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new UsageError(`${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give an existing ${kind} file`)
  }
  let made: FilePart
  if (kind === 'image') {
    let pixels: number
    try {
      const size = imageSize(bytes)
      pixels = size.width * size.height
    } catch {
      throw new UsageError(`${where}: ${path} is not a readable ${ext.slice(1).toUpperCase()} image`)
    }
    made = imagePart(bytes, IMAGE_TYPES[ext], pixels)
  } else {
    made = audioPart(bytes, AUDIO_TYPES[ext], AUDIO_TYPES[ext] === 'wav' ? wavSeconds(bytes) : undefined)
  }
  files.set(path, made)
  return made
}

/** A URL a dataset row lists: sent as is (the server fetches it), counted but not measured. */
function urlPart(url: string, kind: 'image' | 'audio'): FilePart {
  const part: MediaPart = kind === 'image' ? { type: 'image_url', image_url: { url } } : { type: 'audio_url', audio_url: { url } }
  return { part, sent: { [kind === 'image' ? 'images' : 'audio']: 1, urls: 1 } }
}

/** The media files of a folder, sorted by name, then in the seed's order. */
const dirCache = new Map<string, string[]>()
function dirFiles(dir: string, kind: 'image' | 'audio', key: string): string[] {
  const cacheKey = `${kind}\0${dir}`
  let list = dirCache.get(cacheKey)
  if (!list) {
    let names: string[]
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a folder')
      names = readdirSync(dir)
    } catch {
      throw new UsageError(`${key}: ${dir} is not a folder llmbench can read: give a folder of ${kind} files`)
    }
    const types = kind === 'image' ? IMAGE_TYPES : AUDIO_TYPES
    list = names.filter((n) => Object.hasOwn(types, extname(n).toLowerCase())).sort().map((n) => join(dir, n))
    if (list.length === 0) throw new UsageError(`${key}: ${dir} holds no ${kind} files (${Object.keys(types).join(', ')})`)
    dirCache.set(cacheKey, list)
  }
  return list
}

const draw = (rng: () => number, [lo, hi]: [number, number]) => lo + Math.floor(rng() * (hi - lo + 1))

/** Adds `b` to `a`, field by field. */
export function addSent(a: MediaSent, b: MediaSent): void {
  for (const [k, v] of Object.entries(b) as Array<[keyof MediaSent, number]>) a[k] = (a[k] ?? 0) + v
}

/**
 * The media of `count` prompts of a level (prompt k gets parts of its own): the row's files and
 * URLs first, then the scenario's. Deterministic in `seed`, whatever the order requests go in.
 */
export function levelMedia(spec: MediaSpec | undefined, rows: ReadonlyArray<RowMedia | undefined>, seed: number): Array<PromptMedia | undefined> {
  const order = new Map<string, string[]>()
  const ordered = (dir: string, kind: 'image' | 'audio', key: string) => {
    let o = order.get(kind)
    if (!o) {
      o = [...dirFiles(dir, kind, key)]
      shuffleInPlace(o, mulberry32(mixSeed(seed, kind === 'image' ? 0x1a9e : 0xa0d1)))
      order.set(kind, o)
    }
    return o
  }
  return rows.map((row, k) => {
    const parts: MediaPart[] = []
    const sent: MediaSent = {}
    const add = (p: FilePart) => {
      parts.push(p.part)
      addSent(sent, p.sent)
    }
    for (const ref of row?.images ?? []) add(isUrl(ref) ? urlPart(ref, 'image') : filePart(ref, 'image', 'dataset'))
    for (const ref of row?.audio ?? []) add(isUrl(ref) ? urlPart(ref, 'audio') : filePart(ref, 'audio', 'dataset'))
    const images = spec?.images
    if (images && 'dir' in images) {
      const list = ordered(images.dir, 'image', 'images.dir')
      for (let j = 0; j < images.count; j++) add(filePart(list[(k * images.count + j) % list.length], 'image', 'images.dir'))
    } else if (images) {
      const rng = mulberry32(mixSeed(mixSeed(seed, 0x1a6e5), k))
      for (let j = 0; j < images.count; j++) {
        const img = syntheticImage(mixSeed(mixSeed(seed, k), j), draw(rng, images.width), draw(rng, images.height), images.format)
        add(imagePart(img.bytes, images.format === 'png' ? 'image/png' : 'image/jpeg', img.width * img.height))
      }
    }
    const audio = spec?.audio
    if (audio && 'dir' in audio) {
      const list = ordered(audio.dir, 'audio', 'audio.dir')
      for (let j = 0; j < audio.count; j++) add(filePart(list[(k * audio.count + j) % list.length], 'audio', 'audio.dir'))
    } else if (audio) {
      const rng = mulberry32(mixSeed(mixSeed(seed, 0xa0d15), k))
      for (let j = 0; j < audio.count; j++) {
        const [lo, hi] = audio.seconds
        const seconds = Math.round((lo + rng() * (hi - lo)) * 1000) / 1000
        add(audioPart(syntheticWav(mixSeed(mixSeed(seed, k), 0x100 + j), seconds), 'wav', seconds))
      }
    }
    return parts.length ? { parts, sent } : undefined
  })
}

/** Bytes one prompt's synthetic media hold (base64 text), for the memory check before a level. */
export function mediaBytesPerPrompt(spec: MediaSpec | undefined): number {
  let bytes = 0
  const i = spec?.images
  // A mosaic PNG or JPEG is about 0.075 bytes per pixel; base64 adds a third.
  if (i && !('dir' in i)) bytes += i.count * ((i.width[0] + i.width[1]) / 2) * ((i.height[0] + i.height[1]) / 2) * 0.1
  const a = spec?.audio
  if (a && !('dir' in a)) bytes += a.count * ((a.seconds[0] + a.seconds[1]) / 2) * 32_000 * 1.34
  return bytes
}
