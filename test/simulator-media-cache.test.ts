/**
 * The simulator's prefix cache with images and audio (docs/request-kinds.md, "With sessions"): as
 * vLLM hashes an image's content into its blocks, a part sits in the prompt's ids as a run of
 * placeholder ids named by its bytes, as long as its prompt tokens. The same image after the same
 * text is a hit through the image; another image misses from where it starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { chatPrompt, chatPromptTokens } from '../src/simulator/prompt.js'
import { syntheticImage } from '../src/data/images.js'
import { syntheticWav } from '../src/data/audio.js'

const png = (seed: number) => `data:image/png;base64,${syntheticImage(seed, 512, 512, 'png').bytes.toString('base64')}`
/** 85 + 170 per 512-pixel tile: the simulator's default charge for a 512×512 image. */
const IMAGE_TOKENS = 255
const TEXT = 'Describe what this picture shows, in a few words please.'

const userWith = (url: string) => ({ role: 'user', content: [{ type: 'text', text: TEXT }, { type: 'image_url', image_url: { url } }] })
/** A second turn: the first user message as it was, a reply, a new question. */
const secondTurn = (url: string) => [userWith(url), { role: 'assistant', content: 'A mosaic of coloured squares.' }, { role: 'user', content: 'And the colours?' }]

describe('the simulator caches prompts with images and audio', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ trace: true, decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
  })
  afterAll(() => sim.close())

  let n = 0
  async function send(messages: unknown[]): Promise<{ promptTokens: number; cached: number }> {
    const id = `media-cache-${++n}`
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ messages, max_tokens: 4 }),
    })
    expect(res.status).toBe(200)
    const body = await res.json() as { usage: { prompt_tokens: number } }
    return { promptTokens: body.usage.prompt_tokens, cached: sim.trace().get(id)!.cachedTokens! }
  }
  const counters = async () => {
    const text = await (await fetch(`${sim.url}/metrics`)).text()
    const read = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)![1])
    return { hits: read('vllm:prefix_cache_hits_total'), queries: read('vllm:prefix_cache_queries_total') }
  }

  it('the same image after the same text hits through the image; another image misses from where it starts', async () => {
    await fetch(`${sim.url}/reset_prefix_cache`, { method: 'POST' })
    const before = await counters()
    // Where the image starts: the template's 3 tokens and the text.
    const imageStart = chatPromptTokens([{ role: 'user', content: TEXT }]) - 3 - 1
    const first = await send([userWith(png(1))])
    expect(first.cached).toBe(0)
    expect(first.promptTokens).toBe(imageStart + IMAGE_TOKENS + 1 + 3)

    // The same image in the same place: every full block of the first prompt is found, the image's included.
    const same = await send(secondTurn(png(1)))
    expect(same.cached).toBe(Math.floor(first.promptTokens / 16) * 16)
    expect(same.cached).toBeGreaterThan(imageStart + IMAGE_TOKENS - 16)

    // Another image after the same text: only the blocks before the image.
    const other = await send(secondTurn(png(2)))
    expect(other.cached).toBe(Math.floor(imageStart / 16) * 16)

    // The server's counters say the same: the hits are the cached tokens, the queries the prompt tokens.
    const after = await counters()
    expect(after.hits - before.hits).toBe(same.cached + other.cached)
    expect(after.queries - before.queries).toBe(first.promptTokens + same.promptTokens + other.promptTokens)
  })

  it('a clip too: the same WAV hits, and the prompt counts alike with and without the cache', async () => {
    const wav = syntheticWav(7, 2).toString('base64')
    const withClip = (data: string) => [{ role: 'user', content: [{ type: 'text', text: TEXT }, { type: 'input_audio', input_audio: { data, format: 'wav' } }] }]
    const a = await send(withClip(wav))
    const b = await send([...withClip(wav), { role: 'assistant', content: 'Tones.' }, { role: 'user', content: 'How long?' }])
    expect(b.cached).toBe(Math.floor(a.promptTokens / 16) * 16)
    const plain = await startSimulator({ prefixCache: false })
    try {
      const res = await fetch(`${plain.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: withClip(wav), max_tokens: 4 }) })
      expect(((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(a.promptTokens)
    } finally {
      await plain.close()
    }
  })

  it('prompt ids: a run of one placeholder id per part, as long as its tokens, where the part sits', () => {
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'before' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }, { type: 'text', text: ' after' }] }]
    const media = { tokens: 5, runs: [{ id: -7, tokens: 5 }] }
    const p = chatPrompt(messages, true, media)
    expect(p.tokens).toBe(chatPrompt(messages, false, media).tokens)
    const at = p.ids!.indexOf(-7)
    expect(p.ids!.slice(at, at + 6)).toEqual([-7, -7, -7, -7, -7, p.ids![at + 5]])
    expect(p.ids![at + 5]).not.toBe(-7)
    // Text on both sides of the run: 3 template ids, "before", the run, " after", the end and the answer prompt.
    expect(at).toBeGreaterThan(3)
    expect(p.ids!.length - (at + 5)).toBeGreaterThan(1 + 3)
  })
})
