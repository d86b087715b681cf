#!/usr/bin/env node
/**
 * llmbench's own cost of sessions (docs/performance.md, "Sessions"): 8-turn sessions whose
 * history reaches 4k tokens, 256 sessions at once, against bench/exact-server.js, whose write times
 * are the truth. It prints, for sessions and for single requests of the same prompt lengths:
 *   - client CPU per request (process.cpuUsage() of the client process over the measured part),
 *   - the client's added TTFT (its first-token arrival minus the server's write of that event), p50
 *     and p99, overall and for sessions by turn (turn 8 carries 8× turn 1's prompt),
 *   - and, in this process, the time to build one request's body against its history's length:
 *     constant per kilobyte means the history is not copied per turn in a way that grows faster.
 *
 *   npm run build && node bench/session-overhead.js [--sessions 256] [--turns 8] [--turn-len 520]
 *       [--output-len 64] [--ttft 200] [--itl 10] [--reps 1] [--json FILE]
 *
 * Each configuration runs in its own process (CPU and memory are its alone); the exact server runs
 * in another.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { numberArg, parseArgs } from './args.js'
import { getJson } from './get-json.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const SELF = fileURLToPath(import.meta.url)

const args = parseArgs(process.argv.slice(2))
const num = (name, fallback) => numberArg(args, name, fallback)

const SESSIONS = num('sessions', 256)
const TURNS = num('turns', 8)
const TURN_LEN = num('turn-len', 520)
const OUTPUT_LEN = num('output-len', 64)
const TTFT_MS = num('ttft', 200)
const ITL_MS = num('itl', 10)
const REPS = num('reps', 1)

function pct(sorted, p) {
  const n = sorted.length
  if (n === 0) return NaN
  const r = (p / 100) * (n - 1)
  const lo = Math.floor(r)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo)
}
const sorted = (xs) => Float64Array.from(xs).sort()


// ------------------------------------------------------------------------------------------
// Worker: one configuration in its own process
// ------------------------------------------------------------------------------------------

async function worker() {
  process.stdin.on('end', () => process.exit(2))
  process.stdin.resume()
  const port = Number(args.port)
  const mode = String(args.mode)
  const { runScenario } = await import('../dist/src/runner/scenario.js')
  await getJson(port, '/trace')
  const total = mode === 'sessions' ? SESSIONS * TURNS : SESSIONS * TURNS
  let cpu0
  let cpu1
  let seen = 0
  // Single requests as long as the sessions' prompts on average: turn k carries k user turns and k-1 replies.
  const meanPrompt = Math.round(TURN_LEN * (TURNS + 1) / 2 + OUTPUT_LEN * (TURNS - 1) / 2)
  const base = {
    server: `http://127.0.0.1:${port}`, model: 'exact', endpoint: 'chat', stream: true, concurrency: [SESSIONS],
    outputLen: OUTPUT_LEN, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 120_000,
    headers: {}, body: {}, seed: 1, threads: 1, telemetry: { enabled: false }, calibrate: false,
  }
  const opts = mode === 'sessions'
    ? { ...base, numPrompts: SESSIONS, inputLen: TURN_LEN, sessions: { turns: TURNS, userTurn: { tokens: TURN_LEN }, onContextFull: 'truncate', header: 'x-session-id' } }
    : { ...base, numPrompts: total, inputLen: meanPrompt }
  const { levels } = await runScenario(opts, {
    onWarmupEnd: () => {
      cpu0 = process.cpuUsage()
    },
    onRecord: () => {
      if (++seen === total) cpu1 = process.cpuUsage(cpu0)
    },
  })
  cpu1 ??= process.cpuUsage(cpu0)
  const truth = (await getJson(port, '/trace')).records
  const added = []
  const byTurn = new Map()
  let failed = 0
  let unmatched = 0
  for (const r of levels[0].records) {
    if (r.warmup) continue
    if (r.outcome !== 'ok') {
      failed++
      continue
    }
    const s = truth[`llmbench-L0-${r.index}`]
    if (!s || r.firstTokenAt === undefined) {
      unmatched++
      continue
    }
    const err = r.firstTokenAt - s.writes[0]
    added.push(err)
    const k = r.turn ?? 0
    if (!byTurn.has(k)) byTurn.set(k, { errs: [], prompt: 0, n: 0 })
    const t = byTurn.get(k)
    t.errs.push(err)
    t.prompt += r.inputTokens
    t.n++
  }
  const a = sorted(added)
  const cpuMs = (cpu1.user + cpu1.system) / 1000
  const out = {
    mode,
    requests: added.length + failed + unmatched,
    failed,
    unmatched,
    cpuMsPerRequest: cpuMs / Math.max(1, total),
    addedTtftP50: pct(a, 50),
    addedTtftP99: pct(a, 99),
    meanPromptTokens: [...byTurn.values()].reduce((s, t) => s + t.prompt, 0) / Math.max(1, added.length),
    byTurn: [...byTurn.entries()].sort((x, y) => x[0] - y[0]).map(([turn, t]) => {
      const e = sorted(t.errs)
      return { turn, requests: t.n, promptTokens: Math.round(t.prompt / t.n), addedTtftP50: pct(e, 50), addedTtftP99: pct(e, 99) }
    }),
    loop: levels[0].summary.client,
    warnings: levels[0].summary.warnings,
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`)
  process.exit(0)
}

// ------------------------------------------------------------------------------------------
// In this process: building one request against the history's length
// ------------------------------------------------------------------------------------------

async function bodyCost() {
  const { chatAdapter } = await import('../dist/src/client/openai-chat.js')
  const { syntheticPrompts } = await import('../dist/src/data/synthetic.js')
  const [user] = syntheticPrompts(1, TURN_LEN, 3)
  const [reply] = syntheticPrompts(1, OUTPUT_LEN, 4)
  const rows = []
  for (const turns of [1, 8, 32, 128]) {
    const messages = []
    for (let k = 0; k < turns; k++) {
      messages.push({ role: 'user', content: user.text })
      if (k < turns - 1) messages.push({ role: 'assistant', content: reply.text })
    }
    const spec = { model: 'exact', prompt: '', messages, promptTokens: 0, maxTokens: OUTPUT_LEN, stream: true, ignoreEos: true, includeUsage: true, continuousUsage: false, body: {} }
    let bytes = 0
    for (let i = 0; i < 50; i++) bytes = Buffer.byteLength(chatAdapter.buildRequest(spec).body)
    const n = Math.max(20, Math.round(20000 / turns))
    const t0 = performance.now()
    for (let i = 0; i < n; i++) bytes = Buffer.byteLength(chatAdapter.buildRequest(spec).body)
    const us = ((performance.now() - t0) * 1000) / n
    rows.push({ turns, kb: bytes / 1024, usPerRequest: us, usPerKb: us / (bytes / 1024) })
  }
  return rows
}

// ------------------------------------------------------------------------------------------
// Orchestrator
// ------------------------------------------------------------------------------------------

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'exact-server.js'), '--port', '0', '--ttft', String(TTFT_MS), '--itl', String(ITL_MS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, EXACT_EXIT_ON_STDIN_END: '1' },
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /LISTENING (\d+)/.exec(out)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.once('exit', (code) => reject(new Error(`exact-server exited (${code})`)))
  })
}

function runWorker(port, mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--worker', '--port', String(port), '--mode', mode, ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.once('exit', (code) => {
      const m = /RESULT (.*)/.exec(out)
      if (code === 0 && m) resolve(JSON.parse(m[1]))
      else reject(new Error(`${mode} worker exited (${code}): ${out.slice(-500)}`))
    })
  })
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-')

async function main() {
  const server = await startServer()
  const results = []
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const mode of ['sessions', 'single']) results.push(await runWorker(server.port, mode))
    }
  } finally {
    server.child.stdin.end()
    server.child.kill('SIGTERM')
  }
  const cost = await bodyCost()
  console.log(`\n${SESSIONS} concurrent sessions of ${TURNS} turns (user turns of ${TURN_LEN} tokens, replies of ${OUTPUT_LEN}); exact server TTFT ${TTFT_MS} ms, ITL ${ITL_MS} ms\n`)
  console.log('| Load | Requests | Mean prompt tokens | Client CPU ms / request | Added TTFT p50 (ms) | Added TTFT p99 (ms) | Event-loop delay p99 (ms) | Failed |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of results) {
    console.log(`| ${r.mode === 'sessions' ? `${SESSIONS} sessions × ${TURNS} turns` : `${SESSIONS} slots, single requests`} | ${r.requests} | ${Math.round(r.meanPromptTokens)} | ${f(r.cpuMsPerRequest, 3)} | ${f(r.addedTtftP50)} | ${f(r.addedTtftP99)} | ${f(r.loop.eventLoopDelayP99Ms)} | ${r.failed + r.unmatched} |`)
  }
  const s = results.find((r) => r.mode === 'sessions')
  console.log('\nSessions by turn\n')
  console.log('| Turn | Requests | Prompt tokens | Added TTFT p50 (ms) | Added TTFT p99 (ms) |')
  console.log('|---:|---:|---:|---:|---:|')
  for (const t of s.byTurn) console.log(`| ${t.turn} | ${t.requests} | ${t.promptTokens} | ${f(t.addedTtftP50)} | ${f(t.addedTtftP99)} |`)
  console.log('\nBuilding one request body against the history (chat adapter, this process)\n')
  console.log('| Turns of history | Body (KB) | µs per request | µs per KB |')
  console.log('|---:|---:|---:|---:|')
  for (const c of cost) console.log(`| ${c.turns} | ${f(c.kb, 1)} | ${f(c.usPerRequest, 1)} | ${f(c.usPerKb, 2)} |`)
  if (args.json) writeFileSync(String(args.json), JSON.stringify({ results, bodyCost: cost }, null, 2))
}

if (args.worker) await worker()
else await main()
