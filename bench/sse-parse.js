// Micro-benchmark of the SSE parser on a vLLM-like chat stream.
//
//   npx tsc -p tsconfig.json && node bench/sse-parse.js [streamsPerRun]
//
// One stream = 128 events (role chunk, 124 content chunks, finish chunk, usage chunk, [DONE]). Each run parses
// `streamsPerRun` streams, a fresh parser per stream (as in the load tester), in three shapes:
//   (a) one event per push, as Buffers          (what undici.request / node:http hand out)
//   (a') one event per push, as plain Uint8Array (what fetch() body readers hand out)
//   (b) 4 KB pushes that split events and lines anywhere
// Prints the median of 5 timed runs (after a warm-up run) as ns/event and events/s.
// Each case runs in its own child process: a real process sees one chunk type, and running the
// cases one after another in one process would charge the later ones for polymorphic code.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// tsc's output layout depends on tsconfig's rootDir: dist/client/ (rootDir "src") or dist/src/client/ (rootDir ".").
let SseParser
try {
  ;({ SseParser } = await import('../dist/client/sse.js'))
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err
  ;({ SseParser } = await import('../dist/src/client/sse.js'))
}

const STREAMS = Number(process.argv[2] ?? 20_000)
const CASE = process.argv[3] // set in the child processes
const RUNS = 5

const tokens = ['Hello', ',', ' ', 'world', '!', ' héllo', ' 日本語', ' 👍', '\\n', ' the', ' quick', ' brown', ' fox']
const payloads = []
const chunk = (delta, finish = 'null') =>
  `{"id":"chatcmpl-3f2a9c1e8b7d4a6f","object":"chat.completion.chunk","created":1735689600,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}`
payloads.push(chunk('{"role":"assistant","content":""}'))
for (let i = 0; i < 124; i++) payloads.push(chunk(`{"content":"${tokens[i % tokens.length]}"}`))
payloads.push(chunk('{"content":""}', '"stop"'))
payloads.push(
  '{"id":"chatcmpl-3f2a9c1e8b7d4a6f","object":"chat.completion.chunk","created":1735689600,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[],"usage":{"prompt_tokens":512,"total_tokens":640,"completion_tokens":128}}',
)
payloads.push('[DONE]')
const EVENTS = payloads.length // 128

const eventTexts = payloads.map((p) => `data: ${p}\n\n`)
const whole = Buffer.from(eventTexts.join(''))
const perEventBuffers = eventTexts.map((t) => Buffer.from(t))
const perEventU8 = eventTexts.map((t) => new Uint8Array(Buffer.from(t)))
const kb4 = []
for (let i = 0; i < whole.length; i += 4096) kb4.push(whole.subarray(i, i + 4096))

let events = 0
let chars = 0
function onEvent(data, event) {
  events++
  chars += data.length + event.length
}

function runOnce(chunks) {
  const t0 = process.hrtime.bigint()
  for (let s = 0; s < STREAMS; s++) {
    const p = new SseParser(onEvent)
    for (let i = 0; i < chunks.length; i++) p.push(chunks[i])
    p.end()
  }
  return Number(process.hrtime.bigint() - t0)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

if (CASE === undefined) {
  console.log(
    `node ${process.version}, ${EVENTS} events/stream, ${whole.length} bytes/stream (${(whole.length / EVENTS).toFixed(0)} B/event), ` +
      `${STREAMS} streams/run, median of ${RUNS} runs, one process per case`,
  )
  for (const c of ['a', 'a8', 'b']) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(STREAMS), c], { stdio: 'inherit' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
  process.exit(0)
}

const cases = {
  a: ['(a)  one event per push, Buffer', perEventBuffers],
  a8: ["(a') one event per push, Uint8Array", perEventU8],
  b: [`(b)  4 KB pushes (${kb4.length} per stream), Buffer`, kb4],
}
if (!(CASE in cases)) throw new Error(`unknown case ${CASE}`)
{
  const [name, chunks] = cases[CASE]
  // Sanity: every event of the stream comes out, once.
  events = 0
  const p = new SseParser(onEvent)
  for (const c of chunks) p.push(c)
  p.end()
  if (events !== EVENTS) throw new Error(`${name}: expected ${EVENTS} events, got ${events}`)

  runOnce(chunks) // warm-up
  const times = []
  for (let r = 0; r < RUNS; r++) {
    events = 0
    times.push(runOnce(chunks))
    if (events !== EVENTS * STREAMS) throw new Error(`${name}: lost events`)
  }
  const ns = median(times)
  const perEvent = ns / (EVENTS * STREAMS)
  const runs = times.map((t) => (t / (EVENTS * STREAMS)).toFixed(0)).join(' ')
  console.log(
    `${name.padEnd(40)} ${perEvent.toFixed(1).padStart(7)} ns/event  ${(1e9 / perEvent / 1e6).toFixed(2).padStart(6)} M events/s  ` +
      `${((whole.length * STREAMS) / (ns / 1e9) / 1e6).toFixed(0).padStart(5)} MB/s   [runs: ${runs} ns]`,
  )
}
if (chars === 0) throw new Error('handler saw no data') // keeps the handler's work observable
