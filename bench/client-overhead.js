#!/usr/bin/env node
/**
 * llmbench's own client overhead: how much time llmbench adds to the TTFT and ITL it reports,
 * and how much CPU it spends per stream event, against a server whose write times are the truth.
 *
 *   npm run build && node bench/client-overhead.js [--concurrency 1,64,512,1024] [--reps 3]
 *
 * The orchestrator (this file without --worker) starts bench/exact-server.js as a child process,
 * then runs every (repetition, concurrency, client) configuration in its own short-lived worker
 * process (this file with --worker), so CPU time and peak RSS belong to that configuration only.
 * A worker:
 *   1. clears the server's trace (GET /trace),
 *   2. runs a warm-up round (one request per slot, 16 tokens: every connection is open),
 *   3. runs the measured closed loop and reads process.cpuUsage() / maxRSS around it only,
 *   4. fetches the server's trace and matches each request, by its x-request-id, event by event:
 *        TTFT error = client arrival of the first token event - server write time of that event
 *        ITL error  = |client gap - server gap| for each consecutive pair of token events
 *      and the server's own lateness = its write time - its target time.
 * Clients: `floor` (bench/floor-client.js) is the least a Node.js client can do: raw sockets, a
 * stamp per read, token bytes counted, no parsing; what it shows is the machine's and Node's share.
 * `floor-c` (bench/floor-c/, built with make when missing) is the same in C with epoll: the least
 * any client can do on this machine. `cli` runs the real command as a user does
 * (`node bin/llmbench.js run --server … --endpoint … -o …`, defaults otherwise: telemetry,
 * calibration, threads, records file, history) and pairs its records file with the trace.
 * Every client is spawned through bench/floor-c/runusage (wait4), so its whole-process CPU to
 * exit is known; "start-up" is from spawn to the server receiving its first request.
 * `llmbench` is llmbench's real path, runScenario() from dist/ (LlmClient with its HTTP/1.1 reader,
 * SseParser, chatAdapter, RequestTracker, runClosedLoop, its event-loop monitor); `naive` is
 * bench/naive-fetch-client.js (global fetch, TextDecoder, string split). Each configuration runs
 * `--reps` times; the table shows the median of each figure over the repetitions.
 *
 * Options: --concurrency LIST (or a positional list)  --reps N (3)  --tokens N (128)
 *   --ttft MS (200)  --itl MS (10)  --input-len N (32)  --min-requests N (10)
 *   --max-seconds S (40, per level)  --clients llmbench,naive[,floor,floor-c,cli]  --json FILE (all per-run figures)
 *   --endpoint chat|completions (chat; the exact server serves both)
 *   --cpu-prof-dir DIR (run llmbench workers under node --cpu-prof, profiles written to DIR)
 *   --no-loop-monitor (diagnostic: llmbench without runScenario's event-loop-delay monitor)
 *   --threads N (llmbench's load threads for the scenario, default 1)
 *   --node-args 'FLAGS' (diagnostic: node flags for the workers, e.g. --trace-gc; what they print goes to stderr)
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { readFileSync, writeFileSync, appendFileSync, existsSync, mkdtempSync, rmSync, readdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { parseArgs, numberArg } from './args.js'
import { getJson } from './get-json.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const SELF = fileURLToPath(import.meta.url)

// ------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------

const args = parseArgs(process.argv.slice(2))
const num = (name, fallback) => numberArg(args, name, fallback)

const TOKENS = num('tokens', 128)
const TTFT_MS = num('ttft', 200)
const ITL_MS = num('itl', 10)
const INPUT_LEN = num('input-len', 32)
const WARMUP_TOKENS = 16
const ENDPOINT = String(args.endpoint ?? 'chat')
if (ENDPOINT !== 'chat' && ENDPOINT !== 'completions') throw new Error('--endpoint: chat or completions')
const PATH = ENDPOINT === 'chat' ? '/v1/chat/completions' : '/v1/completions'
/** The bytes that mark a token event of the exact server, for the floors' byte search. */
const TOKEN_BYTES = ENDPOINT === 'chat' ? '"delta":{"content":" tok"}' : '"text":" tok"'
const FLOOR_C = join(HERE, 'floor-c')

/** The request body every baseline sends (llmbench builds its own, the same fields). */
function bodyOf(prompt, maxTokens) {
  const common = { model: 'exact', max_tokens: maxTokens, stream: true, ignore_eos: true, stream_options: { include_usage: true } }
  return ENDPOINT === 'chat' ? { ...common, messages: [{ role: 'user', content: prompt }] } : { ...common, prompt }
}

// ------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------

