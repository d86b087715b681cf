/**
 * Seeded fuzzing of everything a server's bytes reach: the SSE and NDJSON parsers, every
 * adapter, and the whole client against a TCP server that answers with broken HTTP. Bounded in
 * count and time (the file runs in a few seconds); a failure names the seed and case to replay.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import { SseParser } from '../src/client/sse.js'
import { NdjsonParser } from '../src/client/ndjson.js'
import { ENDPOINTS, getAdapter } from '../src/client/registry.js'
import { RequestTracker } from '../src/client/tracker.js'
import { LlmClient } from '../src/client/http.js'
import type { Adapter, RequestSpec } from '../src/client/adapter.js'
import type { RequestRecord } from '../src/results/types.js'
import { closeRawServers, rawServer } from './helpers/raw-server.js'

const SEED = 20261130
const OUTCOMES = ['ok', 'http', 'connect', 'timeout', 'stream-error', 'parse', 'disconnect', 'empty', 'aborted']

type Rng = () => number
const int = (rng: Rng, n: number) => Math.floor(rng() * n)
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]

// ---------------------------------------------------------------- real-shaped streams

const TOKENS = ['Hello', ' world', ' ', '\n', 'é', '日本', '👍', '"', '\\', '</s>', 'a', ':', 'data:', '\r\n', '']

function vllmChat(rng: Rng): string[] {
  const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":'
  const out = [`${head}[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`]
  const k = int(rng, 12)
  for (let i = 0; i < k; i++) {
    const field = pick(rng, ['content', 'content', 'reasoning_content', 'reasoning'])
    const usage = rng() < 0.3 ? `,"usage":{"prompt_tokens":5,"completion_tokens":${i + 1},"total_tokens":${i + 6}}` : ''
    out.push(`${head}[{"index":0,"delta":{"${field}":${JSON.stringify(pick(rng, TOKENS))}},"logprobs":null,"finish_reason":null}]${usage}}`)
  }
  if (rng() < 0.2) out.push('{"error":{"message":"boom","type":"InternalServerError","code":500}}')
  out.push(`${head}[],"usage":{"prompt_tokens":5,"completion_tokens":${k},"total_tokens":${k + 5},"completion_tokens_details":{"reasoning_tokens":1}}}`)
  out.push('[DONE]')
  return out
}

function completions(rng: Rng): string[] {
  const out: string[] = []
  const k = int(rng, 10)
  for (let i = 0; i < k; i++) out.push(`{"id":"c","object":"text_completion","choices":[{"index":0,"text":${JSON.stringify(pick(rng, TOKENS))},"finish_reason":null}]}`)
  out.push('[DONE]')
  return out
}

function tgi(rng: Rng): string[] {
  const out: string[] = []
  const k = int(rng, 10)
  for (let i = 0; i < k; i++) {
    const last = i === k - 1
    out.push(`{"index":${i + 1},"token":{"id":${i},"text":${JSON.stringify(pick(rng, TOKENS))},"logprob":-0.5,"special":${rng() < 0.1}},"generated_text":${last ? '"all"' : 'null'},"details":${last ? `{"finish_reason":"length","generated_tokens":${k},"input_length":3}` : 'null'}}`)
  }
  return out
}

function triton(rng: Rng): string[] {
  return Array.from({ length: int(rng, 8) }, () => `{"model_name":"ensemble","model_version":"1","sequence_end":false,"sequence_start":false,"text_output":${JSON.stringify(pick(rng, TOKENS))}}`)
}

function sglang(rng: Rng): string[] {
  const out: string[] = []
  let text = ''
  for (let i = 0; i < int(rng, 8); i++) {
    text += pick(rng, TOKENS)
    out.push(`{"text":${JSON.stringify(text)},"meta_info":{"prompt_tokens":4,"completion_tokens":${i + 1}}}`)
  }
  out.push('[DONE]')
  return out
}

/** Anthropic and Responses events carry names: [event, data]. */
function anthropic(rng: Rng): Array<[string, string]> {
  const out: Array<[string, string]> = [['message_start', '{"type":"message_start","message":{"id":"m","usage":{"input_tokens":7,"output_tokens":1}}}']]
  for (let i = 0; i < int(rng, 8); i++) {
    const thinking = rng() < 0.2
    out.push(['content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"${thinking ? 'thinking_delta' : 'text_delta'}","${thinking ? 'thinking' : 'text'}":${JSON.stringify(pick(rng, TOKENS))}}}`])
  }
  out.push(['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}'])
  out.push(['message_stop', '{"type":"message_stop"}'])
  return out
}

function responses(rng: Rng): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (let i = 0; i < int(rng, 8); i++) out.push(['response.output_text.delta', `{"type":"response.output_text.delta","delta":${JSON.stringify(pick(rng, TOKENS))}}`])
  out.push(['response.completed', '{"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":4}}}'])
  return out
}

function ollama(rng: Rng): string[] {
  const out: string[] = []
  for (let i = 0; i < int(rng, 8); i++) out.push(`{"model":"m","message":{"role":"assistant","content":${JSON.stringify(pick(rng, TOKENS))}},"done":false}`)
  out.push('{"model":"m","done":true,"prompt_eval_count":26,"eval_count":5,"eval_duration":1}')
  return out
}

/** Stream events of any protocol, as [event name, data]. */
function realEvents(rng: Rng): Array<[string, string]> {
  const r = int(rng, 8)
  if (r === 6) return anthropic(rng)
  if (r === 7) return responses(rng)
  const gen = [vllmChat, completions, tgi, triton, sglang, ollama][r]
  return gen(rng).map((d) => ['message', d])
}

/** An SSE stream in one of the shapes servers really send (spacing, line ends, comments, fields). */
function sseStream(rng: Rng): string {
  const eol = pick(rng, ['\n', '\n', '\r\n', '\r'])
  const space = rng() < 0.7 ? ' ' : '' // TGI and Triton send `data:` without the space
  let s = rng() < 0.05 ? '\ufeff' : ''
  for (const [event, data] of realEvents(rng)) {
    if (rng() < 0.1) s += `: ping - 2025-01-01 00:00:00${eol}`
    if (event !== 'message' || rng() < 0.05) s += `event:${space}${event}${eol}`
    if (rng() < 0.05) s += `id: ${int(rng, 100)}${eol}retry: 1000${eol}`
    s += `data:${space}${data}${eol}${eol}`
  }
  return s
}

function ndjsonStream(rng: Rng): string {
  const eol = rng() < 0.8 ? '\n' : '\r\n'
  return realEvents(rng).map(([, d]) => d + eol).join('') + (rng() < 0.2 ? '{"done":true' : '')
}

// ---------------------------------------------------------------- mutations

const BAD_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xef, 0xbb, 0xbf]]
const INSERTS = ['\r', '\n', '\r\n', ':', '\n\n', 'data:', 'data: ', 'event: x\n', '\r\r', '{', '}', '"', '[DONE]']

