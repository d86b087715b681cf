#!/usr/bin/env node
/**
 * How fast llmbench makes synthetic images (src/data/images.ts), the work a level of image requests
 * does before its clock starts: N images of W×H in each format, each from its own seed, encoded
 * and base64'd as a request carries it (a data: URL).
 *
 *   npm run build && node bench/images.js [--count 1000] [--size 1024x1024] [--formats png,jpeg]
 *
 * Prints, per format: total seconds, ms per image, mean bytes per image, and images per second.
 */
import { syntheticImage } from '../dist/src/data/images.js'

const args = process.argv.slice(2)
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : dflt
}
const count = Number(arg('count', '1000'))
const [width, height] = arg('size', '1024x1024').split('x').map(Number)
const formats = arg('formats', 'png,jpeg').split(',')

console.log(`${count} images of ${width}x${height} on ${process.version}, one seed each, base64 data URLs`)
for (const format of formats) {
  syntheticImage(0, 64, 64, format) // warm up the code paths
  let bytes = 0
  let chars = 0
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const img = syntheticImage(i + 1, width, height, format)
    bytes += img.bytes.length
    chars += img.bytes.toString('base64').length
  }
  const ms = performance.now() - start
  console.log(
    `${format.padEnd(5)} ${(ms / 1000).toFixed(2)} s in all, ${(ms / count).toFixed(2)} ms per image, ` +
    `${(bytes / count / 1024).toFixed(1)} KB per image (${(chars / count / 1024).toFixed(1)} KB as base64), ${Math.round((count * 1000) / ms)} images/s`,
  )
}