/** Percentile with linear interpolation between closest ranks (numpy's default). */
function pct(sorted, p) {
  const n = sorted.length
  if (n === 0) return NaN
  if (n === 1) return sorted[0]
  const r = (p / 100) * (n - 1)
  const lo = Math.floor(r)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo)
}
const sortedOf = (arr) => Float64Array.from(arr).sort()
function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x))
  return v.length ? pct(sortedOf(v), 50) : NaN
}

/** Linux: how often the kernel took the CPU from this process's main thread (other work wanted it), or NaN. */
function preemptions() {
  try {
    return Number(/nonvoluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(`/proc/self/task/${process.pid}/status`, 'latin1'))[1])
  } catch {
    return NaN
  }
}

/** Linux: the machine's CPU counters (all cores, in clock ticks): busy, steal and total. */
function machineCpu() {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: user + nice + system + irq + softirq, steal, total, idle: idle + iowait }
  } catch {
    return undefined
  }
}


/**
 * Matches each measured request (`{ id, ok, arrivals, sentAt, endAt }`, absolute ms) with the
 * server's trace by its x-request-id, event by event:
 *   TTFT error = client arrival of the first token event - server write time of that event
 *   ITL error  = |client gap - server gap| for each consecutive pair of token events
 *   E2E error  = client E2E (endAt - sentAt) - server E2E (its last write - its receipt); this
 *                includes the server's delay in reading the request (a loaded server's, too)
 *   end error  = client arrival of the response's end - the server's last write (the client's
 *                share of the E2E error alone, as the TTFT error is for the first token)
 * and the server's own lateness = its write time - its target time. `firstRecv` is when the
 * server received the client's first request (warm-up and preflight included): the start-up end.
 */
function pairWithTrace(measured, truth) {
  const ttftErr = []
  const itlErr = []
  const e2eErr = []
  const endErr = []
  const late = []
  let events = 0
  let unmatched = 0
  let backpressure = 0
  let firstRecv = Infinity
  for (const id in truth) if (truth[id].recv < firstRecv) firstRecv = truth[id].recv
  // Diagnostic: every matched event as `write arrival index`, to see when and why lag grows.
  const dump = process.env.LLMBENCH_DUMP_EVENTS ? [] : undefined
  for (const m of measured) {
    const s = truth[m.id]
    if (!s) {
      unmatched++
      continue
    }
    // Stream events the client had to handle: the role chunk (chat), the tokens written, usage, [DONE].
    const written = s.writes.filter((w) => w > 0).length
    events += (s.lead ?? 1) + written + (written === s.n ? 2 : 0)
    backpressure += s.backpressure
    for (let j = 0; j < written; j++) late.push(s.writes[j] - s.targets[j])
    if (!m.ok) continue
    const a = m.arrivals
    const w = s.writes
    if (a.length !== s.n || written !== s.n) {
      unmatched++
      continue
    }
    if (dump) for (let j = 0; j < a.length; j++) dump.push(`${w[j].toFixed(3)} ${a[j].toFixed(3)} ${j}`)
    ttftErr.push(a[0] - w[0])
    for (let j = 1; j < a.length; j++) itlErr.push(Math.abs(a[j] - a[j - 1] - (w[j] - w[j - 1])))
    if (m.endAt > 0 && s.endAt > 0) {
      e2eErr.push(m.endAt - m.sentAt - (s.endAt - s.recv))
      endErr.push(m.endAt - s.endAt)
    }
  }
  if (dump) writeFileSync(process.env.LLMBENCH_DUMP_EVENTS, dump.join('\n') + '\n')
  const t = sortedOf(ttftErr)
  const i = sortedOf(itlErr)
  const e = sortedOf(e2eErr)
  const d = sortedOf(endErr)
  const l = sortedOf(late)
  return {
    ttftErrP50: pct(t, 50),
    ttftErrP99: pct(t, 99),
    ttftErrMin: t.length ? t[0] : NaN,
    ttftErrMax: t.length ? t[t.length - 1] : NaN,
    itlErrP50: pct(i, 50),
    itlErrP99: pct(i, 99),
    itlErrMax: i.length ? i[i.length - 1] : NaN,
    e2eErrP50: pct(e, 50),
    e2eErrP99: pct(e, 99),
    e2eErrMax: e.length ? e[e.length - 1] : NaN,
    endErrP50: pct(d, 50),
    endErrP99: pct(d, 99),
    events,
    unmatched,
    serverLateP50: pct(l, 50),
    serverLateP99: pct(l, 99),
    serverBackpressure: backpressure,
    firstRecv: Number.isFinite(firstRecv) ? firstRecv : NaN,
  }
}

