#!/usr/bin/env node
/**
 * What a large CI upload does to a run `llmbench serve` is measuring (issue 20, item 16): a run
 * against the simulator (in its own process, TTFT about 20 ms), and in the middle of its measured
 * part a ~31 MB result uploaded to the same server. Prints the run's TTFT and E2E (p50, p99, max),
 * the level's client event-loop figures and warnings, and how long the upload took.
 *
 *   npm run build && node bench/serve-upload-stall.js [--seconds 8] [--concurrency 8]
 *
 * With runs measured on the server's own thread (before), the upload's parse, validation,
 * redaction and write stalled every request in flight: TTFT max 663 ms for a true 20 ms, hidden
 * by the p99. Runs now measure in a worker thread of their own.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateConfig } from '../dist/src/config/index.js'
import { FileStore } from '../dist/src/store/file.js'
import { startServe } from '../dist/src/serve/server.js'
import { spawnSimulator } from '../dist/src/simulator/index.js'
import { syntheticRunResult } from './synthetic-result.js'
import { numberArg, parseArgs } from './args.js'

const args = parseArgs(process.argv.slice(2))
const seconds = numberArg(args, 'seconds', 8)
const concurrency = numberArg(args, 'concurrency', 8)
const API = '/api/v1/benchmark'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-upload-stall-'))
const sim = await spawnSimulator({ prefillBaseMs: 20, prefillMsPerToken: 0, decodeBaseMs: 5, decodeMsPerSeq: 0 })
const config = validateConfig({ servers: { sim: { url: sim.url, model: 'sim-model' } } }, { cwd: dir })
const serve = await startServe({ config, store: new FileStore(join(dir, 'store')), port: 0, uploadLimit: 64 * 1024 * 1024 })
const post = (path, body) => fetch(serve.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
try {
  const upload = JSON.stringify(syntheticRunResult({ requests: 22_000, concurrency: [1, 8, 32] }))
  const run = await (await post(`${API}/run`, JSON.stringify({ server: 'sim', concurrency: [concurrency], duration: `${seconds}s`, warmup: 0, input: { tokens: 16 }, output: { tokens: 16 } }))).json()
  const id = run.id
  const state = async () => (await (await fetch(`${serve.url}${API}/run/${id}`)).json())
  // Until the first measured request is done (or the run already ended: a short run may finish first).
  for (let s = await state(); !(s.progress?.levels?.[0]?.done > 0) && s.run?.status === 'running'; s = await state()) await new Promise((r) => setTimeout(r, 50))
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 3))
  const t0 = performance.now()
  const answer = await post(`${API}/result`, upload)
  const uploadMs = performance.now() - t0
  if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${await answer.text()}`)
  while ((await state()).run.status === 'running') await new Promise((r) => setTimeout(r, 200))
  const result = await (await fetch(`${serve.url}${API}/result/${id}`)).json()
  const summary = result.levels?.[0]?.summary
  if (!summary) throw new Error(`the run ended without a level (status ${(await state()).run?.status}); try more --seconds`)
  const f = (s) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`
  console.log(`upload: ${(upload.length / 1e6).toFixed(1)} MB, answered 201 in ${uploadMs.toFixed(0)} ms`)
  console.log(`run: ${summary.requests.succeeded}/${summary.requests.total} requests at concurrency ${concurrency} over ${summary.durationSec.toFixed(1)} s`)
  console.log(`TTFT: ${f(summary.stats.ttft)}`)
  console.log(`E2E:  ${f(summary.stats.e2e)}`)
  console.log(`client: event loop p99 ${summary.client.eventLoopDelayP99Ms.toFixed(1)} ms, max ${summary.client.eventLoopDelayMaxMs?.toFixed(1)} ms, CPU ${summary.client.cpuPercent.toFixed(0)}%`)
  console.log(`warnings: ${summary.warnings.join(' | ') || 'none'}`)
} finally {
  await serve.close()
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
}