/** Byte flips, truncations, inserted line ends and colons, huge lines, invalid UTF-8, cut or doubled slices. */
function mutate(rng: Rng, input: Buffer): Buffer {
  let b = Buffer.from(input)
  const n = int(rng, 6)
  for (let m = 0; m < n; m++) {
    const at = int(rng, b.length + 1)
    switch (int(rng, 8)) {
      case 0:
        if (b.length > 0) b[Math.min(at, b.length - 1)] ^= 1 << int(rng, 8)
        break
      case 1:
        b = b.subarray(0, at)
        break
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, INSERTS)), b.subarray(at)])
        break
      case 3: {
        // A huge line (up to 200 kB), sometimes without its line end.
        const huge = 'data: ' + 'x'.repeat(10_000 + int(rng, 190_000)) + (rng() < 0.5 ? '\n' : '')
        b = Buffer.concat([b.subarray(0, at), Buffer.from(huge), b.subarray(at)])
        break
      }
      case 4:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(rng, BAD_UTF8)), b.subarray(at)])
        break
      case 5: {
        const end = Math.min(b.length, at + int(rng, 64))
        b = Buffer.concat([b.subarray(0, at), b.subarray(end)])
        break
      }
      case 6: {
        const end = Math.min(b.length, at + int(rng, 64))
        b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)])
        break
      }
      default:
        b = Buffer.concat([b, randomBytes(rng, int(rng, 32))])
    }
  }
  return b
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = int(rng, 256)
  return b
}