// ------------------------------------------------------------------------------------------
// Worker: one configuration, in its own process
// ------------------------------------------------------------------------------------------

async function worker() {
  const port = Number(args.port)
  const client = String(args.client)
  const concurrency = Number(args.concurrency)
  const total = Number(args.requests)
  // Die with the orchestrator: it holds our stdin open.
  process.stdin.on('end', () => process.exit(2))
  process.stdin.resume()

  const { now } = await import('../dist/src/clock.js')
  // Diagnostic: the worker's GC pauses on the same clock, beside the events (LLMBENCH_DUMP_EVENTS).
  const gcPauses = []
  if (process.env.LLMBENCH_DUMP_EVENTS) {
    const { PerformanceObserver, performance } = await import('node:perf_hooks')
    const shift = now() - performance.now()
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcPauses.push(`gc ${(e.startTime + shift).toFixed(3)} ${e.duration.toFixed(3)} ${e.detail?.kind ?? ''}`)
    }).observe({ entryTypes: ['gc'] })
  }
  await getJson(port, '/trace') // clear anything left over

  let preempt0, preempt1
  let cpu0, cpu1, cpuTotal, wall0, wall1, rssPeakKb, rssStart, serverCpu0, serverCpu1, mach0, mach1
  const startWindow = () => {
    preempt0 = preemptions()
    mach0 = machineCpu()
    rssStart = process.memoryUsage.rss()
    cpu0 = process.cpuUsage()
    wall0 = now()
    // One tiny request in the window, not awaited here: the server's CPU over the same window.
    serverCpu0 = getJson(port, '/cpu')
  }
  const endWindow = () => {
    preempt1 = preemptions()
    cpuTotal = process.cpuUsage()
    cpu1 = process.cpuUsage(cpu0)
    wall1 = now()
    rssPeakKb = process.resourceUsage().maxRSS
    serverCpu1 = getJson(port, '/cpu')
    mach1 = machineCpu()
  }

  /** Per request: { id, ok, arrivals: absolute ms of each token event } */
  let measured = []
  let failed = 0
  let warmFailed = 0
  let selfCheck
  const failures = []

  if (client === 'llmbench') {
    if (args['no-loop-monitor']) {
      // Diagnostic only: replace runScenario's event-loop-delay monitor with a no-op, to see what it costs.
      const { createRequire, syncBuiltinESMExports } = await import('node:module')
      const perfHooks = createRequire(import.meta.url)('node:perf_hooks')
      perfHooks.monitorEventLoopDelay = () => ({ enable() {}, disable() {}, percentile: () => 0 })
      syncBuiltinESMExports()
    }
    const { runScenario } = await import('../dist/src/runner/scenario.js')
    let seen = 0
    const { levels } = await runScenario(
      {
        server: `http://127.0.0.1:${port}`,
        model: 'exact',
        endpoint: ENDPOINT,
        stream: true,
        concurrency: [concurrency],
        numPrompts: total,
        inputLen: INPUT_LEN,
        outputLen: TOKENS,
        ignoreEos: true,
        includeUsage: true,
        continuousUsage: false,
        timeoutMs: 120_000,
        headers: {},
        body: {},
        seed: 1,
        threads: args.threads ? Number(args.threads) : 1,
        // The exact server has neither /metrics nor /tokenize: nothing to sample or fit.
        telemetry: { enabled: false },
        calibrate: false,
      },
      {
        onWarmupEnd: startWindow,
        onRecord: () => {
          if (++seen === total) endWindow()
        },
      },
    )
    // llmbench's own verdict on itself for this level: does it warn when its figures are off?
    selfCheck = { ...levels[0].summary.client, warnings: levels[0].summary.warnings.filter((w) => /client|load generator/i.test(w)) }
    for (const r of levels[0].records) {
      if (r.warmup) {
        if (r.outcome !== 'ok') warmFailed++
        continue
      }
      const ok = r.outcome === 'ok'
      if (!ok) {
        failed++
        if (failures.length < 5) failures.push(`${r.outcome}: ${r.error?.message ?? ''}`)
      }
      measured.push({ id: `llmbench-L0-${r.index}`, ok, arrivals: (r.tokenTimes ?? []).map((x) => r.sentAt + x), sentAt: r.sentAt, endAt: r.endAt })
    }
  } else if (client === 'naive' || client === 'floor') {
    // The baselines share the bodies file (warm-up first, one per slot), a warm-up round (every
    // connection open) and the window.
    const lines = readFileSync(String(args.bodies), 'utf8').split('\n').filter(Boolean)
    const bodies = lines.map((l) => JSON.parse(l.slice(l.indexOf('\t') + 1)))
    let run
    let close = () => {}
    if (client === 'naive') {
      const { runNaive } = await import('./naive-fetch-client.js')
      const url = `http://127.0.0.1:${port}${PATH}`
      run = (o) => runNaive({ url, concurrency, ...o })
      const pre = await runNaive({ url, concurrency: 1, total: 1, idPrefix: 'naive-preflight', bodyOf: () => ({ ...bodies[0], max_tokens: 4 }) })
      if (!pre[0].ok) throw new Error(`preflight failed: ${pre[0].error}`)
    } else {
      const { floorClient } = await import('./floor-client.js')
      const fc = await floorClient(port, concurrency, { path: PATH, token: TOKEN_BYTES })
      run = (o) => fc.run(o)
      close = () => fc.close()
    }
    const warm = await run({ total: concurrency, idPrefix: `${client}-L0-warmup`, bodyOf: (k) => bodies[k] })
    warmFailed = warm.filter((r) => !r.ok).length
    startWindow()
    let seen = 0
    const recs = await run({
      total,
      idPrefix: `${client}-L0`,
      bodyOf: (k) => bodies[concurrency + k],
      onRecord: () => {
        if (++seen === total) endWindow()
      },
    })
    close()
    for (const r of recs) {
      if (!r.ok) {
        failed++
        if (failures.length < 5) failures.push(r.error ?? 'no token, or no end of the response')
      }
      measured.push({ id: r.id, ok: r.ok, arrivals: r.tokens, sentAt: r.sentAt, endAt: r.endAt })
    }
  } else {
    throw new Error(`unknown client ${client}`)
  }

  // ---- match against the server's truth (outside the measured window) ----
  const trace = await getJson(port, '/trace')
  const paired = pairWithTrace(measured, trace.records)
  if (process.env.LLMBENCH_DUMP_EVENTS && gcPauses.length) appendFileSync(process.env.LLMBENCH_DUMP_EVENTS, gcPauses.join('\n') + '\n')
  const cpuSec = (cpu1.user + cpu1.system) / 1e6
  const [sc0, sc1] = await Promise.all([serverCpu0, serverCpu1])
  // Whole machine over the window, in cores: everything busy (all processes), and stolen by the hypervisor.
  const cores = os.cpus().length
  let machineBusyCores = NaN
  let machineStealCores = NaN
  if (mach0 && mach1 && mach1.total > mach0.total) {
    const dt = mach1.total - mach0.total
    machineBusyCores = ((mach1.busy - mach0.busy) / dt) * cores
    machineStealCores = ((mach1.steal - mach0.steal) / dt) * cores
  }
  const serverCpuSec = (sc1.cpuUserUs + sc1.cpuSystemUs - sc0.cpuUserUs - sc0.cpuSystemUs) / 1e6
  const { events } = paired
  const result = {
    client,
    concurrency,
    requests: total,
    ...paired,
    cpuSec,
    cpuToLastRecordSec: (cpuTotal.user + cpuTotal.system) / 1e6,
    cpuUserSec: cpu1.user / 1e6,
    cpuSystemSec: cpu1.system / 1e6,
    cpuPer1kEvents: events > 0 ? cpuSec / (events / 1000) : NaN,
    wallSec: (wall1 - wall0) / 1000,
    clientCores: cpuSec / ((wall1 - wall0) / 1000),
    serverCpuSec,
    serverCores: serverCpuSec / ((sc1.at - sc0.at) / 1000),
    serverCpuPer1kEvents: events > 0 ? serverCpuSec / (events / 1000) : NaN,
    machineBusyCores,
    machineStealCores,
    peakRssMb: rssPeakKb / 1024,
    mainThreadPreemptions: preempt1 - preempt0,
    rssAtStartMb: rssStart / 1048576,
    failed,
    warmFailed,
    failures,
    window: { from: wall0, to: wall1 },
    selfCheck,
  }
  process.stdout.write('RESULT ' + JSON.stringify(result) + '\n')
  process.exit(0)
}

