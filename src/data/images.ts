/**
 * Synthetic images, made locally and deterministically from a seed: a mosaic of 8×8-pixel blocks
 * of seeded colours, as PNG or JPEG. A server's cost of an image depends on its size in pixels
 * (its tiles, its tokens), which is exact here; the mosaic makes every image different (no
 * multimodal cache hit from one prompt's image to another's) while staying fast to encode: a 1024×1024 image takes a few ms
 * (bench/images.js, docs/performance.md).
 *
 * Encoders are written here rather than taken from npm: the pure-JS JPEG encoder on npm (jpeg-js)
 * takes about 110 ms for 1024×1024, 30 times too slow for a load generator; a mosaic of flat 8×8
 * blocks needs only each block's DC coefficient, which is a few lines of baseline JPEG. PNG uses
 * node:zlib (deflate with run-length strategy over rows filtered to mostly zeros).
 */
import { crc32, deflateSync, constants } from 'node:zlib'
import { mixSeed, mulberry32 } from '../random.js'

export type ImageFormat = 'png' | 'jpeg'

export interface SyntheticImage {
  format: ImageFormat
  width: number
  height: number
  bytes: Buffer
}

/** Side of the blocks of one colour. */
const BLOCK = 8

/** The image of `seed`: the same bytes for the same seed, size and format, on every machine. */
export function syntheticImage(seed: number, width: number, height: number, format: ImageFormat): SyntheticImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= 16384 && height <= 16384)) {
    throw new RangeError(`image size must be whole numbers of pixels from 1 to 16384, got ${width}x${height}`)
  }
  const colours = blockColours(seed, width, height)
  const bytes = format === 'png' ? mosaicPng(colours, width, height) : mosaicJpeg(colours, width, height)
  return { format, width, height, bytes }
}

interface Colours {
  across: number
  down: number
  /** RGB of block (bx, by) at (by·across + bx)·3. */
  rgb: Uint8Array
}

function blockColours(seed: number, width: number, height: number): Colours {
  const across = Math.ceil(width / BLOCK)
  const down = Math.ceil(height / BLOCK)
  const rng = mulberry32(mixSeed(seed, 0x1a6e))
  const rgb = new Uint8Array(across * down * 3)
  for (let i = 0; i < rgb.length; i += 3) {
    const v = (rng() * 0x1000000) >>> 0
    rgb[i] = v & 255
    rgb[i + 1] = (v >>> 8) & 255
    rgb[i + 2] = v >>> 16
  }
  return { across, down, rgb }
}

// ---- PNG ----

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/**
 * Truecolour PNG. The first row of each block row uses the Sub filter (a colour change at each
 * block edge, zeros between); the other rows the Up filter (all zeros). Deflate's run-length
 * strategy then packs the zeros at memory speed.
 */
function mosaicPng(c: Colours, width: number, height: number): Buffer {
  const stride = 1 + width * 3
  const raw = Buffer.alloc(stride * height) // zeros: every Up row is done
  for (let y = 0; y < height; y++) {
    const o = y * stride
    if (y % BLOCK !== 0) {
      raw[o] = 2 // Up
      continue
    }
    raw[o] = 1 // Sub
    const row = (y / BLOCK) * c.across * 3
    let pr = 0
    let pg = 0
    let pb = 0
    for (let bx = 0; bx < c.across; bx++) {
      const k = row + bx * 3
      const p = o + 1 + bx * BLOCK * 3
      raw[p] = (c.rgb[k] - pr) & 255
      raw[p + 1] = (c.rgb[k + 1] - pg) & 255
      raw[p + 2] = (c.rgb[k + 2] - pb) & 255
      pr = c.rgb[k]
      pg = c.rgb[k + 1]
      pb = c.rgb[k + 2]
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bits per sample
  ihdr[9] = 2 // truecolour
  const idat = deflateSync(raw, { level: 1, strategy: constants.Z_RLE })
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))])
}

// ---- JPEG (baseline, 4:4:4, every block flat: DC coefficients only) ----