/** Random bytes skewed towards the bytes that matter to the parsers. */
function nastyBytes(rng: Rng, n: number): Buffer {
  const b = randomBytes(rng, n)
  const special = [10, 13, 58, 32, 0x64, 0x61, 0x74, 0xff, 0xc3, 0xef]
  for (let i = 0; i < n; i++) if (rng() < 0.3) b[i] = pick(rng, special)
  return b
}

/** Sorted cut points: none, a few, or (for small inputs) every byte. */
function cutPoints(rng: Rng, length: number): number[] {
  if (length < 400 && rng() < 0.1) return Array.from({ length }, (_, i) => i)
  const cuts = Array.from({ length: int(rng, 20) }, () => int(rng, length + 1))
  return cuts.sort((a, b) => a - b)
}

interface Parser { push(chunk: Uint8Array): void; end(): void }

/**
 * Feeds `bytes` in the given pieces, each through one reused buffer that is poisoned after the
 * push, as the socket's read buffer is reused: a parser that kept a view instead of a copy
 * would deliver garbage.
 */
function feed(parser: Parser, bytes: Buffer, cuts: number[]): void {
  const scratch = Buffer.allocUnsafe(Math.max(1, bytes.length))
  let pos = 0
  for (const c of [...cuts, bytes.length]) {
    const n = c - pos
    bytes.copy(scratch, 0, pos, c)
    parser.push(scratch.subarray(0, n))
    scratch.fill(0x5a, 0, n)
    pos = c
  }
  parser.end()
}

// ---------------------------------------------------------------- (a) parsers

describe('fuzz: SSE and NDJSON parsers', () => {
  const makers: Array<[string, (h: (d: string, e: string) => void, l?: (m: string) => void, max?: number) => Parser, (rng: Rng) => string]> = [
    ['sse', (h, l, max) => new SseParser(h, l, max), sseStream],
    ['ndjson', (h, l, max) => new NdjsonParser(h, l, max), ndjsonStream],
  ]
  for (const [name, make, shaped] of makers) {
    it(`${name}: thousands of random and mutated streams, split anywhere, parse the same as whole and never throw`, () => {
      const rng = mulberry32(SEED + name.length)
      let events = 0
      for (let c = 0; c < 2500; c++) {
        const kind = int(rng, 4)
        const bytes = kind === 0 ? nastyBytes(rng, int(rng, 2048))
          : kind === 1 ? Buffer.from(shaped(rng))
          : mutate(rng, Buffer.from(shaped(rng)))
        const whole: string[] = []
        const split: string[] = []
        const where = `case ${c} (kind ${kind}): ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`
        try {
          feed(make((d, e) => whole.push(`${e}|${d}`)), bytes, [])
          const cuts = cutPoints(rng, bytes.length)
          feed(make((d, e) => split.push(`${e}|${d}`)), bytes, cuts)
        } catch (err) {
          throw new Error(`${name} threw on ${where}: ${(err as Error).stack}`)
        }
        expect(split, where).toEqual(whole)
        events += whole.length
      }
      expect(events).toBeGreaterThan(5000) // the shaped streams did produce events
    })

    it(`${name}: a throwing handler's exception is the only one that escapes; the line bound stops delivery`, () => {
      const rng = mulberry32(SEED + 17 + name.length)
      const marker = new Error('handler')
      let limited = 0
      for (let c = 0; c < 1500; c++) {
        const bytes = mutate(rng, Buffer.from(shaped(rng)))
        const cuts = cutPoints(rng, bytes.length)
        // A small bound, so huge lines (and, for SSE, joined data) cross it.
        let limits = 0
        let afterLimit = 0
        const throwing = rng() < 0.5
        const parser = make(
          () => {
            if (limits > 0) afterLimit++
            if (throwing && rng() < 0.3) throw marker
          },
          () => { limits++ },
          4096,
        )
        let pos = 0
        for (const cut of [...cuts, bytes.length, -1]) {
          try {
            if (cut < 0) parser.end()
            else {
              parser.push(bytes.subarray(pos, cut))
              pos = cut
            }
          } catch (err) {
            if (err !== marker) throw new Error(`${name} case ${c}: ${(err as Error).stack}`)
          }
        }
        expect(limits, `case ${c}`).toBeLessThanOrEqual(1)
        expect(afterLimit, `case ${c}`).toBe(0)
        limited += limits
      }
      expect(limited).toBeGreaterThan(50) // the bound was exercised
    })
  }
})