// ------------------------------------------------------------------------------------------
// Orchestrator
// ------------------------------------------------------------------------------------------

const children = new Set()
let clockNow

function killChildren() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
  }
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'exact-server.js'), '--port', '0', '--ttft', String(TTFT_MS), '--itl', String(ITL_MS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, EXACT_EXIT_ON_STDIN_END: '1' },
    })
    children.add(child)
    child.on('exit', () => children.delete(child))
    let out = ''
    const onData = (d) => {
      out += d
      const m = /LISTENING (\d+)/.exec(out)
      if (m) {
        child.stdout.off('data', onData)
        child.stdout.resume()
        resolve({ child, port: Number(m[1]) })
      }
    }
    child.stdout.on('data', onData)
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`exact-server exited early (${code})`)))
  })
}

/** Builds bench/floor-c (the C floor client and runusage) with make when missing. */
function ensureFloorC() {
  if (existsSync(join(FLOOR_C, 'floor-c')) && existsSync(join(FLOOR_C, 'runusage'))) return
  process.stderr.write('building bench/floor-c (make)\n')
  execFileSync('make', ['-C', FLOOR_C], { stdio: ['ignore', 'ignore', 'inherit'] })
}

let tmpRoot
const tmpFile = (name) => join((tmpRoot ??= mkdtempSync(join(os.tmpdir(), 'llmbench-overhead-'))), name)