/** Annex K.3 tables: the luminance and chrominance DC codes, and the two AC tables' end-of-block codes. */
const DC_LUMA = { bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }
const DC_CHROMA = { bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }
/** AC tables holding only the end-of-block symbol (0x00), the one AC symbol a flat block needs. */
const AC_EOB = { bits: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], values: [0] }
/** Quantiser of the DC coefficient: 8 makes the quantised DC the block's level-shifted value. */
const DC_QUANT = 8

interface Code { code: number; length: number }

/** Canonical Huffman codes (Annex C) by symbol. */
function huffmanCodes(t: { bits: number[]; values: number[] }): Code[] {
  const out: Code[] = []
  let code = 0
  let k = 0
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < t.bits[len - 1]; i++) out[t.values[k++]] = { code: code++, length: len }
    code <<= 1
  }
  return out
}
const DC_LUMA_CODES = huffmanCodes(DC_LUMA)
const DC_CHROMA_CODES = huffmanCodes(DC_CHROMA)

class BitWriter {
  private buf: Buffer
  private pos = 0
  private acc = 0
  private n = 0
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
  }
  put(code: number, length: number): void {
    this.acc = (this.acc << length) | code
    this.n += length
    while (this.n >= 8) {
      this.n -= 8
      const byte = (this.acc >>> this.n) & 255
      if (this.pos + 2 > this.buf.length) this.grow()
      this.buf[this.pos++] = byte
      if (byte === 0xff) this.buf[this.pos++] = 0 // byte stuffing
    }
    this.acc &= (1 << this.n) - 1
  }
  end(): Buffer {
    if (this.n > 0) this.put((1 << (8 - this.n)) - 1, 8 - this.n) // pad with ones
    return this.buf.subarray(0, this.pos)
  }
  private grow(): void {
    const next = Buffer.allocUnsafe(this.buf.length * 2)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }
}

function marker(code: number, payload: number[]): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length)
  out[0] = 0xff
  out[1] = code
  out.writeUInt16BE(payload.length + 2, 2)
  for (let i = 0; i < payload.length; i++) out[4 + i] = payload[i]
  return out
}

function dht(tableClass: number, id: number, t: { bits: number[]; values: number[] }): number[] {
  return [(tableClass << 4) | id, ...t.bits, ...t.values]
}

const JPEG_HEADER_TABLES = Buffer.concat([
  Buffer.from([0xff, 0xd8]), // SOI
  marker(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.1
  // One quantisation table: DC_QUANT for the DC, 255 for the AC coefficients (all zero anyway).
  marker(0xdb, [0, DC_QUANT, ...new Array<number>(63).fill(255)]),
  marker(0xc4, [...dht(0, 0, DC_LUMA), ...dht(1, 0, AC_EOB), ...dht(0, 1, DC_CHROMA), ...dht(1, 1, AC_EOB)]),
])

function mosaicJpeg(c: Colours, width: number, height: number): Buffer {
  const sof = marker(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
  const sos = marker(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])
  const bits = new BitWriter(c.across * c.down * 6 + 64)
  const pred = [0, 0, 0]
  const ycc = [0, 0, 0]
  for (let i = 0; i < c.rgb.length; i += 3) {
    const r = c.rgb[i]
    const g = c.rgb[i + 1]
    const b = c.rgb[i + 2]
    // JFIF's RGB to YCbCr, level-shifted by 128 (the DCT's DC of a flat block is 8 × that).
    ycc[0] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) - 128
    ycc[1] = Math.round(-0.168736 * r - 0.331264 * g + 0.5 * b)
    ycc[2] = Math.round(0.5 * r - 0.418688 * g - 0.081312 * b)
    for (let k = 0; k < 3; k++) {
      const v = Math.max(-128, Math.min(127, ycc[k]))
      const diff = v - pred[k]
      pred[k] = v
      const size = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff))
      const h = (k === 0 ? DC_LUMA_CODES : DC_CHROMA_CODES)[size]
      bits.put(h.code, h.length)
      if (size > 0) bits.put(diff < 0 ? diff + (1 << size) - 1 : diff, size)
      bits.put(0, 1) // end of block: the AC table's one code, a single 0 bit
    }
  }
  return Buffer.concat([JPEG_HEADER_TABLES, sof, sos, bits.end(), Buffer.from([0xff, 0xd9])])
}
