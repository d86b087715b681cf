/**
 * Speed of a comparison (issue 15): two results of 100,000 requests each at one level, every
 * default figure, compared five times; prints the median. Target: under 2 s.
 *
 *   npm run build && node bench/verdicts-speed.js [requests]
 */
import { syntheticRunResult } from './synthetic-result.js'
import { compareResults } from '../dist/src/verdicts/index.js'

const requests = Number(process.argv[2] ?? 100_000)
const t0 = performance.now()
const base = syntheticRunResult({ requests, concurrency: [64], seed: 1 })
const next = syntheticRunResult({ requests, concurrency: [64], seed: 2 })
const built = performance.now() - t0
const gaps = base.levels[0].summary.stats.itl.count
console.log(`built two results of ${requests.toLocaleString('en-US')} requests (${gaps.toLocaleString('en-US')} ITL gaps each) in ${(built / 1000).toFixed(1)} s`)

// Wall time is the target; CPU time (this process's user + system) is shown beside it because
// the machine is shared and wall time grows with other people's load.
const times = []
const cpu = []
let doc
for (let i = 0; i < 5; i++) {
  const t = performance.now()
  const c = process.cpuUsage()
  doc = compareResults(base, next)
  const used = process.cpuUsage(c)
  times.push(performance.now() - t)
  cpu.push((used.user + used.system) / 1000)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[2]
const figures = doc.levels.reduce((s, l) => s + l.figures.length, 0)
console.log(`compare, ${figures} figures: ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`)
console.log(`median ${(median(times) / 1000).toFixed(2)} s wall, ${(median(cpu) / 1000).toFixed(2)} s CPU (target < 2 s; load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`)
console.log(doc.headline)