/** The baselines' requests: `id<TAB>body` a line, one warm-up request per slot first. */
async function writeBodies(client, concurrency, total) {
  const { syntheticPrompts } = await import('../dist/src/data/synthetic.js')
  const prompts = syntheticPrompts(total + concurrency, INPUT_LEN, 1)
  const lines = []
  for (let k = 0; k < concurrency; k++) lines.push(`${client}-L0-warmup-${k}\t${JSON.stringify(bodyOf(prompts[total + k].text, WARMUP_TOKENS))}`)
  for (let k = 0; k < total; k++) lines.push(`${client}-L0-${k}\t${JSON.stringify(bodyOf(prompts[k].text, TOKENS))}`)
  const file = tmpFile(`bodies-${client}-${concurrency}-${total}.txt`)
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/**
 * Spawns `argv` under runusage; resolves with { out, usage: whole-process CPU to exit, spawnAt,
 * pid } once it exits with status 0. `onSpawn(child)` sees the runusage process.
 */
function spawnMeasured(argv, label, { cwd, onSpawn } = {}) {
  const usageFile = tmpFile(`usage-${Date.now()}-${Math.random().toString(36).slice(2)}.json`)
  return new Promise((resolve, reject) => {
    const spawnAt = clockNow()
    const child = spawn(join(FLOOR_C, 'runusage'), [usageFile, ...argv], { stdio: ['pipe', 'pipe', 'inherit'], cwd })
    children.add(child)
    onSpawn?.(child)
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      children.delete(child)
      if (code !== 0) return reject(new Error(`${label} failed (code ${code}, signal ${signal})\n${out}`))
      const u = JSON.parse(readFileSync(usageFile, 'utf8'))
      rmSync(usageFile, { force: true })
      resolve({ out, spawnAt, cpuToExitSec: u.user + u.system, maxRssKbToExit: u.maxRssKb })
    })
  })
}

async function runWorker(port, client, concurrency, requests, extraNodeArgs = []) {
  const bodies = client === 'floor' || client === 'naive' ? await writeBodies(client, concurrency, requests) : undefined
  const argv = [
    process.execPath,
    ...extraNodeArgs,
    SELF,
    '--worker',
    '--client', client,
    '--port', String(port),
    '--concurrency', String(concurrency),
    '--requests', String(requests),
    '--tokens', String(TOKENS),
    '--ttft', String(TTFT_MS),
    '--itl', String(ITL_MS),
    '--input-len', String(INPUT_LEN),
    '--endpoint', ENDPOINT,
    ...(bodies ? ['--bodies', bodies] : []),
    ...(args['no-loop-monitor'] ? ['--no-loop-monitor'] : []),
    ...(args.threads ? ['--threads', String(args.threads)] : []),
  ]
  const { out, spawnAt, cpuToExitSec } = await spawnMeasured(argv, `worker ${client} c=${concurrency}`)
  const line = out.split('\n').find((s) => s.startsWith('RESULT '))
  // What node itself printed (--node-args '--trace-gc', say) is shown, not lost.
  if (args['node-args']) process.stderr.write(out.split('\n').filter((s) => s && !s.startsWith('RESULT ')).join('\n') + '\n')
  if (!line) throw new Error(`worker ${client} c=${concurrency} printed no result\n${out}`)
  const r = JSON.parse(line.slice(7))
  return { ...r, startupMs: r.firstRecv - spawnAt, cpuToExitSec }
}

/** Fields a runner outside the worker cannot see (the server's and the machine's share over the window). */
const NOT_SEEN = { serverCpuSec: NaN, serverCores: NaN, serverCpuPer1kEvents: NaN, machineBusyCores: NaN, machineStealCores: NaN, mainThreadPreemptions: NaN, rssAtStartMb: NaN }

