import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/random.js'
import { SseParser } from '../src/client/sse.js'

type Ev = [event: string, data: string]

const enc = new TextEncoder()
const bytes = (s: string): Uint8Array => enc.encode(s)

/** Feed the pieces, then end(); return every (event, data) in order. */
function parse(pieces: Uint8Array[], end = true): Ev[] {
  const out: Ev[] = []
  const p = new SseParser((data, event) => out.push([event, data]))
  for (const piece of pieces) p.push(piece)
  if (end) p.end()
  return out
}

const parseStr = (...pieces: string[]): Ev[] => parse(pieces.map(bytes))

const rng = mulberry32

/** Views into one backing array (non-zero byteOffset, not Buffers) — what fetch() readers hand out. */
function randomPieces(b: Uint8Array, seed: number, maxLen: number): Uint8Array[] {
  const r = rng(seed)
  const out: Uint8Array[] = []
  for (let i = 0; i < b.length; ) {
    const len = 1 + Math.floor(r() * maxLen)
    out.push(b.subarray(i, i + len))
    i += len
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Real-shaped streams
// ---------------------------------------------------------------------------------------------

const vllmChunk = (delta: string, finish: string | null = null): string =>
  `{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":${delta},"finish_reason":${
    finish === null ? 'null' : JSON.stringify(finish)
  }}]}`

const vllmPayloads: string[] = [
  vllmChunk('{"role":"assistant","content":""}'),
  vllmChunk('{"content":"héllo"}'),
  vllmChunk('{"content":" "}'), // a token that is a single space
  vllmChunk('{"content":"日本語"}'),
  vllmChunk('{"content":"\\n"}'), // "\n" escaped in the JSON text
  vllmChunk('{"content":"👍"}'),
  vllmChunk('{"content":" done"}'),
  vllmChunk('{}', 'stop'),
  '{"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}',
  '[DONE]',
]
const vllmStream = vllmPayloads.map((d) => `data: ${d}\n\n`).join('')
const vllmExpected: Ev[] = vllmPayloads.map((d) => ['message', d])

const tgiPayloads: string[] = [
  '{"index":1,"token":{"id":9906,"text":"Hello","logprob":-0.1,"special":false},"generated_text":null,"details":null}',
  '{"index":2,"token":{"id":220,"text":" ","logprob":-0.2,"special":false},"generated_text":null,"details":null}',
  '{"index":3,"token":{"id":1917,"text":"wörld 🌍","logprob":-0.3,"special":false},"generated_text":null,"details":null}',
  '{"index":4,"token":{"id":2,"text":"</s>","logprob":-0.4,"special":true},"generated_text":"Hello wörld 🌍","details":null}',
]
const tgiStream = tgiPayloads.map((d) => `data:${d}\n\n`).join('')
const tgiExpected: Ev[] = tgiPayloads.map((d) => ['message', d])

// sse-starlette style: CRLF line endings and comment pings.
const crlfStream =
  ': ping - 2025-01-01 00:00:00.000000\r\n\r\n' +
  'data: {"choices":[{"delta":{"content":"日本"}}]}\r\n\r\n' +
  ': ping - 2025-01-01 00:00:15.000000\r\n\r\n' +
  'data: {"choices":[{"delta":{"content":" "}}]}\r\n\r\n' +
  // Multi-line events: a CRLF counted as two line endings would split or untype these.
  'event: content_block_delta\r\nid: 9\r\ndata: {"a":\r\ndata: "👍"}\r\n\r\n' +
  'data: x\r\n: ping\r\ndata: y\r\n\r\n' +
  'data: [DONE]\r\n\r\n'
const crlfExpected: Ev[] = [
  ['message', '{"choices":[{"delta":{"content":"日本"}}]}'],
  ['message', '{"choices":[{"delta":{"content":" "}}]}'],
  ['content_block_delta', '{"a":\n"👍"}'],
  ['message', 'x\ny'],
  ['message', '[DONE]'],
]

const crStream = 'data: a👍\r\r:ping\r\rdata:b\rdata: c\r\revent: x\rdata: d\r\r'
const crExpected: Ev[] = [
  ['message', 'a👍'],
  ['message', 'b\nc'],
  ['x', 'd'],
]

const anthropicEvents: Ev[] = [
  ['message_start', '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude","usage":{"input_tokens":10,"output_tokens":1}}}'],
  ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Héllo"}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" 日本語 👍"}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}'],
  ['message_stop', '{"type":"message_stop"}'],
]
const anthropicStream = anthropicEvents.map(([e, d]) => `event: ${e}\ndata: ${d}\n\n`).join('')

const multiLineStream =
  'data: first\ndata: second\n\n' +
  'id: 7\nretry: 1000\ndata:{\ndata:  "k": " "\ndata:}\n\n' +
  'data\ndata\n\n' +
  ': keep-alive\n\n' +
  'event: multi\ndata: α\n: inside\ndata: β\n\n'
const multiLineExpected: Ev[] = [
  ['message', 'first\nsecond'],
  ['message', '{\n "k": " "\n}'],
  ['message', '\n'],
  ['multi', 'α\nβ'],
]

// Mixed endings, BOM, and a final event without its blank line (dispatched by end()).
const mixedStream = '\uFEFFdata: bom\r\n\ndata: x\r\revent: e\ndata: 😀\r\n\rdata: tail'
const mixedExpected: Ev[] = [
  ['message', 'bom'],
  ['message', 'x'],
  ['e', '😀'],
  ['message', 'tail'],
]

const streams: Array<[name: string, text: string, expected: Ev[]]> = [
  ['vLLM chat', vllmStream, vllmExpected],
  ['TGI data: without space', tgiStream, tgiExpected],
  ['CRLF with comment pings', crlfStream, crlfExpected],
  ['CR-only', crStream, crExpected],
  ['Anthropic event: lines', anthropicStream, anthropicEvents],
  ['multi-line data', multiLineStream, multiLineExpected],
  ['mixed endings, BOM, unterminated end', mixedStream, mixedExpected],
]

describe('SseParser: real-shaped streams, every way of splitting them', () => {
  for (const [name, text, expected] of streams) {
    describe(name, () => {
      const b = bytes(text)

      it('whole stream in one push gives the expected events', () => {
        expect(parse([b])).toEqual(expected)
      })

      it('split in two at every byte offset', () => {
        for (let i = 0; i <= b.length; i++) {
          const got = parse([b.subarray(0, i), b.subarray(i)])
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            expect(got, `split at ${i}`).toEqual(expected)
          }
        }
      })

      it('split in two at every byte offset, as copied Buffers', () => {
        for (let i = 0; i <= b.length; i++) {
          const got = parse([Buffer.from(b.subarray(0, i)), Buffer.from(b.subarray(i))])
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            expect(got, `split at ${i}`).toEqual(expected)
          }
        }
      })

      it('one byte per push', () => {
        const pieces: Uint8Array[] = []
        for (let i = 0; i < b.length; i++) pieces.push(b.subarray(i, i + 1))
        expect(parse(pieces)).toEqual(expected)
      })

      it('random-size pieces (seeded)', () => {
        for (let seed = 1; seed <= 200; seed++) {
          const maxLen = 1 + (seed % 40)
          const got = parse(randomPieces(b, seed, maxLen))
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            expect(got, `seed ${seed}, maxLen ${maxLen}`).toEqual(expected)
          }
        }
      })
    })
  }

  it('vLLM stream: the decoded deltas reassemble the text', () => {
    let text = ''
    for (const [, data] of parse([bytes(vllmStream)])) {
      if (data === '[DONE]') break
      const j = JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }
      for (const c of j.choices) text += c.delta.content ?? ''
    }
    expect(text).toBe('héllo 日本語\n👍 done')
  })
})

