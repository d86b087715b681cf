/**
 * Audio clips: synthetic WAV made from a seed (16 kHz mono 16-bit PCM, a few seeded tones with a
 * little noise, as speech-sized input for audio models), and the length of a WAV file read from
 * its header. The server's cost of a clip depends on its length; here it is exact.
 */
import { mixSeed, mulberry32 } from '../random.js'

export const SAMPLE_RATE = 16_000
/** Longest synthetic clip: a 10-minute clip is already 19 MB. */
export const MAX_SECONDS = 600

export function syntheticWav(seed: number, seconds: number): Buffer {
  if (!(seconds > 0 && seconds <= MAX_SECONDS)) throw new RangeError(`audio length must be above 0 and at most ${MAX_SECONDS} s, got ${seconds}`)
  const n = Math.max(1, Math.round(seconds * SAMPLE_RATE))
  const rng = mulberry32(mixSeed(seed, 0xa0d10))
  const buf = Buffer.alloc(44 + n * 2)
  writeHeader(buf, n)
  // Tones that change every 0.25 s, like syllables: the clip differs from any other seed's.
  const step = SAMPLE_RATE / 4
  let freq = 0
  let phase = 0
  for (let i = 0; i < n; i++) {
    if (i % step === 0) freq = 120 + rng() * 680
    phase += (2 * Math.PI * freq) / SAMPLE_RATE
    const v = 0.3 * Math.sin(phase) + 0.02 * (rng() * 2 - 1)
    buf.writeInt16LE(Math.round(v * 32767), 44 + i * 2)
  }
  return buf
}

function writeHeader(buf: Buffer, samples: number): void {
  buf.write('RIFF', 0, 'latin1')
  buf.writeUInt32LE(36 + samples * 2, 4)
  buf.write('WAVEfmt ', 8, 'latin1')
  buf.writeUInt32LE(16, 16) // PCM header size
  buf.writeUInt16LE(1, 20) // PCM
  buf.writeUInt16LE(1, 22) // mono
  buf.writeUInt32LE(SAMPLE_RATE, 24)
  buf.writeUInt32LE(SAMPLE_RATE * 2, 28) // bytes per second
  buf.writeUInt16LE(2, 32) // block align
  buf.writeUInt16LE(16, 34) // bits per sample
  buf.write('data', 36, 'latin1')
  buf.writeUInt32LE(samples * 2, 40)
}

/** The length in seconds of a WAV file from its `fmt ` and `data` chunks; undefined when it is not one. */
export function wavSeconds(buf: Buffer): number | undefined {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') return undefined
  let byteRate: number | undefined
  let o = 12
  while (o + 8 <= buf.length) {
    const id = buf.toString('latin1', o, o + 4)
    const size = buf.readUInt32LE(o + 4)
    if (id === 'fmt ' && o + 16 <= buf.length) byteRate = buf.readUInt32LE(o + 16)
    if (id === 'data') {
      if (!byteRate) return undefined
      // A streamed WAV may leave the data size unset (0 or 0xffffffff): the rest of the file is data.
      const bytes = size === 0 || size === 0xffffffff ? buf.length - o - 8 : Math.min(size, buf.length - o - 8)
      return bytes / byteRate
    }
    o += 8 + size + (size & 1)
  }
  return undefined
}