/** The C floor client: one process, its stamps written to a file, paired here. */
async function runFloorC(port, concurrency, requests) {
  const bodies = await writeBodies('floor-c', concurrency, requests)
  const outFile = tmpFile(`floor-c-${concurrency}.json`)
  await getJson(port, '/trace') // clear
  const { spawnAt, cpuToExitSec } = await spawnMeasured(
    [join(FLOOR_C, 'floor-c'), String(port), PATH, bodies, String(concurrency), TOKEN_BYTES, outFile],
    `floor-c c=${concurrency}`,
  )
  const o = JSON.parse(readFileSync(outFile, 'utf8'))
  rmSync(outFile, { force: true })
  const trace = await getJson(port, '/trace')
  const measured = o.records.map((r) => ({ id: r.id, ok: r.ok, arrivals: r.tokens, sentAt: r.sentAt, endAt: r.endAt }))
  const paired = pairWithTrace(measured, trace.records)
  const cpuSec = o.cpuWindow.user + o.cpuWindow.system
  const wallSec = (o.window.to - o.window.from) / 1000
  return {
    client: 'floor-c',
    concurrency,
    requests,
    ...paired,
    ...NOT_SEEN,
    cpuSec,
    cpuToLastRecordSec: o.cpuToLastRecord,
    cpuToExitSec,
    cpuUserSec: o.cpuWindow.user,
    cpuSystemSec: o.cpuWindow.system,
    cpuPer1kEvents: paired.events > 0 ? cpuSec / (paired.events / 1000) : NaN,
    wallSec,
    clientCores: cpuSec / wallSec,
    peakRssMb: o.maxRssKb / 1024,
    failed: o.records.filter((r) => !r.ok).length,
    warmFailed: 0,
    failures: [],
    window: o.window,
    startupMs: paired.firstRecv - spawnAt,
  }
}

/** CPU seconds (all threads) of a process so far, from /proc, or NaN. */
function procCpuSec(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN
  }
}

/**
 * The real command as a user runs it (`llmbench run … -o result.json`, defaults otherwise), under
 * runusage; its records file is paired with the trace. Its CPU over the measured window is read
 * from /proc samples (every 20 ms, 10 ms ticks) interpolated at the window's ends.
 */
async function runCli(port, concurrency, requests) {
  const dir = mkdtempSync(tmpFile('cli-'))
  await getJson(port, '/trace') // clear
  const samples = []
  let poll
  const argv = [
    process.execPath,
    ...(args['cpu-prof-dir'] ? ['--cpu-prof', '--cpu-prof-dir', String(args['cpu-prof-dir'])] : []),
    join(HERE, '..', 'bin', 'llmbench.js'),
    'run',
    '--server', `http://127.0.0.1:${port}`,
    '--endpoint', ENDPOINT,
    '--model', 'exact',
    '--concurrency', String(concurrency),
    '--num-prompts', String(requests),
    '--output-len', String(TOKENS),
    '--input-len', String(INPUT_LEN),
    '-o', join(dir, 'result.json'),
    '--history-dir', join(dir, 'history'),
    ...(args.threads ? ['--threads', String(args.threads)] : []),
  ]
  const run = spawnMeasured(argv, `cli c=${concurrency}`, {
    cwd: dir,
    onSpawn: (child) => {
      let pid
      poll = setInterval(() => {
        if (!pid) {
          try {
            pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'latin1').trim().split(' ')[0]) || undefined
          } catch {}
          if (!pid) return
        }
        const cpu = procCpuSec(pid)
        if (Number.isFinite(cpu)) samples.push([clockNow(), cpu])
      }, 20)
    },
  })
  let res
  try {
    res = await run
  } finally {
    clearInterval(poll)
  }
  const recordsFile = readdirSync(dir).find((n) => n.endsWith('.jsonl'))
  const measured = []
  let failed = 0
  let warmFailed = 0
  const failures = []
  for (const l of readFileSync(join(dir, recordsFile), 'utf8').split('\n')) {
    if (!l.startsWith('{"type":"record"')) continue
    const r = JSON.parse(l)
    if (r.warmup) {
      if (r.outcome !== 'ok') warmFailed++
      continue
    }
    if (r.outcome !== 'ok') {
      failed++
      if (failures.length < 5) failures.push(`${r.outcome}: ${r.error?.message ?? ''}`)
    }
    measured.push({ id: `llmbench-L${r.level}-${r.index}`, ok: r.outcome === 'ok', arrivals: (r.tokenTimes ?? []).map((x) => r.sentAt + x), sentAt: r.sentAt, endAt: r.endAt })
  }
  rmSync(dir, { recursive: true, force: true })
  const trace = await getJson(port, '/trace')
  const paired = pairWithTrace(measured, trace.records)
  const from = Math.min(...measured.map((m) => m.sentAt))
  const to = Math.max(...measured.map((m) => m.endAt))
  const at = (t) => {
    for (let k = 1; k < samples.length; k++) {
      const [t1, c1] = samples[k]
      if (t1 >= t) {
        const [t0, c0] = samples[k - 1]
        return c0 + ((c1 - c0) * (t - t0)) / (t1 - t0 || 1)
      }
    }
    return NaN
  }
  const cpuSec = at(to) - at(from)
  const wallSec = (to - from) / 1000
  return {
    client: 'cli',
    concurrency,
    requests,
    ...paired,
    ...NOT_SEEN,
    cpuSec,
    cpuToLastRecordSec: at(to),
    cpuToExitSec: res.cpuToExitSec,
    cpuPer1kEvents: paired.events > 0 ? cpuSec / (paired.events / 1000) : NaN,
    wallSec,
    clientCores: cpuSec / wallSec,
    peakRssMb: res.maxRssKbToExit / 1024,
    failed,
    warmFailed,
    failures,
    window: { from, to },
    startupMs: paired.firstRecv - res.spawnAt,
  }
}

