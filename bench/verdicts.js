/**
 * Verdicts against the simulator (docs/verdicts.md, "Against the simulator"): real `llmbench run`
 * processes against real simulators with realistic noise (continuous batching; each step's
 * duration times a seeded lognormal factor, `stepJitter`; the shared machine's own scheduling),
 * compared with the verdicts engine at its default settings.
 *
 *   - A/A: pairs of identical runs (each its own simulator seed and run seed, like reruns): the
 *     share of pairs with any `regressed` figure among every default figure. Target <= 5%.
 *   - A/B TTFT: a server whose prefill costs more (TTFT p50 about +10%), flagged `regressed` on
 *     ttft.p50, every figure tested and with ttft.p50 declared primary. Target >= 90%.
 *   - A/B TPOT: decode steps dearer (TPOT p50 about +20%), flagged on tpot.p50. Target >= 90%.
 *   - The true change of each slow setting: one large run per setting against a base run (its
 *     interval printed), and the mean change over the trials.
 *
 * Index i of a size runs four servers: A and B (the same settings), T (slower prefill), P (slower
 * decode). The A/A pair is (A, B), the TTFT trial (A, T), the TPOT trial (B, P): every trial of a
 * kind is independent of the others of its kind. `--parallel` workers take indices in turn (each
 * runs its four one after another; the other worker is background load, as a shared machine has).
 *
 *   npm run build && node bench/verdicts.js [--quick] [--sizes 500,1000] [--pairs 40]
 *     [--calibration 4000] [--parallel 2] [--json FILE] [--keep DIR] [--seed N]
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { spawnSimulator } from '../dist/src/simulator/index.js'
import { compareResults } from '../dist/src/verdicts/index.js'
import { readResultFile } from '../dist/src/results/read.js'
import { PACKAGE_ROOT } from '../dist/src/version.js'

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    pairs: { type: 'string' },
    calibration: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    json: { type: 'string' },
    keep: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
})
const quick = argv.quick
const SIZES = (argv.sizes ?? (quick ? '200' : '500,1000')).split(',').map(Number)
const PAIRS = Number(argv.pairs ?? (quick ? 10 : 40))
const CALIBRATION = Number(argv.calibration ?? (quick ? 500 : 4000))
const PARALLEL = Number(argv.parallel)
const BASE_SEED = Number(argv.seed)
for (const n of [...SIZES, PAIRS, CALIBRATION, PARALLEL, BASE_SEED + 1]) {
  if (!Number.isInteger(n) || n < 1) {
    console.error('--sizes, --pairs, --calibration, --parallel and --seed take whole numbers (>= 1; seed >= 0), e.g. --sizes 500,2000 --pairs 40')
    process.exit(2)
  }
}

/**
 * The server: continuous batching with short steps, so a run of 1,500 requests at concurrency 16
 * takes about eight seconds: a decode step of 4 + 0.1 × running ms (5.6 ms at 16), a prefill of
 * 1 + 0.02 ms per prompt token, every step's duration times a lognormal factor of sd 10%. Output
 * and prompt lengths are spread (4–12 tokens out, 32–96 in), so requests end at different steps
 * and arrive spread out, as with real prompts: with fixed lengths the closed loop locks into
 * batching phases that differ from run to run (every request of a wave ends in the same step).
 * Steps that admit prompts prefill them before decoding, so TPOT holds other requests' prefills.
 * The prefix cache is off: synthetic prompts share no prefixes, it would only tokenize every prompt.
 */
const BASE = { decodeBaseMs: 4, decodeMsPerSeq: 0.1, prefillBaseMs: 1, prefillMsPerToken: 0.02, stepJitter: 0.1, prefixCache: false }
/** Prefill dearer by this factor: TTFT p50 about +10% (measured by the calibration below). */
const PREFILL_FACTOR = 1.27
/** Decode steps dearer by this factor: TPOT p50 about +20% (×1.2 gives about +14%, since TPOT
 * also holds the prefill steps of requests admitted meanwhile, which do not change). */
