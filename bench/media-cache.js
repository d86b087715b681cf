#!/usr/bin/env node
/**
 * The simulator's cost of a chat request with images (src/simulator/media.ts, prompt.ts): parsing
 * a session's turn whose first user message carries N images of W×H, with the prefix cache off
 * (the images' sizes read, their tokens charged) and on (also each image hashed once and its
 * placeholder run put in the prompt's ids), then the cache's lookup of those ids.
 *
 *   npm run build && node bench/media-cache.js [--count 2000] [--images 1] [--size 1024x1024] [--history 2000]
 *
 * Prints, per setting, ms per request to parse, and with the cache ms per lookup, and the prompt's tokens.
 */
import { openaiChat } from '../dist/src/simulator/protocols/openai.js'
import { resolveOptions } from '../dist/src/simulator/options.js'
import { PrefixCache } from '../dist/src/simulator/prefix-cache.js'
import { syntheticImage } from '../dist/src/data/images.js'
import { numberArg, parseArgs } from './args.js'

const args = parseArgs(process.argv.slice(2))
const count = numberArg(args, 'count', 2000)
const images = numberArg(args, 'images', 1)
const [width, height] = String(args.size ?? '1024x1024').split('x').map(Number)
const historyWords = numberArg(args, 'history', 2000)

const parts = Array.from({ length: images }, (_, j) => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${syntheticImage(j + 1, width, height, 'png').bytes.toString('base64')}` } }))
const words = (n, seed) => Array.from({ length: n }, (_, i) => `word${(i * 7919 + seed) % 5000}`).join(' ')
// A third turn: the first user message with its images, a reply, a second turn and its reply, a question.
const body = JSON.stringify({
  max_tokens: 16,
  messages: [
    { role: 'user', content: [{ type: 'text', text: words(historyWords / 4, 1) }, ...parts] },
    { role: 'assistant', content: words(historyWords / 4, 2) },
    { role: 'user', content: words(historyWords / 4, 3) },
    { role: 'assistant', content: words(historyWords / 4, 4) },
    { role: 'user', content: 'And then?' },
  ],
})

console.log(`${count} chat requests of ${images} ${width}x${height} PNG image(s) (${Math.round(body.length / 1024)} KB body) on ${process.version}`)
for (const prefixCache of [false, true]) {
  const opts = resolveOptions({ prefixCache })
  const cache = new PrefixCache(opts.kvCacheTokens, opts.blockSize)
  // The body is parsed from its text each time, as the server does.
  const parse = () => openaiChat.parse(JSON.parse(body), { opts })
  for (let i = 0; i < 50; i++) parse()
  let parseMs = 0
  let lookupMs = 0
  let tokens = 0
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const p = parse()
    const t1 = performance.now()
    parseMs += t1 - t0
    tokens = p.gen.promptTokens
    if (p.gen.promptIds) {
      cache.admit(p.gen.promptIds)
      lookupMs += performance.now() - t1
    }
  }
  const lookup = prefixCache ? `, ${(lookupMs / count).toFixed(3)} ms per cache lookup (hits ${Math.round((100 * cache.hits) / cache.queries)}%)` : ''
  console.log(`prefix cache ${prefixCache ? 'on ' : 'off'}: ${(parseMs / count).toFixed(3)} ms per request to parse${lookup}, ${tokens} prompt tokens`)
}
