/**
 * Calibration of verdicts on synthetic levels that behave like load tests (docs/verdicts.md):
 *
 *   - A/A: two runs of the same server; the share of pairs with any `regressed` figure (default
 *     settings, every default figure). Target <= 5%.
 *   - A/B power: TTFT 10% slower, flagged `regressed` on ttft.p50; TPOT 20% slower on tpot.p50.
 *     Target >= 90%.
 *   - Interval coverage: with no run-to-run offset, how often one figure's 90% interval misses the
 *     true change (0). Target about 10%: the intervals are as wide as the noise, not more, not less.
 *   - Repeats: a server whose runs differ by 3% (more than the default can absorb at large sizes),
 *     single runs against three repeats per side.
 *
 * The synthetic level: a closed loop of `slots` requests in flight; requests sent together share
 * a batch wave whose slowness follows an AR(1) process from wave to wave (queues and batches make
 * neighbours alike); each request adds its own lognormal noise, rare prefill spikes and decode
 * stalls; failures come alone and in bursts; every run has its own small offset (a run differs
 * from the next more than its requests differ from each other).
 *
 *   npm run build && node bench/verdicts-calibrate.js [--quick] [--only aa,power,coverage,repeats]
 */
import { pathToFileURL } from 'node:url'
import { mulberry32 } from '../dist/src/random.js'
import { summarizeLevel } from '../dist/src/metrics/index.js'
import { compareFigure } from '../dist/src/verdicts/compare.js'
import { figureSpec } from '../dist/src/verdicts/figures.js'
import { compareLevels } from '../dist/src/verdicts/index.js'
import { Side } from '../dist/src/verdicts/side.js'

const quick = process.argv.includes('--quick')
// --only aa,power,coverage,repeats: run some sections (e.g. in two processes on two cores).
const onlyArg = process.argv.indexOf('--only')
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined
const section = (name) => only === undefined || only.has(name)
const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href
const SLO = { ttft: 260, tpot: 24 }