const DECODE_FACTOR = 1.3
const TTFT_SLOW = { ...BASE, prefillBaseMs: BASE.prefillBaseMs * PREFILL_FACTOR, prefillMsPerToken: BASE.prefillMsPerToken * PREFILL_FACTOR }
const TPOT_SLOW = { ...BASE, decodeBaseMs: BASE.decodeBaseMs * DECODE_FACTOR, decodeMsPerSeq: BASE.decodeMsPerSeq * DECODE_FACTOR }
const RUN_FLAGS = ['--model', 'sim-model', '--concurrency', '16', '--input-len', '64', '--input-spread', '0.5', '--output-len', '8', '--output-spread', '0.5', '--no-history', '--no-records']
const RUN_TIMEOUT_MS = 5 * 60_000

const BIN = join(PACKAGE_ROOT, 'bin', 'llmbench.js')
const execFileP = promisify(execFile)
const dir = argv.keep ?? mkdtempSync(join(tmpdir(), 'llmbench-vbench-'))
mkdirSync(dir, { recursive: true })
/** Every simulator this script started and has not stopped yet, and those still starting. */
const live = new Set()
const starting = new Set()

async function startSim(options, seed) {
  const started = spawnSimulator({ ...options, seed })
  starting.add(started)
  try {
    const sim = await started
    live.add(sim)
    return sim
  } finally {
    starting.delete(started)
  }
}

async function stopSim(sim) {
  live.delete(sim)
  await sim.close()
}

/** One `llmbench run` of `requests` against `sim`; returns the result document. */
async function runOnce(sim, requests, seed, name) {
  const file = join(dir, `${name}.json`)
  try {
    await execFileP(process.execPath, [BIN, 'run', '--server', sim.url, ...RUN_FLAGS, '--num-prompts', String(requests), '--seed', String(seed), '--output', file], { timeout: RUN_TIMEOUT_MS, maxBuffer: 64 << 20 })
  } catch (err) {
    throw new Error(`llmbench run ${name} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`)
  }
  const doc = readResultFile(file).doc
  if (!argv.keep) rmSync(file, { force: true })
  return doc
}

