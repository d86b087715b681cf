// Cost of writing records to the records file (src/records/records-file.ts) as a run does:
// RecordsWriter.record() for each record, buffered, written with fs.writeSync every 1 MiB.
//
//   npx tsc -p tsconfig.json && node bench/records-write.js [recordsPerRun] [runs]
//
// Records: 128 output tokens with a token time each, 5% failures with an error message. Prints
// per run and the median over runs: µs per record (record() calls plus the final flush), wall
// clock and CPU time of the process (the CPU figure moves less on a shared machine), MB/s written,
// and for scale the wall µs of JSON.stringify alone on the same records.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fromDist, makeRecord } from './synthetic-record.js'

const N = Number(process.argv[2] ?? 100_000)
const RUNS = Number(process.argv[3] ?? 5)

const { RecordsWriter } = await fromDist('records/records-file.js')
const { mulberry32 } = await fromDist('random.js')


const rng = mulberry32(1)
const records = Array.from({ length: N }, (_, i) => makeRecord(i, rng))
const scenario = {
  server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [256], requests: N, warmup: 0,
  input: { tokens: 512 }, output: { tokens: 128 }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 60_000, seed: 0,
  headers: {}, body: {},
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmbench-records-bench-'))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function run(k) {
  const file = path.join(dir, `run${k}.jsonl`)
  const w = RecordsWriter.open(file, { scenario, startedAt: new Date(), command: 'bench' })
  w.level({ index: 0, load: { kind: 'concurrency', value: 256 } })
  const t0 = process.hrtime.bigint()
  const c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) w.record(0, records[i])
  w.flushSync()
  const cpu = process.cpuUsage(c0)
  const ns = Number(process.hrtime.bigint() - t0)
  w.close()
  const bytes = fs.statSync(file).size
  fs.rmSync(file)
  let chars = 0
  const s0 = process.hrtime.bigint()
  for (let i = 0; i < N; i++) chars += JSON.stringify(records[i]).length
  const stringifyNs = Number(process.hrtime.bigint() - s0)
  return { usPerRecord: ns / 1000 / N, cpuUsPerRecord: (cpu.user + cpu.system) / N, mbPerSec: bytes / 1e6 / (ns / 1e9), stringifyUs: stringifyNs / 1000 / N, bytesPerRecord: bytes / N, chars }
}

run('warm-up')
const runs = []
for (let k = 0; k < RUNS; k++) {
  const r = run(k)
  runs.push(r)
  console.log(`run ${k + 1}: ${r.usPerRecord.toFixed(2)} µs/record (CPU ${r.cpuUsPerRecord.toFixed(2)} µs), ${r.mbPerSec.toFixed(0)} MB/s, JSON.stringify alone ${r.stringifyUs.toFixed(2)} µs`)
}
fs.rmSync(dir, { recursive: true, force: true })
console.log(
  `median of ${RUNS} runs of ${N} records (${median(runs.map((r) => r.bytesPerRecord)).toFixed(0)} bytes each): ` +
    `${median(runs.map((r) => r.usPerRecord)).toFixed(2)} µs/record (CPU ${median(runs.map((r) => r.cpuUsPerRecord)).toFixed(2)} µs), ${median(runs.map((r) => r.mbPerSec)).toFixed(0)} MB/s, ` +
    `JSON.stringify alone ${median(runs.map((r) => r.stringifyUs)).toFixed(2)} µs/record`,
)
