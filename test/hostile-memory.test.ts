/**
 * A hostile server cannot make llmbench hold unbounded memory: every answer llmbench reads besides
 * the load (/v1/models and the other probes, /tokenize) has a cap and a message that says what
 * happened, and the load's streams share one budget for the bytes they buffer.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type net from 'node:net'
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { calibrateSynthetic } from '../src/runner/calibrate.js'
import { MAX_PROBE_BYTES } from '../src/client/detect.js'
import { BufferBudget } from '../src/client/budget.js'
import { LlmClient } from '../src/client/http.js'
import { chatAdapter } from '../src/client/openai-chat.js'
import { ollamaChatAdapter } from '../src/client/ollama.js'
import { RequestTracker } from '../src/client/tracker.js'
import type { Adapter } from '../src/client/adapter.js'
import type { RequestRecord, RunResult } from '../src/results/types.js'
import { closeRawServers, rawServer } from './helpers/raw-server.js'
import { runCli, startCli } from './helpers/cli.js'

afterEach(closeRawServers)

const MiB = 1024 * 1024

/**
 * Answers with a head announcing 1 GB of JSON, then writes 1 MiB pieces while the client reads,
 * up to `most` bytes (the test's own bound), counting what it wrote.
 */
function hugeAnswer(written: { bytes: number }, most: number, start = '{"data":[{"id":"') {
  return async (s: net.Socket) => {
    s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${2 ** 30}\r\n\r\n${start}`)
    const piece = Buffer.alloc(MiB, 'a')
    while (!s.destroyed && written.bytes < most) {
      written.bytes += piece.length
      if (!s.write(piece)) await new Promise((r) => s.once('drain', r).once('close', r))
    }
  }
}

describe('answers besides the load are read up to a cap', () => {
  it('a /v1/models answer of 1 GB: one line saying so, exit 2, and the rest is never read', async () => {
    const written = { bytes: 0 }
    const { url } = await rawServer(hugeAnswer(written, 96 * MiB))
    const r = await runCli(['run', '--server', url, '--num-prompts', '1'], {}, 60_000)
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(`llmbench: ${url} answered GET /v1/models with more than ${MAX_PROBE_BYTES / MiB} MB: not an answer llmbench can read. Set the model and the endpoint (--model, --endpoint).`)
    // The cap plus what sat in socket buffers when the client stopped, far from the 96 MiB on offer.
    expect(written.bytes).toBeLessThan(MAX_PROBE_BYTES + 16 * MiB)
  })

  it('a /tokenize answer far larger than any token list of the prompt: calibration fails with the reason, having read only the cap', async () => {
    const written = { bytes: 0 }
    const { url } = await rawServer(hugeAnswer(written, 64 * MiB, '{"count":3,"tokens":['))
    const err = await calibrateSynthetic(url, 'm', { kind: 'synthetic', input: { tokens: 32 }, output: { tokens: 4 } }).then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(new RegExp(`^calibration: POST ${url}/tokenize answered with more than 1(\\.\\d)? MB for a prompt of \\d+ KB: not a token count$`))
    expect(written.bytes).toBeLessThan(24 * MiB)
  })
})

/** Streams one line that never ends, 256 KiB at a time, while the client reads (at most `most` bytes a request). */
function endlessLine(head: string, open: string, most = 24 * MiB) {
  return async (s: net.Socket) => {
    s.write(head + open)
    const piece = Buffer.alloc(256 * 1024, 'x')
    for (let sent = 0; !s.destroyed && sent < most; sent += piece.length) {
      if (!s.write(piece)) await new Promise((r) => s.once('drain', r).once('close', r))
    }
  }
}
const SSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n'
const NDJSON_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\nconnection: close\r\n\r\n'
const spec = { model: 'm', prompt: 'hi', promptTokens: 1, maxTokens: 4, ignoreEos: false, includeUsage: false, continuousUsage: false, body: {} }

/** `n` requests at once through one client with `budget`; the budget's peak use, sampled every 2 ms. */
async function sendMany(url: string, budget: BufferBudget, n: number, opts: { stream?: boolean; adapter?: Adapter } = {}) {
  const stream = opts.stream ?? true
  const adapter = opts.adapter ?? chatAdapter
  const client = new LlmClient({ server: url, connections: n, timeoutMs: 20_000, headers: {}, budget })
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, budget.used)), 2)
  const records = await Promise.all(Array.from({ length: n }, (_, i) =>
    client.send(adapter, adapter.buildRequest({ ...spec, stream }), new RequestTracker(i, false, stream, 0, 1), `r-${i}`)))
  clearInterval(sampler)
  await client.close()
  return { records, peak }
}

const BUDGET_LINE = /^the client's buffer budget for all responses \(8 MB\) is used up: this request held [\d.]+ MB of (an unfinished stream line|its body)$/

describe('one buffer budget for every response of the process', () => {
  it('16 streams of an endless SSE line hold at most the budget together; those past it fail with the reason and give it back', async () => {
    const { url } = await rawServer(endlessLine(SSE_HEAD, 'data: {"choices":[{"delta":{"content":"'))
    const budget = new BufferBudget(8 * MiB)
    const { records, peak } = await sendMany(url, budget, 16)
    // Without the budget each would hold up to 16 MiB (its own line bound): 256 MiB in all.
    expect(peak).toBeLessThanOrEqual(8 * MiB)
    expect(records.every((r: RequestRecord) => r.outcome === 'parse')).toBe(true)
    const refused = records.filter((r) => BUDGET_LINE.test(r.error!.message))
    expect(refused.length).toBeGreaterThan(0)
    expect(budget.used).toBe(0) // every request gave back what it held
  })

  it('the same for NDJSON lines and for non-streamed bodies', async () => {
    const nd = await rawServer(endlessLine(NDJSON_HEAD, '{"message":{"content":"'))
    const budget = new BufferBudget(8 * MiB)
    const a = await sendMany(nd.url, budget, 12, { adapter: ollamaChatAdapter })
    expect(a.peak).toBeLessThanOrEqual(8 * MiB)
    expect(a.records.some((r) => BUDGET_LINE.test(r.error?.message ?? ''))).toBe(true)
    expect(budget.used).toBe(0)

    // Bodies of 9 MiB, each within its own 64 MiB bound but past the budget.
    const body = await rawServer(endlessLine(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${9 * MiB + 1}\r\n\r\n`, '"', 9 * MiB))
    const b = await sendMany(body.url, budget, 4, { stream: false })
    expect(b.peak).toBeLessThanOrEqual(8 * MiB)
    expect(b.records.every((r) => r.outcome === 'parse' && BUDGET_LINE.test(r.error!.message))).toBe(true)
    expect(budget.used).toBe(0)
  })

  it('is shared with the threads llmbench starts, and what a thread held is freed when it ends, however it ends', async () => {
    const budget = new BufferBudget(8 * MiB)
    const share = budget.forThread()!
    // The thread takes 3 MiB of the budget and exits without giving them back (a crash, process.exit).
    const thread = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads')
      const cells = new Int32Array(workerData.buffer)
      Atomics.add(cells, 0, 3 * 1048576)
      Atomics.add(cells, 1 + workerData.slot, 3 * 1048576)
      parentPort.postMessage('took')
      process.exit(1)`, { eval: true, workerData: share })
    await new Promise((r) => thread.once('exit', r))
    expect(budget.used).toBe(3 * MiB)
    expect(budget.take(6 * MiB)).toBe(false) // 3 + 6 > 8: refused, nothing counted
    expect(budget.used).toBe(3 * MiB)
    budget.release(share)
    expect(budget.used).toBe(0)
    expect(budget.take(6 * MiB)).toBe(true)
  })

  it('llmbench run on two load threads: 24 endless streams stay within LLMBENCH_BUFFER_BUDGET_MB, and say why they failed', async () => {
    const { url } = await rawServer(endlessLine(SSE_HEAD, 'data: {"choices":[{"delta":{"content":"', 20 * MiB))
    const out = join(mkdtempSync(join(tmpdir(), 'llmbench-budget-')), 'r.json')
    const run = startCli(['run', '--server', url, '--model', 'm', '--endpoint', 'chat', '--concurrency', '24', '--num-prompts', '24', '--warmup', '0',
      '--threads', '2', '--no-calibrate', '--output', out], { LLMBENCH_BUFFER_BUDGET_MB: '8' }, 120_000)
    // The client's resident memory, sampled while it runs (the server is this process).
    let peakKb = 0
    const sampler = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'))?.[1] ?? 0))
      } catch { /* exited */ }
    }, 20)
    const r = await run.done
    clearInterval(sampler)
    expect(r.code).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    const records = result.levels[0].records
    expect(records.every((x) => x.outcome === 'parse')).toBe(true)
    expect(records.some((x) => BUDGET_LINE.test(x.error!.message))).toBe(true)
    // 24 streams holding 16 MiB lines each would take 384 MiB on top of the process (about 330 MB with
    // two load threads): over 700 MB in all.
    expect(peakKb / 1024).toBeLessThan(480)
    console.log(`24 endless streams on 2 threads, budget 8 MB: client peak RSS ${(peakKb / 1024).toFixed(0)} MB`)
  })
})
