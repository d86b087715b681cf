#!/usr/bin/env node
/**
 * Sums the self time of a V8 .cpuprofile (node --cpu-prof) by function, and by where the code
 * lives (llmbench, undici, Node internals, V8 pseudo-frames), optionally only inside a window.
 *
 *   node bench/cpuprofile-top.js FILE.cpuprofile [--top 25] [--from MS --to MS]
 *
 * --from/--to are CLOCK_MONOTONIC milliseconds (llmbench's clock; bench/client-overhead.js
 * prints its measured window as `window`): V8 stamps samples on the same clock, in microseconds.
 */
import { readFileSync } from 'node:fs'

const argv = process.argv.slice(2)
const file = argv.find((a) => !a.startsWith('--') && !/^\d/.test(a))
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? Number(argv[i + 1]) : fallback
}
if (!file) {
  console.error('usage: node bench/cpuprofile-top.js FILE.cpuprofile [--top 25] [--from MS --to MS]')
  process.exit(2)
}
const top = opt('top', 25)
const fromUs = opt('from', -Infinity) * 1000
const toUs = opt('to', Infinity) * 1000

const profile = JSON.parse(readFileSync(file, 'utf8'))
const nodes = new Map(profile.nodes.map((n) => [n.id, n]))

// Self time per node id: each sample's time is the delta to the next sample.
const self = new Map()
let t = profile.startTime
let total = 0
const samples = profile.samples
const deltas = profile.timeDeltas
for (let i = 0; i < samples.length; i++) {
  t += deltas[i]
  const dt = i + 1 < deltas.length ? deltas[i + 1] : 0
  if (t < fromUs || t > toUs) continue
  self.set(samples[i], (self.get(samples[i]) ?? 0) + dt)
  total += dt
}

function where(url) {
  if (!url) return 'v8/native'
  if (url.includes('/node_modules/undici/')) return 'undici'
  if (url.includes('/dist/src/')) return 'llmbench (dist/src)'
  if (url.includes('/bench/')) return 'bench harness'
  if (url.startsWith('node:')) return 'node internals'
  if (url.includes('/node_modules/')) return 'other node_modules'
  return 'other'
}

const byFn = new Map()
const byWhere = new Map()
for (const [id, us] of self) {
  const n = nodes.get(id)
  const cf = n.callFrame
  const short = cf.url ? cf.url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, '$1/') : ''
  const key = `${cf.functionName || '(anonymous)'}  ${short ? `${short}:${cf.lineNumber + 1}` : ''}`.trim()
  byFn.set(key, (byFn.get(key) ?? 0) + us)
  const w = cf.url ? where(cf.url) : cf.functionName.startsWith('(') ? cf.functionName : 'v8/native'
  byWhere.set(w, (byWhere.get(w) ?? 0) + us)
}

const ms = (us) => (us / 1000).toFixed(1).padStart(9)
const pc = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%'
console.log(`${file}: ${(total / 1e6).toFixed(2)} s of samples${Number.isFinite(fromUs) ? ' in the window' : ''}`)
console.log('\nSelf time by origin:')
for (const [k, us] of [...byWhere].sort((a, b) => b[1] - a[1])) console.log(`${ms(us)} ms ${pc(us)}  ${k}`)
console.log(`\nTop ${top} functions by self time:`)
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pc(us)}  ${k}`)