// ---------------------------------------------------------------- (b) adapters

const KEYS = ['choices', 'delta', 'content', 'text', 'reasoning_content', 'reasoning', 'tool_calls', 'function', 'arguments',
  'usage', 'prompt_tokens', 'completion_tokens', 'completion_tokens_details', 'reasoning_tokens', 'error', 'message', 'object',
  'type', 'token', 'special', 'details', 'generated_tokens', 'input_length', 'prefill', 'generated_text', 'meta_info', 'done',
  'eval_count', 'prompt_eval_count', 'response', 'thinking', 'text_output', 'data', 'output', 'input_tokens', 'output_tokens',
  'index', 'role', 'code', '__proto__', 'constructor', 'toString']

function randomJson(rng: Rng, depth = 0): unknown {
  const r = int(rng, depth > 3 ? 6 : 9)
  switch (r) {
    case 0: return null
    case 1: return rng() < 0.5
    case 2: return pick(rng, [0, 1, -1, 2.5, 1e308, -1e308, 2 ** 53, 7])
    case 3: return pick(rng, TOKENS)
    case 4: return pick(rng, ['content_block_delta', 'text_delta', 'thinking_delta', 'message_delta', 'message_start', 'message_stop',
      'response.output_text.delta', 'response.completed', 'response.failed', 'error', 'input_json_delta', 'response.incomplete'])
    case 5: return pick(rng, KEYS)
    case 6: case 7: {
      const o: Record<string, unknown> = {}
      for (let i = int(rng, 5); i > 0; i--) Object.defineProperty(o, pick(rng, KEYS), { value: randomJson(rng, depth + 1), enumerable: true, configurable: true, writable: true })
      return o
    }
    default:
      return Array.from({ length: int(rng, 4) }, () => randomJson(rng, depth + 1))
  }
}

/** One event's data: real, mutated, random JSON or random text. */
function eventData(rng: Rng): [string, string] {
  const r = int(rng, 10)
  if (r < 3) return pick(rng, realEvents(rng)) ?? ['message', '[DONE]']
  if (r < 5) {
    const [e, d] = pick(rng, realEvents(rng)) ?? ['message', '{}']
    return [e, mutate(rng, Buffer.from(d)).toString(rng() < 0.5 ? 'utf8' : 'latin1')]
  }
  if (r < 8) return [pick(rng, ['message', 'content_block_delta', 'message_delta', 'response.output_text.delta', 'error', 'response.completed', '']), JSON.stringify(randomJson(rng))]
  if (r === 8) return ['message', pick(rng, ['[DONE]', '', ' ', 'null', '0', '"x"', '[]', '{', '{"choices":[{"delta":{"content":"x"}}]', '{"delta":{"content":"x"}}'])]
  return ['message', nastyBytes(rng, int(rng, 300)).toString('utf8')]
}

function checkRecord(r: RequestRecord, where: () => string): void {
  // One expect per record (thousands of records): collect what is wrong first.
  const wrong: string[] = []
  if (!OUTCOMES.includes(r.outcome)) wrong.push(`outcome ${r.outcome}`)
  if (!(Number.isFinite(r.outputTokens) && r.outputTokens >= 0)) wrong.push(`outputTokens ${r.outputTokens}`)
  if (!(Number.isFinite(r.inputTokens) && r.inputTokens >= 0)) wrong.push(`inputTokens ${r.inputTokens}`)
  if (r.reasoningTokens !== undefined && !Number.isFinite(r.reasoningTokens)) wrong.push(`reasoningTokens ${r.reasoningTokens}`)
  if (!(r.tokenTimes ?? []).every(Number.isFinite)) wrong.push('tokenTimes')
  if (!(r.tokenCounts ?? []).every((x) => Number.isFinite(x) && x >= 1)) wrong.push('tokenCounts')
  if (r.outcome !== 'ok' && typeof r.error?.message !== 'string') wrong.push('error message')
  if (wrong.length > 0) expect(wrong, `${where()}: ${JSON.stringify(r)}`).toEqual([])
}

