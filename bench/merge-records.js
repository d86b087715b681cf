#!/usr/bin/env node
/**
 * Memory and time of `llmbench merge` over records files: N shards' records files of one
 * 1,000,000-request level in all (synthetic records, 128 token times each, 5% failures), written
 * first, then merged by mergeRecordsFiles in a process of its own whose peak RSS is the figure.
 *
 *   npm run build && node bench/merge-records.js [--requests 1000000] [--shards 4]
 *
 * The files (about 1.3 GB for a million records) go to bench/out/ and are deleted afterwards.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fromDist, makeRecord } from './synthetic-record.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const REQUESTS = arg('requests', 1_000_000)
const SHARDS = arg('shards', 4)
const OUT = join(HERE, 'out')
const fileOf = (i) => join(OUT, `merge-shard-${i}.records.jsonl`)

if (process.argv.includes('--merge')) {
  const { mergeRecordsFiles } = await fromDist('records/merge-records.js')
  const t0 = performance.now()
  const merged = await mergeRecordsFiles(Array.from({ length: SHARDS }, (_, i) => fileOf(i)), 'bench/merge-records.js')
  const level = merged.levels[0]
  const json = JSON.stringify(merged)
  console.log(JSON.stringify({
    seconds: (performance.now() - t0) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    requests: level.summary.requests.total,
    kept: level.records.length,
    omitted: level.recordsOmitted ?? 0,
    itlP99: level.summary.stats.itl?.p99,
    resultMb: json.length / 1e6,
  }))
} else {
  mkdirSync(OUT, { recursive: true })
  const { RecordsWriter } = await fromDist('records/records-file.js')
  const { mulberry32 } = await fromDist('random.js')
  const scenario = {
    server: 'http://127.0.0.1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [256 * SHARDS], requests: REQUESTS, warmup: 0,
    input: { tokens: 512 }, output: { tokens: 128 }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 60_000, seed: 1,
    headers: {}, body: {}, slo: { goodput: { ttft: 40, tpot: 15 } },
  }
  const t0 = performance.now()
  let bytes = 0
  for (let s = 0; s < SHARDS; s++) {
    const w = RecordsWriter.open(fileOf(s), { scenario: { ...scenario, shard: { index: s, count: SHARDS } }, startedAt: new Date(), command: 'bench' })
    w.level({ index: 0, load: { kind: 'concurrency', value: 256 } })
    const rng = mulberry32(42 + s)
    const n = Math.floor(REQUESTS / SHARDS) + (s < REQUESTS % SHARDS ? 1 : 0)
    for (let i = 0; i < n; i++) {
      w.record(0, makeRecord(i, rng))
      if (i % 10_000 === 9_999) await new Promise((resolve) => setImmediate(resolve))
    }
    w.end({ finishedAt: new Date(), interrupted: false })
    bytes += statSync(fileOf(s)).size
  }
  console.error(`wrote ${SHARDS} records files, ${REQUESTS} records, ${(bytes / 1e6).toFixed(0)} MB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--merge', '--requests', String(REQUESTS), '--shards', String(SHARDS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  for (let s = 0; s < SHARDS; s++) rmSync(fileOf(s), { force: true })
  if (r.status !== 0) process.exit(r.status ?? 1)
  const m = JSON.parse(r.stdout.trim().split('\n').pop())
  console.log(`merge of ${m.requests} records from ${SHARDS} records files: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB, ` +
    `${m.kept} records kept (${m.omitted} omitted), result ${m.resultMb.toFixed(0)} MB, ITL p99 ${m.itlP99?.toFixed(3)} ms`)
}