/** At least 3 rounds per slot (and `min` requests), at most `maxSeconds` of closed loop. */
function requestsFor(concurrency, min, maxSeconds) {
  const perRequestSec = (TTFT_MS + (TOKENS - 1) * ITL_MS) / 1000
  const maxRounds = Math.max(1, Math.floor(maxSeconds / (perRequestSec * 1.1)))
  const want = Math.max(3 * concurrency, min)
  return Math.min(want, maxRounds * concurrency)
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')

async function orchestrate() {
  const levels = String(args.concurrency ?? (args._.length ? args._.join(',') : '1,64,512,1024'))
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0)
  const reps = num('reps', 3)
  const minRequests = num('min-requests', 10)
  const maxSeconds = num('max-seconds', 40)
  const clients = String(args.clients ?? 'llmbench,naive').split(',')
  const profDir = args['cpu-prof-dir'] ? String(args['cpu-prof-dir']) : undefined

  const onSignal = () => {
    killChildren()
    process.exit(130)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', killChildren)

  ensureFloorC()
  ;({ now: clockNow } = await import('../dist/src/clock.js'))
  const { child: server, port } = await startServer()
  process.stderr.write(
    `exact-server on port ${port}: TTFT ${TTFT_MS} ms, ITL ${ITL_MS} ms, ${TOKENS} tokens; ` +
      `levels ${levels.join(', ')}; ${reps} repetitions; clients ${clients.join(', ')}\n`,
  )
  const runs = []
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const c of levels) {
        const n = requestsFor(c, minRequests, maxSeconds)
        for (const client of clients) {
          const extra = profDir && client === 'llmbench' ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []
          if (args['node-args']) extra.push(...String(args['node-args']).split(/\s+/).filter(Boolean))
          const r =
            client === 'floor-c' ? await runFloorC(port, c, n) : client === 'cli' ? await runCli(port, c, n) : await runWorker(port, client, c, n, extra)
          r.rep = rep
          runs.push(r)
          process.stderr.write(
            `rep ${rep} ${client.padEnd(8)} c=${String(c).padStart(4)} n=${String(n).padStart(4)}: ` +
              `TTFT err p50/p99 ${f(r.ttftErrP50)}/${f(r.ttftErrP99)} ms, ITL err p50/p99 ${f(r.itlErrP50, 3)}/${f(r.itlErrP99)} ms, ` +
              `E2E err p50/p99 ${f(r.e2eErrP50)}/${f(r.e2eErrP99)} ms (end arrival ${f(r.endErrP50)}/${f(r.endErrP99)}), start-up ${f(r.startupMs, 0)} ms, ` +
              `CPU ${f(r.cpuPer1kEvents, 4)} s/1k ev (${f(r.cpuSec)} s over ${f(r.wallSec)} s; whole process ${f(r.cpuToLastRecordSec)} s to the last record, ${f(r.cpuToExitSec)} s to exit), RSS ${f(r.peakRssMb, 0)} MB, ` +
              `client ${f(r.clientCores)} cores, server ${f(r.serverCores)} cores, machine ${f(r.machineBusyCores)} busy/${f(r.machineStealCores)} steal, ` +
              `preempted ${r.mainThreadPreemptions}×, failed ${r.failed + r.warmFailed}, unmatched ${r.unmatched}, server late p50/p99 ${f(r.serverLateP50)}/${f(r.serverLateP99)} ms` +
              (r.serverBackpressure ? `, server backpressure ${r.serverBackpressure}` : '') +
              (r.selfCheck ? `\n    llmbench's own check: event-loop delay p99 ${f(r.selfCheck.eventLoopDelayP99Ms)} ms, CPU ${f(r.selfCheck.cpuPercent, 0)}%, ${r.selfCheck.warnings.length} client warning(s)` : '') +
              (r.failures.length ? `\n    e.g. ${r.failures[0]}` : '') +
              '\n',
          )
          await new Promise((res) => setTimeout(res, 300))
        }
      }
    }
  } finally {
    server.kill('SIGTERM')
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true })
  }

  if (args.json) writeFileSync(String(args.json), JSON.stringify({ date: new Date().toISOString(), runs }, null, 2))

  const cpus = os.cpus()
  const lines = []
  lines.push(
    `Client overhead, ${new Date().toISOString().slice(0, 10)}, ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), ` +
      `Node ${process.version}; TTFT ${TTFT_MS} ms, ITL ${ITL_MS} ms, ${TOKENS} tokens; median of ${reps} runs`,
  )
  lines.push('')
  lines.push(
    '| Client | Streams | Requests | TTFT err p50 (ms) | TTFT err p99 (ms) | ITL err p50 (ms) | ITL err p99 (ms) | E2E err p50 (ms) | E2E err p99 (ms) | ' +
      'Start-up (ms) | CPU s / 1k events, steady | … whole process to last record | … to exit | Peak RSS (MB) | Failed | Server late p50 / p99 (ms) |',
  )
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const c of levels) {
    for (const client of clients) {
      const rs = runs.filter((r) => r.client === client && r.concurrency === c)
      if (!rs.length) continue
      const m = (k) => median(rs.map((r) => r[k]))
      // Whole-process CPU per 1,000 of the measured events (start-up and warm-up charged to them).
      const per1k = (k) => f(median(rs.map((r) => r[k] / (r.events / 1000))), 4)
      const failedTotal = rs.reduce((s, r) => s + r.failed + r.warmFailed + r.unmatched, 0)
      lines.push(
        `| ${client} | ${c} | ${rs[0].requests} | ${f(m('ttftErrP50'))} | ${f(m('ttftErrP99'))} | ${f(m('itlErrP50'), 3)} | ${f(m('itlErrP99'))} | ` +
          `${f(m('e2eErrP50'))} | ${f(m('e2eErrP99'))} | ${f(m('startupMs'), 0)} | ` +
          `${f(m('cpuPer1kEvents'), 4)} | ${per1k('cpuToLastRecordSec')} | ${per1k('cpuToExitSec')} | ${f(m('peakRssMb'), 0)} | ${failedTotal} | ${f(m('serverLateP50'))} / ${f(m('serverLateP99'))} |`,
      )
    }
  }
  lines.push('')
  lines.push('Failed = failed + unmatched requests summed over all runs (warm-up included). Start-up: spawn to the server receiving the')
  lines.push('first request. Whole process: CPU from process start (start-up, warm-up, measured requests) per 1,000 measured events;')
  lines.push('"to exit" adds what the process does after (the Node workers pair with the trace; the CLI summarises and writes its files).')
  lines.push(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}.`)
  lines.push('')
  lines.push('Load on the machine during the measured phase (medians):')
  lines.push('')
  lines.push(
    '| Client | Streams | Wall (s) | Client CPU (cores) | Server CPU (cores) | Machine busy, all processes (cores) | Steal (cores) | Server CPU s / 1k events | Server writes backpressured |',
  )
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const c of levels) {
    for (const client of clients) {
      const rs = runs.filter((r) => r.client === client && r.concurrency === c)
      if (!rs.length) continue
      const m = (k) => median(rs.map((r) => r[k]))
      lines.push(
        `| ${client} | ${c} | ${f(m('wallSec'), 1)} | ${f(m('clientCores'))} | ${f(m('serverCores'))} | ${f(m('machineBusyCores'))} | ${f(m('machineStealCores'))} | ${f(m('serverCpuPer1kEvents'), 4)} | ${f(m('serverBackpressure'), 0)} |`,
      )
    }
  }
  process.stdout.write(lines.join('\n') + '\n')
}

if (args.worker) {
  worker().catch((err) => {
    process.stderr.write(`worker error: ${err?.stack ?? err}\n`)
    process.exit(1)
  })
} else {
  orchestrate().catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`)
    killChildren()
    process.exit(1)
  })
}