function normal(rand) {
  const u = 1 - rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/**
 * One run's level. `ttftFactor`/`tpotFactor` make a slower server; `runSd` is the sd of the
 * per-run log offset.
 */
export function syntheticLevel({ requests, slots = 16, seed, ttftFactor = 1, tpotFactor = 1, runSd = 0.01, tokens: [minTokens, maxTokens] = [32, 64] }) {
  const rand = mulberry32(seed)
  const runTtft = Math.exp(runSd * normal(rand)) * ttftFactor
  const runTpot = Math.exp(runSd * normal(rand)) * tpotFactor
  const free = Array.from({ length: slots }, (_, s) => 1000 + s * 0.3)
  const records = []
  let wave = 0
  let waveTpot = 0
  let burst = false
  const total = requests + slots // one warm-up request per slot
  for (let index = 0; index < total; index++) {
    if (index % slots === 0) {
      // A new batch wave: its slowness follows the previous one (AR(1), rho 0.8).
      wave = 0.8 * wave + 0.6 * normal(rand)
      waveTpot = 0.8 * waveTpot + 0.6 * normal(rand)
      burst = rand() < 0.02
    }
    let slot = 0
    for (let s = 1; s < slots; s++) if (free[s] < free[slot]) slot = s
    const sentAt = free[slot] + 0.1 + rand() * 0.4
    const warmup = index < slots
    const tokens = minTokens + Math.floor(rand() * (maxTokens - minTokens + 1))
    const ttft = 150 * runTtft * Math.exp(0.08 * wave + 0.25 * normal(rand)) * (rand() < 0.02 ? 2 + 2 * rand() : 1)
    const tpot = 18 * runTpot * Math.exp(0.04 * waveTpot) * (1 + 0.05 * normal(rand))
    const fails = !warmup && rand() < (burst ? 0.3 : 0.01)
    const base = { index, warmup, stream: true, scheduledAt: sentAt - 0.01, sentAt, inputTokens: 256, inputTokensSource: 'usage' }
    let record
    if (fails) {
      record = { ...base, endAt: sentAt + 2 + rand() * 3, outcome: 'http', error: { status: 503, message: 'overloaded' }, outputTokens: 0, outputTokensSource: 'events' }
    } else {
      const times = new Array(tokens)
      let t = ttft
      for (let k = 0; k < tokens; k++) {
        times[k] = Math.round(t * 1000) / 1000
        t += tpot * (0.85 + 0.3 * rand()) + (rand() < 0.003 ? 40 + 120 * rand() : 0)
      }
      const last = sentAt + times[tokens - 1]
      record = {
        ...base, firstTokenAt: sentAt + times[0], firstContentAt: sentAt + times[0], lastTokenAt: last, endAt: last + 0.3,
        outcome: 'ok', outputTokens: tokens, outputTokensSource: 'usage', tokenTimes: times,
      }
    }
    records.push(record)
    free[slot] = record.endAt + 0.2
  }
  const summary = summarizeLevel(records, { load: { kind: 'concurrency', value: slots }, slo: SLO, client: { eventLoopDelayP99Ms: 1, cpuPercent: 20 } })
  return { summary, records }
}

const pct = (x) => `${(100 * x).toFixed(1)}%`
let seed = 1
const short = [8, 16] // output tokens of the power runs: TTFT and TPOT need no long outputs

function aa(requests, pairs, opts = {}) {
  let alarms = 0
  const byFigure = new Map()
  for (let i = 0; i < pairs; i++) {
    const a = syntheticLevel({ requests, seed: seed++, ...opts })
    const b = syntheticLevel({ requests, seed: seed++, ...opts })
    const regressed = compareLevels(a, b).levels[0].figures.filter((f) => f.verdict === 'regressed')
    if (regressed.length > 0) alarms++
    for (const f of regressed) byFigure.set(f.figure, (byFigure.get(f.figure) ?? 0) + 1)
  }
  return { rate: alarms / pairs, byFigure }
}

/** Share of trials where `figure` is regressed: all default figures, or `figure` declared primary. */
function power(requests, trials, change, figure, primary = false) {
  let hits = 0
  for (let i = 0; i < trials; i++) {
    const a = syntheticLevel({ requests, seed: seed++, tokens: short })
    const b = syntheticLevel({ requests, seed: seed++, tokens: short, ...change })
    const row = compareLevels(a, b, primary ? { primary: [figure] } : {}).levels[0].figures.find((f) => f.figure === figure)
    if (row.verdict === 'regressed') hits++
  }
  return hits / trials
}

const line = (n) => `  ${n.toLocaleString('en-US').padStart(6)} requests:`
const started = performance.now()

async function main() {
  if (section('aa')) aaSection()
  if (section('power')) powerSection()
  if (section('coverage')) coverageSection()
  if (section('repeats')) repeatsSection()
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`)
}

function aaSection() {
  const aaSizes = quick ? [[500, 30], [2000, 20]] : [[500, 100], [2000, 100], [8000, 40]]
  console.log('A/A false alarms: share of pairs with any regressed figure (16 figures, default settings, per-run offset sd 1%; target <= 5%)')
  for (const [n, pairs] of aaSizes) {
    const { rate, byFigure } = aa(n, pairs, { tokens: [16, 48] })
    const which = [...byFigure].map(([f, c]) => `${f} ${c}`).join(', ')
    console.log(`${line(n)} ${pct(rate).padStart(6)} of ${pairs} pairs${which ? `  (${which})` : ''}`)
  }

}

function powerSection() {
  const trials = quick ? 20 : 40
  console.log(`\nA/B power: share of trials flagged regressed (${trials} trials per size; target >= 90%)`)
  const found = {}
  const sweep = (title, sizes, change, figure, primary) => {
    console.log(`  ${title}`)
    for (const n of sizes) {
      const rate = power(n, trials, change, figure, primary)
      if (rate >= 0.9 && found[title] === undefined) found[title] = n
      console.log(`${line(n)} ${pct(rate).padStart(6)}`)
    }
  }
  sweep('TPOT +20% → tpot.p50, every figure tested', quick ? [250, 1000] : [250, 500, 1000], { tpotFactor: 1.2 }, 'tpot.p50', false)
  sweep('TTFT +10% → ttft.p50 declared primary', quick ? [2000, 8000] : [4000, 16000], { ttftFactor: 1.1 }, 'ttft.p50', true)
  sweep('TTFT +10% → ttft.p50, every figure tested', quick ? [8000] : [16000, 32000], { ttftFactor: 1.1 }, 'ttft.p50', false)
  for (const [title, n] of Object.entries(found)) console.log(`  >= 90% from ${n.toLocaleString('en-US')} requests per level: ${title}`)

}

function coverageSection() {
  // Interval coverage, one figure at a time at 90%: without run offsets the true change is 0.
  const figures = ['ttft.p50', 'ttft.p99', 'tpot.p50', 'itl.p50', 'itl.p99', 'e2e.p90', 'throughput.output', 'goodput', 'errors.rate']
  const ctx = { confidence: 0.9, tolerance: undefined, goodput: SLO }
  for (const [coverN, coverPairs] of quick ? [[1000, 30]] : [[1000, 100], [4000, 60]]) {
    const misses = new Map(figures.map((f) => [f, 0]))
    const decided = new Map(figures.map((f) => [f, 0]))
    for (let i = 0; i < coverPairs; i++) {
      const a = new Side(syntheticLevel({ requests: coverN, seed: seed++, runSd: 0, tokens: [16, 48] }))
      const b = new Side(syntheticLevel({ requests: coverN, seed: seed++, runSd: 0, tokens: [16, 48] }))
      for (const f of figures) {
        const row = compareFigure(a, b, figureSpec(f), ctx)
        if (!Number.isFinite(row.interval[0])) continue
        decided.set(f, decided.get(f) + 1)
        if (row.interval[0] > 0 || row.interval[1] < 0) misses.set(f, misses.get(f) + 1)
      }
    }
    console.log(`\nInterval coverage: share of 90% intervals missing the true change 0 (${coverPairs} pairs of ${coverN.toLocaleString('en-US')} requests, no run offset; target about 10%)`)
    for (const f of figures) console.log(`  ${f.padEnd(18)} ${decided.get(f) ? pct(misses.get(f) / decided.get(f)) : 'no interval'}${decided.get(f) < coverPairs ? ` (${decided.get(f)} with an interval)` : ''}`)
  }

}

function repeatsSection() {
  // Runs that differ by 3%: single runs cannot see it; three repeats per side measure it.
  const repN = 6000
  const repPairs = quick ? 10 : 30
  let single = 0
  let repeated = 0
  const opts = { runSd: 0.03, tokens: short }
  for (let i = 0; i < repPairs; i++) {
    const side = () => [0, 1, 2].map(() => syntheticLevel({ requests: repN / 3, seed: seed++, ...opts }))
    if (compareLevels(side(), side()).levels[0].figures.some((f) => f.verdict === 'regressed')) repeated++
    const a = syntheticLevel({ requests: repN, seed: seed++, ...opts })
    const b = syntheticLevel({ requests: repN, seed: seed++, ...opts })
    if (compareLevels(a, b).levels[0].figures.some((f) => f.verdict === 'regressed')) single++
  }
  console.log(`\nRuns that differ by 3% (per-run offset sd), ${repN.toLocaleString('en-US')} requests per side, A/A pairs with any regressed figure (${repPairs} pairs):`)
  console.log(`  one run per side:        ${pct(single / repPairs)}`)
  console.log(`  three repeats per side:  ${pct(repeated / repPairs)}`)
}

if (isMain) await main()
