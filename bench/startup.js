#!/usr/bin/env node
/**
 * Start-up time of llmbench's commands and of `import 'llmbench'`, side by side in one run.
 *
 *   npm run build && node bench/startup.js [--runs 5] [--root DIR] [--json FILE]
 *
 * Every case runs --runs times, the cases interleaved (one of each, then again), so that a busy
 * machine slows them alike; the table shows the median wall time with min and max, and how many
 * JavaScript files the case loads (counted once more, apart, by a module loader hook). Cases:
 *   node -e 0                       Node.js alone: the floor
 *   llmbench --version, --help, run --help
 *   import('llmbench')              what a bench file, and each bench-file thread, loads first
 *   llmbench run --no-calibrate     to its first request sent (the preflight), and to the first
 *                                   request of its level, against a simulator
 *   llmbench run                    the same, calibrating synthetic prompts on /tokenize between
 * `llmbench` is `node <root>/bin/llmbench.js`, run in a temporary project whose node_modules links
 * the package (as `npm link` or an install does); npx would add its own start-up on top.
 * "First request": the run talks to a small proxy in this process in front of the built-in
 * simulator (also in this process); the proxy notes when the first request arrives and when the
 * level's first does (the second POST that is not /tokenize, with --warmup 0), and the run is
 * then stopped.
 * --root measures another build of llmbench (e.g. an older commit's, built) with the same cases.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { parseArgs } from './args.js'

const args = parseArgs(process.argv.slice(2))
const RUNS = Number(args.runs ?? 5)
const ROOT = resolve(args.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
const BIN = join(ROOT, 'bin', 'llmbench.js')


// A project as a user has it: package.json and node_modules/llmbench pointing at the package.
const project = mkdtempSync(join(os.tmpdir(), 'llmbench-startup-'))
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'startup-probe', private: true, type: 'module' }))
mkdirSync(join(project, 'node_modules'))
symlinkSync(ROOT, join(project, 'node_modules', 'llmbench'), 'dir')
// Lists the files a process loads (node --import): a line on stderr per ES module (the loader
// hook) and per CommonJS module (Module.prototype._compile); the parent counts distinct paths.
const HOOK = join(project, 'count-modules.mjs')
writeFileSync(
  HOOK,
  [
    "import Module, { register } from 'node:module'",
    `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
      "import { fileURLToPath } from 'node:url'; export async function load(url, ctx, next) { if (url.startsWith('file:')) process._rawDebug('llmbench-startup-load ' + fileURLToPath(url)); return next(url, ctx) }",
    )}))`,
    'const compile = Module.prototype._compile',
    "Module.prototype._compile = function (content, filename) { process._rawDebug('llmbench-startup-load ' + filename); return compile.call(this, content, filename) }",
    '',
  ].join('\n'),
)

const { startSimulator } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href)
const sim = await startSimulator({ port: 0, host: '127.0.0.1' })

/** The proxy: forwards to the simulator and notes, for the current case, when the first request and the level's first request arrive. */
let watch = null
const proxy = http.createServer((req, res) => {
  const at = performance.now()
  if (watch) {
    watch.first ??= at
    if (req.method === 'POST' && !/tokenize/.test(req.url)) {
      // The first is the preflight request; with --warmup 0 the second is the level's first.
      watch.posts = (watch.posts ?? 0) + 1
      if (watch.posts === 2) {
        watch.level = at
        watch.onLevel?.()
      }
    }
  }
  const upstream = http.request({ host: '127.0.0.1', port: sim.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.on('error', () => res.destroy())
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
})
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok))
const server = `http://127.0.0.1:${proxy.address().port}`

const runArgs = ['run', '--server', server, '--model', 'sim-model', '--concurrency', '1', '--num-prompts', '1', '--warmup', '0', '--output-len', '8', '--no-history']
const CASES = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'llmbench --version', argv: [BIN, '--version'] },
  { name: 'llmbench --help', argv: [BIN, '--help'] },
  { name: 'llmbench run --help', argv: [BIN, 'run', '--help'] },
  { name: "node -e \"import('llmbench')\"", argv: ['-e', "import('llmbench')"] },
  { name: 'llmbench run --no-calibrate', argv: [BIN, ...runArgs, '--no-calibrate'], run: true },
  { name: 'llmbench run (calibrates)', argv: [BIN, ...runArgs], run: true },
]

/** One timed run of a case: wall ms to exit; for a run, to its first request and to its level's first request. */
function once(c, nodeArgs = []) {
  return new Promise((ok, fail) => {
    const marks = {}
    const loaded = new Set()
    let partial = ''
    const start = performance.now()
    const child = spawn(process.execPath, [...nodeArgs, ...c.argv], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => {
      const text = partial + String(d)
      const lines = text.split('\n')
      partial = lines.pop()
      for (const l of lines) if (l.startsWith('llmbench-startup-load /') && l.slice(22) !== HOOK) loaded.add(l.slice(22))
      if (!nodeArgs.length) err += text
    })
    if (c.run) {
      watch = marks
      marks.onLevel = () => child.kill('SIGKILL')
    }
    child.on('error', fail)
    child.on('exit', (code, signal) => {
      const end = performance.now()
      if (c.run) watch = null
      if (c.run ? marks.level === undefined : code !== 0) return fail(new Error(`${c.name}: exit ${code ?? signal} without the expected end\n${err}`))
      ok({ ms: c.run ? marks.first - start : end - start, levelMs: c.run ? marks.level - start : undefined, loaded: loaded.size })
    })
  })
}

const times = new Map(CASES.map((c) => [c.name, { ms: [], level: [] }]))
try {
  for (const c of CASES) await once(c) // warm the disk cache
  for (let r = 0; r < RUNS; r++) {
    for (const c of CASES) {
      const t = await once(c)
      times.get(c.name).ms.push(t.ms)
      if (t.levelMs !== undefined) times.get(c.name).level.push(t.levelMs)
    }
  }
  const modules = new Map()
  for (const c of CASES) modules.set(c.name, (await once(c, ['--import', pathToFileURL(HOOK).href])).loaded)

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  }
  const fmt = (xs) => (xs.length ? `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})` : '')
  const rows = CASES.map((c) => ({ case: c.name, ms: fmt(times.get(c.name).ms), level: fmt(times.get(c.name).level), files: String(modules.get(c.name)) }))
  console.log(`llmbench at ${ROOT}`)
  console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; median of ${RUNS} (min–max), ms`)
  const head = { case: 'case', ms: 'wall ms (run: to its first request)', level: "run: to its level's first request", files: 'JS files loaded' }
  const width = (k) => Math.max(...[head, ...rows].map((r) => r[k].length))
  for (const r of [head, ...rows]) console.log(`${r.case.padEnd(width('case'))}  ${r.ms.padStart(width('ms'))}  ${r.level.padStart(width('level'))}  ${r.files.padStart(width('files'))}`)
  if (args.json) writeFileSync(args.json, JSON.stringify({ root: ROOT, node: process.version, loadavg: os.loadavg(), runs: RUNS, cases: Object.fromEntries(times), modules: Object.fromEntries(modules) }, null, 2))
} finally {
  proxy.close()
  proxy.closeAllConnections?.()
  await sim.close()
  rmSync(project, { recursive: true, force: true })
}