// ---------------------------------------------------------------------------------------------
// One rule per test
// ---------------------------------------------------------------------------------------------

describe('SseParser: line endings', () => {
  it('LF ends lines', () => {
    expect(parseStr('data: a\n\n')).toEqual([['message', 'a']])
  })

  it('CRLF ends lines', () => {
    expect(parseStr('data: a\r\n\r\n')).toEqual([['message', 'a']])
  })

  it('CRLF inside one chunk is one line ending, not two', () => {
    expect(parseStr('event: e\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([['e', 'a\nb']])
  })

  it('CR alone ends lines', () => {
    expect(parseStr('data: a\r\r')).toEqual([['message', 'a']])
  })

  it('CR at the end of a chunk and LF at the start of the next are one line ending', () => {
    // Counted as two endings, the LF would be a blank line dispatching "a" on its own.
    expect(parse([bytes('data: a\r'), bytes('\ndata: b\r'), bytes('\n\r'), bytes('\n')], false)).toEqual([
      ['message', 'a\nb'],
    ])
  })

  it('a chunk that is just the LF after a CR is consumed', () => {
    expect(parse([bytes('data: a\r'), bytes('\n'), bytes('\n')], false)).toEqual([['message', 'a']])
  })

  it('CR at the end of a chunk followed by a non-LF byte', () => {
    expect(parse([bytes('data: a\r'), bytes('data: b\r'), bytes('\r')], false)).toEqual([['message', 'a\nb']])
  })

  it('an empty push changes nothing, even between CR and LF', () => {
    expect(parse([bytes('data: a\r'), new Uint8Array(0), bytes('\n\n')], false)).toEqual([['message', 'a']])
  })

  it('LF CR is two line endings (an event, then a blank line)', () => {
    expect(parseStr('data: a\n\rdata: b\n\r')).toEqual([
      ['message', 'a'],
      ['message', 'b'],
    ])
  })
})

describe('SseParser: comments', () => {
  it('a line starting with ":" is ignored', () => {
    expect(parseStr(': ping - 2025-01-01 00:00:00\n\n')).toEqual([])
  })

  it('a comment between data lines neither dispatches nor adds data', () => {
    expect(parseStr('data: a\n: ping\ndata: b\n\n')).toEqual([['message', 'a\nb']])
  })

  it('a bare ":" is a comment', () => {
    expect(parseStr(':\n\ndata: x\n\n')).toEqual([['message', 'x']])
  })
})

describe('SseParser: fields', () => {
  it('"data:x" and "data: x" give the same value', () => {
    expect(parseStr('data:x\n\ndata: x\n\n')).toEqual([
      ['message', 'x'],
      ['message', 'x'],
    ])
  })

  it('exactly one space after the colon is stripped', () => {
    expect(parseStr('data:  x\n\n')).toEqual([['message', ' x']])
  })

  it('a value that is a single space is kept ("data:  ")', () => {
    expect(parseStr('data:  \n\n')).toEqual([['message', ' ']])
  })

  it('other whitespace is never trimmed (tabs, trailing spaces)', () => {
    expect(parseStr('data:\t x \t\n\n')).toEqual([['message', '\t x \t']])
  })

  it('"data:" with nothing after it is a data line with an empty value', () => {
    expect(parseStr('data:\n\n')).toEqual([['message', '']])
  })

  it('a line without a colon is a field with an empty value ("data")', () => {
    expect(parseStr('data\n\n')).toEqual([['message', '']])
  })

  it('a line without a colon naming "event" resets the type to the default', () => {
    expect(parseStr('event: x\nevent\ndata: a\n\n')).toEqual([['message', 'a']])
  })

  it('colons inside the value are kept', () => {
    expect(parseStr('data: {"a":"b:c"}\n\n')).toEqual([['message', '{"a":"b:c"}']])
  })

  it('id, retry and unknown fields are ignored', () => {
    expect(parseStr('id: 1\nretry: 10\nfoo: bar\ndata: a\nid\nfoo\n\n')).toEqual([['message', 'a']])
  })

  it('field names are case-sensitive', () => {
    expect(parseStr('Data: a\nEVENT: b\ndata: c\n\n')).toEqual([['message', 'c']])
  })

  it('field names that merely start like "data" or "event" are unknown', () => {
    expect(parseStr('datum: a\ndatas: b\nevents: c\neven: d\ndata: e\n\n')).toEqual([['message', 'e']])
  })

  it('an unknown field with a space before the colon is not "data"', () => {
    expect(parseStr('data : a\ndata: b\n\n')).toEqual([['message', 'b']])
  })
})

describe('SseParser: events', () => {
  it('the event type defaults to "message"', () => {
    expect(parseStr('data: a\n\n')).toEqual([['message', 'a']])
  })

  it('the last event: line of an event wins', () => {
    expect(parseStr('event: a\nevent: b\ndata: x\n\n')).toEqual([['b', 'x']])
  })

  it('"event:" with an empty value means the default', () => {
    expect(parseStr('event:\ndata: x\n\n')).toEqual([['message', 'x']])
  })

  it('the event type resets after each event', () => {
    expect(parseStr('event: content_block_delta\ndata: 1\n\ndata: 2\n\n')).toEqual([
      ['content_block_delta', '1'],
      ['message', '2'],
    ])
  })

  it('a blank line without data dispatches nothing', () => {
    expect(parseStr('\n\n\nid: 3\n\n')).toEqual([])
  })

  it('an event with only an event: line dispatches nothing and its type does not leak', () => {
    expect(parseStr('event: ping\n\ndata: x\n\n')).toEqual([['message', 'x']])
  })

  it('several data: lines join with "\\n"', () => {
    expect(parseStr('data: a\ndata: b\ndata: c\n\n')).toEqual([['message', 'a\nb\nc']])
  })

  it('empty data lines contribute empty lines to the join', () => {
    expect(parseStr('data:\ndata: a\ndata:\n\n')).toEqual([['message', '\na\n']])
  })

  it('one read carrying many events dispatches all of them in order', () => {
    let s = ''
    const want: Ev[] = []
    for (let i = 0; i < 500; i++) {
      const type = i % 3 === 0 ? `t${i}` : 'message'
      if (type !== 'message') s += `event: ${type}\n`
      s += `data: {"i":${i}}\n\n`
      want.push([type, `{"i":${i}}`])
    }
    const calls: Ev[] = []
    const p = new SseParser((data, event) => calls.push([event, data]))
    p.push(bytes(s))
    expect(calls).toEqual(want) // all dispatched by push itself, before end()
  })

  it('the handler receives (data, event)', () => {
    const seen: unknown[][] = []
    const p = new SseParser((...args) => seen.push(args))
    p.push(bytes('event: e\ndata: d\n\n'))
    expect(seen).toEqual([['d', 'e']])
  })
})

describe('SseParser: encoding', () => {
  it('a UTF-8 BOM at the start of the stream is skipped', () => {
    expect(parse([new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: a\n\n')])])).toEqual([['message', 'a']])
  })

  it('a BOM split across pushes is still skipped', () => {
    expect(parse([new Uint8Array([0xef]), new Uint8Array([0xbb]), new Uint8Array([0xbf]), bytes('data: a\n\n')])).toEqual([
      ['message', 'a'],
    ])
  })

  it('only one BOM is skipped: a second one makes the first field unknown', () => {
    expect(parseStr('\uFEFF\uFEFFdata: a\ndata: b\n\n')).toEqual([['message', 'b']])
  })

  it('a BOM later in the stream is not skipped', () => {
    expect(parseStr('data: a\n\n\uFEFFdata: b\n\ndata: \uFEFFc\n\n')).toEqual([
      ['message', 'a'],
      ['message', '\uFEFFc'],
    ])
  })

  it('a multi-byte character split across pushes decodes whole', () => {
    const b = bytes('data: 👍日\n\n') // 👍 is 4 bytes, 日 is 3
    for (let i = 7; i < 13; i++) {
      expect(parse([b.subarray(0, i), b.subarray(i)])).toEqual([['message', '👍日']])
    }
  })

  it('invalid UTF-8 becomes U+FFFD, as the WHATWG decoder does', () => {
    expect(parse([new Uint8Array([...bytes('data: a'), 0xff, 0xc3, ...bytes('b\n\n')])])).toEqual([
      ['message', 'a\uFFFD\uFFFDb'],
    ])
  })

  it('event names may be non-ASCII', () => {
    expect(parseStr('event: ünïcode\ndata: x\n\n')).toEqual([['ünïcode', 'x']])
  })
})

describe('SseParser: chunk handling', () => {
  it('accepts plain Uint8Array views with a non-zero byteOffset', () => {
    const backing = bytes('XXXXdata: a\n\nYYYY')
    const view = new Uint8Array(backing.buffer, 4, backing.length - 8)
    expect(parse([view])).toEqual([['message', 'a']])
  })

  it('copies the unterminated tail: the caller may reuse its buffer after push()', () => {
    const out: Ev[] = []
    const p = new SseParser((data, event) => out.push([event, data]))
    const reused = new Uint8Array(64)
    const feed = (s: string) => {
      const b = bytes(s)
      reused.set(b)
      p.push(reused.subarray(0, b.length))
      reused.fill(0x21) // scribble over it
    }
    feed('data: hel')
    feed('lo wor')
    feed('ld\n\n')
    expect(out).toEqual([['message', 'hello world']])
  })

  it('a line spanning many pushes (longer than the reusable tail buffer)', () => {
    const value = 'x'.repeat(200_000) + '日本'
    const b = bytes(`data: ${value}\n\ndata: after\n\n`)
    for (const seed of [1, 2]) {
      expect(parse(randomPieces(b, seed, 5000))).toEqual([
        ['message', value],
        ['message', 'after'],
      ])
    }
  })

  it('a parser keeps working after a huge line released its tail buffer', () => {
    const out: Ev[] = []
    const p = new SseParser((data, event) => out.push([event, data]))
    const big = 'y'.repeat(100_000)
    p.push(bytes(`data: ${big.slice(0, 50_000)}`))
    p.push(bytes(`${big.slice(50_000)}\n\ndata: sm`))
    p.push(bytes('all\n\n'))
    expect(out).toEqual([
      ['message', big],
      ['message', 'small'],
    ])
  })
})

describe('SseParser: end()', () => {
  it('dispatches a pending event whose blank line never came', () => {
    const out: Ev[] = []
    const p = new SseParser((data, event) => out.push([event, data]))
    p.push(bytes('event: e\ndata: a\ndata: b\n'))
    expect(out).toEqual([])
    p.end()
    expect(out).toEqual([['e', 'a\nb']])
  })

  it('includes a final unterminated line', () => {
    expect(parseStr('data: a\ndata: b')).toEqual([['message', 'a\nb']])
  })

  it('a final unterminated event: line still sets the type', () => {
    expect(parseStr('data: a\nevent: last')).toEqual([['last', 'a']])
  })

  it('dispatches nothing when nothing is pending', () => {
    expect(parseStr('data: a\n\n')).toEqual([['message', 'a']])
    expect(parseStr('')).toEqual([])
    expect(parseStr(': ping')).toEqual([])
  })

  it('dispatches nothing for a pending event without data', () => {
    expect(parseStr('event: x\nid: 2\n')).toEqual([])
    expect(parseStr('event: x')).toEqual([])
  })

  it('a trailing CR before end() is just a line ending', () => {
    expect(parseStr('data: a\r')).toEqual([['message', 'a']])
  })

  it('is idempotent and resets the parser for a new stream', () => {
    const out: Ev[] = []
    const p = new SseParser((data, event) => out.push([event, data]))
    p.push(bytes('event: e\ndata: a'))
    p.end()
    p.end()
    p.push(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: b\n\n')]))
    p.end()
    expect(out).toEqual([
      ['e', 'a'],
      ['message', 'b'],
    ])
  })
})

describe('SseParser: a range of a larger read buffer', () => {
  // The HTTP reader hands the parser `buf[start, end)` of one shared read buffer; the bytes past
  // `end` are left over from earlier reads and must never be read as this stream's.
  it('reads only [start, end), whatever line endings lie past it', () => {
    const stream = 'data: one\n\ndata: t'
    const rest = 'wo\n\n'
    const shared = Buffer.alloc(4096, 'x\n\ndata: stale\r\n\n')
    const out: Ev[] = []
    const p = new SseParser((data, event) => out.push([event, data]))
    shared.write(stream, 100)
    p.push(shared, 100, 100 + stream.length)
    expect(out).toEqual([['message', 'one']]) // "t" is an unterminated tail, not "t" + stale bytes
    shared.fill('data: stale\n\n')
    shared.write(rest, 7)
    p.push(shared, 7, 7 + rest.length)
    p.end()
    expect(out).toEqual([['message', 'one'], ['message', 'two']])
  })

  it('gives the same events as whole chunks, for every split of a real stream', () => {
    const text = ['data: {"a":1}', '', 'event: x', 'data: b\r', 'data: c', '', ''].join('\n') + 'data: {"z":true}\r\n\r\n'
    const whole = parseStr(text)
    const b = Buffer.from(text)
    for (let cut = 0; cut <= b.length; cut++) {
      const shared = Buffer.alloc(b.length + 64, '\n')
      const out: Ev[] = []
      const p = new SseParser((data, event) => out.push([event, data]))
      b.copy(shared, 10, 0, cut)
      p.push(shared, 10, 10 + cut)
      shared.fill('\r')
      b.copy(shared, 3, cut)
      p.push(shared, 3, 3 + b.length - cut)
      p.end()
      expect(out).toEqual(whole)
    }
  })
})