describe('fuzz: adapters', () => {
  for (const name of ENDPOINTS.filter((e) => e !== 'auto')) {
    it(`${name}: random and mutated events and bodies never throw and always make a valid record`, () => {
      const adapter = getAdapter(name)
      const rng = mulberry32(SEED + name.charCodeAt(0) * 31 + name.length)
      const outcomes = new Set<string>()
      for (let c = 0; c < 1500; c++) {
        const stream = rng() < 0.75
        const t = new RequestTracker(c, false, stream, 0, 5, adapter.generates !== false)
        t.sentAt = 1
        const trail: string[] = []
        try {
          if (stream) {
            for (let i = int(rng, 25); i > 0; i--) {
              const [event, data] = eventData(rng)
              trail.push(`${event}|${data.slice(0, 200)}`)
              t.readAt += 1 + rng()
              adapter.onEvent(data, event, t)
            }
          } else {
            const body = rng() < 0.5 ? JSON.stringify(randomJson(rng)) : eventData(rng)[1]
            trail.push(body.slice(0, 200))
            t.readAt = 2
            adapter.onBody(body, t)
          }
        } catch (err) {
          throw new Error(`${name} case ${c} threw after ${JSON.stringify(trail)}: ${(err as Error).stack}`)
        }
        const r = t.toRecord(t.readAt + 1)
        checkRecord(r, () => `${name} case ${c}: ${JSON.stringify(trail)}`)
        outcomes.add(r.outcome)
      }
      expect(outcomes.size).toBeGreaterThanOrEqual(2)
    })
  }
})

// ---------------------------------------------------------------- (c) the client against broken HTTP

afterEach(closeRawServers)

const chunked = (body: string, rng: Rng) => {
  // Chunk boundaries anywhere, as servers flush.
  let out = ''
  let pos = 0
  while (pos < body.length) {
    const n = 1 + int(rng, 200)
    const piece = body.slice(pos, pos + n)
    out += `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`
    pos += n
  }
  return out + '0\r\n\r\n'
}

