// Memory of a 1,000,000-request level, driven as the runner drives it: each record is written to
// the records file (RecordsWriter), added to the level's accumulator (LevelAccumulator) and offered
// to the kept sample (RecordSampler), then dropped. At the end the summary, the level result and
// the result document (JSON, as --output writes it) are built. Then, in a fresh process, the
// result is rebuilt from the records file (what `llmbench report --from` does after a crash).
//
//   npx tsc -p tsconfig.json && node --expose-gc bench/memory-1m.js [--requests N] [--runs 3]
//
// Records: 128 output tokens with a token time each, ~5% failures. Each run is its own process
// (peak RSS is the process's maxRSS); prints every run and the median over runs.
import { spawnSync } from 'node:child_process'
import { fromDist, makeRecord } from './synthetic-record.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : dflt
}
const REQUESTS = Number(arg('requests', 1_000_000))
const RUNS = Number(arg('runs', 3))
const MODE = arg('mode', 'parent')
const FILE = arg('file', '')



const MB = 1024 * 1024
let peakHeap = 0
const sampleHeap = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
}
const retainedHeap = () => {
  globalThis.gc?.()
  return globalThis.gc ? process.memoryUsage().heapUsed : NaN
}
const maxRssMB = () => process.resourceUsage().maxRSS / 1024

async function runChild() {
  const { RecordsWriter } = await fromDist('records/records-file.js')
  const { LevelAccumulator } = await fromDist('metrics/accumulator.js')
  const { RecordSampler, levelResultOf, levelSampleSeed } = await fromDist('records/trim.js')
  const { mulberry32 } = await fromDist('random.js')
  const scenario = {
    server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [256], requests: REQUESTS, warmup: 0,
    input: { tokens: 512 }, output: { tokens: 128 }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 60_000, seed: 1,
    headers: {}, body: {}, slo: { goodput: { ttft: 40, tpot: 15 } },
  }
  const load = { kind: 'concurrency', value: 256 }
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const writer = RecordsWriter.open(FILE, { scenario, startedAt: new Date(), command: 'bench/memory-1m.js' })
  writer.level({ index: 0, load })
  const acc = new LevelAccumulator()
  const sampler = new RecordSampler({ seed: levelSampleSeed(scenario.seed, 0) })
  const rng = mulberry32(42)
  for (let i = 0; i < REQUESTS; i++) {
    const r = makeRecord(i, rng)
    writer.record(0, r)
    acc.add(r)
    sampler.add(r)
    if (i % 10_000 === 9_999) {
      sampleHeap()
      // Let the writer's timer run, as it would between requests.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const addSec = (performance.now() - t0) / 1000
  const summary = acc.finish({ load, slo: scenario.slo.goodput, client: { eventLoopDelayP99Ms: 1, cpuPercent: 50 } })
  const level = levelResultOf(summary, sampler)
  writer.levelEnd(0, summary)
  writer.end({ finishedAt: new Date(), interrupted: false })
  sampleHeap()
  const json = JSON.stringify({ scenario, levels: [level], recordsFile: FILE })
  sampleHeap()
  const totalSec = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(c0)
  return {
    requests: REQUESTS,
    addSec,
    totalSec,
    cpuSec: (cpu.user + cpu.system) / 1e6,
    peakRssMB: maxRssMB(),
    peakHeapMB: peakHeap / MB,
    retainedHeapMB: retainedHeap() / MB,
    recordsFileMB: fs.statSync(FILE).size / MB,
    resultJsonMB: json.length / MB,
    recordsKept: level.records.length,
    recordsOmitted: level.recordsOmitted ?? 0,
    failuresKept: level.records.filter((r) => r.outcome !== 'ok').length,
    summary: { requests: summary.requests, itl: summary.stats.itl, itlApprox: summary.itlApprox, ttft: summary.stats.ttft, goodput: summary.goodput?.ratio },
  }
}

async function rebuildChild() {
  const { rebuildRunResult } = await fromDist('records/rebuild.js')
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const result = await rebuildRunResult(FILE)
  sampleHeap()
  const level = result.levels[0]
  const cpu = process.cpuUsage(c0)
  return {
    rebuildSec: (performance.now() - t0) / 1000,
    cpuSec: (cpu.user + cpu.system) / 1e6,
    peakRssMB: maxRssMB(),
    retainedHeapMB: retainedHeap() / MB,
    records: level.records.length + (level.recordsOmitted ?? 0),
    itlP99: level.summary.stats.itl?.p99,
  }
}

if (MODE === 'run') console.log(JSON.stringify(await runChild()))
else if (MODE === 'rebuild') console.log(JSON.stringify(await rebuildChild()))
else {
  const self = fileURLToPath(import.meta.url)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmbench-memory-'))
  const child = (mode, file) => {
    const out = spawnSync(process.execPath, ['--expose-gc', self, '--mode', mode, '--file', file, '--requests', String(REQUESTS)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    if (out.status !== 0) throw new Error(`${mode} child failed with ${out.status ?? out.signal}`)
    return JSON.parse(out.stdout)
  }
  const runs = []
  try {
    for (let k = 0; k < RUNS; k++) {
      const file = path.join(dir, `records-${k}.jsonl`)
      const run = child('run', file)
      const rebuild = child('rebuild', file)
      fs.rmSync(file)
      runs.push({ run, rebuild })
      console.log(`run ${k + 1}: ${JSON.stringify(run)}\n  rebuild: ${JSON.stringify(rebuild)}`)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const median = (f) => {
    const xs = runs.map(f).sort((a, b) => a - b)
    return xs[Math.floor(xs.length / 2)]
  }
  const f1 = (x) => x.toFixed(1)
  console.log(`\nmedian of ${RUNS} runs, ${REQUESTS} requests:`)
  console.log(`  run:     peak RSS ${f1(median((r) => r.run.peakRssMB))} MB, peak heap used ${f1(median((r) => r.run.peakHeapMB))} MB, ` +
    `retained heap ${f1(median((r) => r.run.retainedHeapMB))} MB, ${f1(median((r) => r.run.totalSec))} s wall ` +
    `(${f1(median((r) => r.run.addSec))} s adding), ${f1(median((r) => r.run.cpuSec))} s CPU, ` +
    `records file ${f1(median((r) => r.run.recordsFileMB))} MB, result JSON ${f1(median((r) => r.run.resultJsonMB))} MB`)
  console.log(`  rebuild: peak RSS ${f1(median((r) => r.rebuild.peakRssMB))} MB, retained heap ${f1(median((r) => r.rebuild.retainedHeapMB))} MB, ` +
    `${f1(median((r) => r.rebuild.rebuildSec))} s wall, ${f1(median((r) => r.rebuild.cpuSec))} s CPU`)
}
