#!/usr/bin/env node
/**
 * Soak: `llmbench run` against the simulator with random faults at high concurrency for a long
 * time (default 10 minutes). Afterwards: every request the server received has a record on disk
 * and in the result, the client's memory did not keep growing, and it exited cleanly.
 *
 *   node bench/soak.js [--minutes 10] [--concurrency 256]
 *
 * Prints the figures and writes them to bench/out/soak.json (docs/reliability.md quotes them).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '../dist/src/simulator/index.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const minutes = arg('minutes', 10)
const concurrency = arg('concurrency', 256)
const out = join(ROOT, 'bench', 'out')
mkdirSync(out, { recursive: true })

const faults = { 'http-500': 0.01, 'http-429': 0.01, 'http-503': 0.01, 'stream-error': 0.01, malformed: 0.01, cut: 0.01, stall: 0.002 }
const sim = await startSimulator({ port: 0, faults, faultAfterTokens: 4, maxNumSeqs: 512, decodeBaseMs: 12, decodeMsPerSeq: 0.02 })
const records = join(out, 'soak.records.jsonl')
const result = join(out, 'soak.json')
const args = ['bin/llmbench.js', 'run', '--server', sim.url, '--model', 'sim-model', '--concurrency', String(concurrency),
  '--duration', `${minutes}m`, '--input-len', '64', '--output-len', '32', '--timeout', '5',
  '--records', records, '--output', result, '--no-history']
const started = Date.now()
const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } })
let stderr = ''
child.stderr.on('data', (d) => (stderr += d))

// The client's resident memory every 5 s, from the kernel.
const rss = []
const sampler = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1])
    if (kb) rss.push([(Date.now() - started) / 1000, kb / 1024])
  } catch {}
}, 5000)
const exit = await new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
clearInterval(sampler)
const seconds = (Date.now() - started) / 1000
const received = sim.metrics().received
await sim.close()

let lines = 0
for await (const line of createInterface({ input: createReadStream(records) })) if (line.startsWith('{"type":"record"')) lines++
const doc = JSON.parse(readFileSync(result, 'utf8'))
const inResult = doc.levels.reduce((n, l) => n + l.summary.requests.total + l.summary.requests.warmup + (l.summary.requests.cooldown ?? 0), 0)
const errors = doc.levels[0].summary.errors
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const quarter = Math.max(1, Math.floor(rss.length / 4))
// The first minute is start-up and warm-up; growth is judged after it.
const settled = rss.filter(([t]) => t >= 60)
const firstQ = median(settled.slice(0, quarter).map(([, m]) => m))
const lastQ = median(settled.slice(-quarter).map(([, m]) => m))
const figures = {
  minutes,
  concurrency,
  seconds: Math.round(seconds),
  exit,
  // The preflight request is received but not part of any level.
  requestsReceivedByServer: received,
  recordsInFile: lines,
  requestsInResult: inResult,
  everyRequestRecorded: lines === received - 1 && inResult === lines,
  errors,
  rssMB: { peak: Math.max(...rss.map(([, m]) => m)), settledFirstQuarterMedian: firstQ, lastQuarterMedian: lastQ, growthPerMinute: (lastQ - firstQ) / Math.max(1, (settled.at(-1)?.[0] - settled[0]?.[0]) / 60) },
  stderr: stderr.trim().split('\n').slice(-5),
}
writeFileSync(join(out, 'soak-figures.json'), JSON.stringify({ figures, rss }, null, 2))
console.log(JSON.stringify(figures, null, 2))
process.exit(figures.everyRequestRecorded && exit.code === 0 ? 0 : 1)