/** One answer to a request: valid or broken in one of the ways a wire can be. */
function randomResponse(rng: Rng): { bytes: Buffer; then: 'keep' | 'close' | 'stall' } {
  const sse = sseStream(rng)
  const ndjson = rng() < 0.1
  const body = ndjson ? ndjsonStream(rng) : sse
  const ctype = ndjson ? 'application/x-ndjson' : 'text/event-stream'
  const good = `HTTP/1.1 200 OK\r\ncontent-type: ${ctype}\r\ntransfer-encoding: chunked\r\n\r\n${chunked(body, rng)}`
  const json = JSON.stringify({ choices: [{ message: { content: 'hi there' } }], usage: { prompt_tokens: 2, completion_tokens: 2 } })
  const r = int(rng, 16)
  const b = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s)
  switch (r) {
    case 0: return { bytes: b(good), then: 'keep' }
    case 1: return { bytes: b(`HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`), then: 'keep' }
    case 2: return { bytes: b(`HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n${sse}`), then: 'close' }
    case 3: return { bytes: b(pick(rng, ['HTTP/1.1 abc OK\r\n\r\n', 'HTTP/2 200\r\n\r\n', 'SSH-2.0-OpenSSH\r\n\r\n', '\r\n\r\n', 'HTTP/1.1 200\r\n\r\n', 'HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n'])), then: pick(rng, ['keep', 'close'] as const) }
    case 4: // bad chunk size
      return { bytes: b(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${pick(rng, ['zz', '-1', 'fffffffffffffffff', '', ' ', '5;ext=1', '0x10'])}\r\ndata: x\r\n`), then: pick(rng, ['keep', 'close', 'stall'] as const) }
    case 5: { // truncated chunk, then close or silence
      const g = b(good)
      return { bytes: g.subarray(0, int(rng, g.length)), then: pick(rng, ['close', 'stall'] as const) }
    }
    case 6: { // garbage after the body
      return { bytes: Buffer.concat([b(good), nastyBytes(rng, 1 + int(rng, 50))]), then: 'keep' }
    }
    case 7: return { bytes: randomBytes(rng, int(rng, 300)), then: pick(rng, ['keep', 'close', 'stall'] as const) }
    case 8: case 9: return { bytes: mutate(rng, b(good)), then: pick(rng, ['keep', 'close', 'stall'] as const) }
    case 10: { // an error status with a body
      const status = pick(rng, [400, 404, 429, 500, 503])
      const e = '{"object":"error","message":"no","type":"X","code":' + status + '}'
      return { bytes: b(`HTTP/1.1 ${status} Err\r\ncontent-length: ${e.length}\r\n\r\n${e}`), then: 'keep' }
    }
    case 11: return { bytes: b('HTTP/1.1 100 Continue\r\n\r\n' + good), then: 'keep' }
    case 12: return { bytes: Buffer.alloc(0), then: pick(rng, ['close', 'stall'] as const) }
    case 13: // a content-length longer than the body
      return { bytes: b(`HTTP/1.1 200 OK\r\ncontent-length: ${json.length + 10}\r\n\r\n${json}`), then: pick(rng, ['close', 'stall'] as const) }
    case 14: // bad content-length
      return { bytes: b(`HTTP/1.1 200 OK\r\ncontent-length: ${pick(rng, ['abc', '-5', '1e3', '99999999999999999999'])}\r\n\r\n${json}`), then: 'keep' }
    default: { // a valid response cut at a random point
      const g = b(good)
      return { bytes: g.subarray(0, int(rng, g.length + 1)), then: 'close' }
    }
  }
}

describe('fuzz: the client against a server that answers with broken HTTP', () => {
  it('every send resolves with a valid outcome, none hangs, and the client closes cleanly', async () => {
    const rng = mulberry32(SEED + 99)
    const { url, open } = await rawServer(async (socket) => {
      const { bytes, then } = randomResponse(rng)
      // In a few pieces, a millisecond apart, so reads split anywhere.
      const pieces = rng() < 0.5 ? [bytes.length] : cutPoints(rng, bytes.length).slice(0, 6).concat(bytes.length)
      let pos = 0
      for (const cut of pieces) {
        if (socket.destroyed) return
        if (cut > pos) socket.write(bytes.subarray(pos, cut))
        pos = Math.max(pos, cut)
        if (pieces.length > 1) await new Promise((r) => setTimeout(r, int(rng, 2)))
      }
      if (then === 'close') socket.end()
    })

    const client = new LlmClient({ server: url, connections: 8, timeoutMs: 400, idleTimeoutMs: 150, headers: {} })
    const adapters: Adapter[] = ['chat', 'completions', 'tgi', 'anthropic', 'ollama', 'responses'].map(getAdapter)
    const spec: RequestSpec = { model: 'm', prompt: 'hi', promptTokens: 1, maxTokens: 4, stream: true, ignoreEos: false, includeUsage: true, continuousUsage: false, body: {} }
    const TOTAL = 320
    const records: RequestRecord[] = []
    let next = 0
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++
        const adapter = adapters[i % adapters.length]
        const stream = i % 5 !== 0
        const t = new RequestTracker(i, false, stream, 0, 1)
        records.push(await client.send(adapter, adapter.buildRequest({ ...spec, stream }), t, `fuzz-${i}`))
      }
    }
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`hung: ${records.length}/${TOTAL} done`)), 15_000) })
    await Promise.race([Promise.all(Array.from({ length: 8 }, worker)), hang])
    clearTimeout(timer)

    expect(records).toHaveLength(TOTAL)
    const kinds: Record<string, number> = {}
    for (const r of records) {
      checkRecord(r, () => `request ${r.index}`)
      kinds[r.outcome] = (kinds[r.outcome] ?? 0) + 1
      // The timeouts bound every request (plus one sweep and a loaded machine's slack).
      expect(r.endAt - r.sentAt, `request ${r.index}`).toBeLessThan(3_000)
    }
    console.log('fuzz outcomes:', JSON.stringify(kinds))
    expect(Object.keys(kinds).length).toBeGreaterThanOrEqual(5)
    expect(kinds.ok).toBeGreaterThan(0)

    await client.close()
    expect((client as unknown as { sweeper: unknown }).sweeper).toBeUndefined()
    // Every connection the client opened is closed.
    for (let i = 0; i < 100 && open.size > 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(open.size).toBe(0)
  })
})