const figure = (doc, name) => doc.levels[0].figures.find((f) => f.figure === name)
const pct = (x, digits = 1) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(digits)}%`
const share = (k, n) => `${((100 * k) / n).toFixed(1)}% (${k}/${n})`
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length
const sd = (xs) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN
}
/** Seeds fixed by position, whatever order the workers finish in. */
const seedOf = (...parts) => parts.reduce((s, p) => s * 100 + p, BASE_SEED + 1) % 2 ** 31

/** The true change of each slow setting: one large run per setting against one base run. */
async function calibrate() {
  const settings = [['base', BASE], ['ttft', TTFT_SLOW], ['tpot', TPOT_SLOW]]
  const docs = {}
  await Promise.all(settings.map(async ([name, options], k) => {
    const sim = await startSim(options, seedOf(0, k, 1))
    try {
      // One run at a time: a measurement of the true change should not share the machine with itself.
      docs[name] = await serial(() => runOnce(sim, CALIBRATION, seedOf(0, k, 2), `calibration-${name}`))
    } finally {
      await stopSim(sim)
    }
  }))
  const ttft = figure(compareResults(docs.base, docs.ttft, { primary: ['ttft.p50'] }), 'ttft.p50')
  const tpot = figure(compareResults(docs.base, docs.tpot, { primary: ['tpot.p50'] }), 'tpot.p50')
  const show = (f) => `${f.base.toFixed(2)} → ${f.next.toFixed(2)} ms, ${pct(f.change)} [${pct(f.interval[0])}, ${pct(f.interval[1])}] at 95%`
  console.log(`True change of the slow settings (${CALIBRATION.toLocaleString('en-US')} requests per side, one run at a time):`)
  console.log(`  prefill ×${PREFILL_FACTOR}: TTFT p50 ${show(ttft)}`)
  console.log(`  decode ×${DECODE_FACTOR}:   TPOT p50 ${show(tpot)}`)
  const keep = (f) => ({ base: f.base, next: f.next, change: f.change, interval: f.interval })
  return { ttft: keep(ttft), tpot: keep(tpot) }
}

let queue = Promise.resolve()
/** Runs `fn` after every earlier `serial` call has finished. */
function serial(fn) {
  const result = queue.then(fn)
  queue = result.catch(() => {})
  return result
}

/** The four simulators of index i at `size`: A and B the same server, T slower to prefill, P slower to decode. */
const bootIndex = (size, i) => Promise.all([BASE, TTFT_SLOW, BASE, TPOT_SLOW].map((o, k) => startSim(o, seedOf(size, i, k, 1))))

/** Runs index i's four servers one after another; their results in the order A, T, B, P. */
async function runIndex(size, i, sims) {
  const docs = []
  try {
    // Alternate the order so no kind of run always comes first after its simulators boot.
    const order = i % 2 === 0 ? [0, 1, 2, 3] : [1, 0, 3, 2]
    for (const k of order) docs[k] = await runOnce(sims[k], size, seedOf(size, i, k, 2), `n${size}-${i}-${'ATBP'[k]}`)
  } finally {
    await Promise.all(sims.map(stopSim))
  }
  return docs
}

/** The A/A pair (A, B), the TTFT trial (A, T) and the TPOT trial (B, P) of one index. */
function compareIndex([a, t, b, p]) {
  const aa = compareResults(a, b)
  const row = { aa: aa.levels[0].figures.map((f) => ({ figure: f.figure, change: f.change, interval: f.interval, verdict: f.verdict })) }
  // The client's event-loop delay p99 of each run (A, T, B, P): how much the shared machine held the client back.
  row.eventLoopDelayP99Ms = [a, t, b, p].map((d) => d.levels[0].summary.client.eventLoopDelayP99Ms)
  for (const [kind, base, slow] of [['ttft', a, t], ['tpot', b, p]]) {
    const name = `${kind}.p50`
    const all = figure(compareResults(base, slow), name)
    const primary = figure(compareResults(base, slow, { primary: [name] }), name)
    row[kind] = { change: all.change, all: all.verdict, primary: primary.verdict, neededAll: all.needed ?? null, neededPrimary: primary.needed ?? null }
  }
  return row
}

async function trials(size) {
  const rows = new Array(PAIRS)
  let nextIndex = 0
  let done = 0
  const worker = async () => {
    let i = nextIndex++
    let booting = i < PAIRS ? bootIndex(size, i) : undefined
    while (i < PAIRS) {
      const docs = await runIndex(size, i, await booting)
      const j = nextIndex++
      // The next index's simulators boot while this one's comparisons are computed (no load of this worker then).
      booting = j < PAIRS ? bootIndex(size, j) : undefined
      const row = (rows[i] = compareIndex(docs))
      const regressed = row.aa.filter((f) => f.verdict === 'regressed').map((f) => f.figure)
      console.log(`  ${size} requests, index ${String(i).padStart(2)} (${++done}/${PAIRS}): A/A ${regressed.length ? `regressed ${regressed.join(', ')}` : 'no alarm'}; TTFT ${pct(row.ttft.change)} ${row.ttft.all}/${row.ttft.primary}; TPOT ${pct(row.tpot.change)} ${row.tpot.all}/${row.tpot.primary}; load ${loadavg()[0].toFixed(1)}`)
      i = j
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  return summarize(size, rows)
}

function summarize(size, rows) {
  const figures = {}
  let alarms = 0
  for (const r of rows) {
    const regressed = r.aa.filter((f) => f.verdict === 'regressed')
    if (regressed.length) alarms++
    for (const f of regressed) figures[f.figure] = (figures[f.figure] ?? 0) + 1
  }
  const kind = (k) => {
    const xs = rows.map((r) => r[k])
    const needed = (key) => median(xs.map((x) => x[key]).filter((x) => x !== null))
    return {
      all: xs.filter((x) => x.all === 'regressed').length,
      primary: xs.filter((x) => x.primary === 'regressed').length,
      meanChange: mean(xs.map((x) => x.change)),
      sdChange: sd(xs.map((x) => x.change)),
      medianNeededAll: needed('neededAll'),
      medianNeededPrimary: needed('neededPrimary'),
    }
  }
  return { size, pairs: rows.length, aa: { alarms, figures }, ttft: kind('ttft'), tpot: kind('tpot'), rows }
}

function table(cal, results) {
  const rows = [['what', 'size (requests per level)', 'result', 'target']]
  const extra = (k) => `; mean change ${pct(k.meanChange)} (sd ${(100 * k.sdChange).toFixed(1)}%)`
  const needed = (x) => (Number.isFinite(x) ? `; inconclusive ones need ~${Math.round(x).toLocaleString('en-US')} (median)` : '')
  for (const r of results) {
    const which = Object.entries(r.aa.figures).map(([f, c]) => `${f} ${c}`).join(', ')
    rows.push([`A/A: pairs with any regressed (${r.rows[0].aa.length} figures)`, r.size, `${share(r.aa.alarms, r.pairs)}${which ? `: ${which}` : ''}`, '≤ 5%'])
  }
  for (const [k, label] of [['ttft', 'TTFT'], ['tpot', 'TPOT']]) {
    const name = `${k}.p50`
    const truth = cal ? ` ${pct(cal[k].change)}` : ''
    for (const r of results) rows.push([`A/B: ${label}${truth} flagged on ${name}, all figures`, r.size, `${share(r[k].all, r.pairs)}${extra(r[k])}${needed(r[k].medianNeededAll)}`, '≥ 90%'])
    for (const r of results) rows.push([`A/B: ${label}${truth} flagged on ${name}, primary`, r.size, `${share(r[k].primary, r.pairs)}${needed(r[k].medianNeededPrimary)}`, '≥ 90%'])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)))
  for (const row of rows) console.log(row.map((x, c) => String(x).padEnd(widths[c])).join(' | '))
  spread(results)
}

/**
 * Per figure, the spread of the A/A changes across pairs (sd) against the median half-width of
 * their intervals. Honest intervals at the corrected per-figure confidence (about 99.7%) are about
 * three sd wide on each side, so sd ÷ half-width near 0.3; well above it, the runs differ by more
 * than their own requests show (run-to-run drift), and false alarms grow with the run's size.
 */
function spread(results) {
  console.log('\nA/A spread per figure: sd of the change across pairs / median interval half-width (unbounded intervals left out)')
  for (const r of results) {
    const byFigure = {}
    for (const row of r.rows) for (const f of row.aa) (byFigure[f.figure] ??= []).push(f)
    const parts = Object.entries(byFigure).map(([name, fs]) => {
      const changes = fs.map((f) => f.change).filter(Number.isFinite)
      const halves = fs.filter((f) => f.interval && f.interval.every(Number.isFinite)).map((f) => (f.interval[1] - f.interval[0]) / 2)
      return `${name} ${(100 * sd(changes)).toFixed(1)}/${halves.length ? (100 * median(halves)).toFixed(1) : '∞'}%`
    })
    console.log(`  ${r.size}: ${parts.join(', ')}`)
  }
}

async function main() {
  const started = performance.now()
  const loadStart = load()
  console.log(`Verdicts against the simulator: ${cpus().length} CPUs, load average ${loadStart} at start`)
  console.log(`server ${JSON.stringify(BASE)}; slow TTFT: prefill ×${PREFILL_FACTOR}; slow TPOT: decode ×${DECODE_FACTOR}`)
  console.log(`llmbench run ${RUN_FLAGS.join(' ')} --num-prompts N --seed S`)
  console.log(`sizes ${SIZES.join(', ')} requests per level, ${PAIRS} pairs and trials each, ${PARALLEL} at a time; calibration ${CALIBRATION} requests per side\n`)
  const cal = await calibrate()
  const results = []
  for (const size of SIZES) {
    console.log(`\nTrials at ${size} requests per level (A/A verdicts; change, verdict all figures/primary):`)
    results.push(await trials(size))
  }
  const minutes = (performance.now() - started) / 60_000
  const loadEnd = load()
  console.log('')
  table(cal, results)
  console.log(`\nload average ${loadStart} at start, ${loadEnd} at end; ${minutes.toFixed(1)} minutes`)
  if (argv.json) {
    const doc = { server: BASE, prefillFactor: PREFILL_FACTOR, decodeFactor: DECODE_FACTOR, runFlags: RUN_FLAGS, parallel: PARALLEL, calibration: { requests: CALIBRATION, ...cal }, results, loadStart, loadEnd, minutes }
    writeFileSync(argv.json, JSON.stringify(doc, null, 1))
    console.log(`figures written to ${argv.json}`)
  }
}

try {
  await main()
} finally {
  await Promise.allSettled([...starting])
  await Promise.all([...live].map(stopSim))
  if (!argv.keep) rmSync(dir, { recursive: true, force: true })
}
