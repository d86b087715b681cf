/**
 * One scenario over several load threads: concurrency divided exactly, a rate split, each level's
 * measured part started together, and the records merged into one level on one clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'
import { makeProject } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'
import { threadCount } from '../src/runner/threads.js'
import { runScenario, type ScenarioOptions } from '../src/runner/scenario.js'
import { RecordsWriter, readRecordsFile } from '../src/records/records-file.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-threads-'))
let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator({ decodeBaseMs: 5, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
})
afterAll(() => sim.close())

const run = (extra: string[], out: string) => runCli(['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '20',
  '--num-prompts', '60', '--seed', '5', '--no-history', '--no-telemetry', '--output', join(dir, out), ...extra], {}, 60_000)
const read = (out: string) => JSON.parse(readFileSync(join(dir, out), 'utf8')) as RunResult

describe('threads under auto', () => {
  const auto = { threads: 'auto' } as ScenarioOptions
  it('follow the expected event rate: streams at the preflight\'s inter-token latency, 20,000 events a second a thread', () => {
    expect(threadCount(auto, { slots: 4000, streams: 4000, itlMs: 100, cpus: 16 })).toBe(2) // 40,000 a second
    expect(threadCount(auto, { slots: 1000, streams: 1000, itlMs: 10, cpus: 16 })).toBe(5) // 100,000
    expect(threadCount(auto, { slots: 64, streams: 64, itlMs: 20, cpus: 16 })).toBe(1) // 3,200
  })
  it('leave a core, need a slot of every level each, and count streams without token times', () => {
    expect(threadCount(auto, { slots: 4000, streams: 4000, itlMs: 1, cpus: 2 })).toBe(1)
    expect(threadCount(auto, { slots: 3, streams: 10_000, itlMs: 1, cpus: 16 })).toBe(3)
    expect(threadCount(auto, { slots: 5000, streams: 5000, cpus: 16 })).toBe(5)
    expect(threadCount({ threads: 3 } as ScenarioOptions, { slots: 1, streams: 1, cpus: 1 })).toBe(3)
  })
})

describe('load threads', () => {
  it('divide a concurrency exactly and merge the records into one level, like one thread', async () => {
    const [two, one] = [await run(['--concurrency', '3,6', '--threads', '2'], 'two.json'), await run(['--concurrency', '3,6', '--threads', '1'], 'one.json')]
    expect(two.code, two.stderr).toBe(0)
    expect(one.code, one.stderr).toBe(0)
    const [t, o] = [read('two.json'), read('one.json')]
    expect(schemaErrors(t)).toEqual([])
    for (const k of [0, 1]) {
      const s = t.levels[k].summary
      expect(s.load).toEqual({ kind: 'concurrency', value: [3, 6][k] })
      expect(s.requests.total).toBe(60)
      // Slots of both threads together: never more in flight than the level's concurrency, and it is reached.
      expect(s.concurrency.maxInFlight).toBe([3, 6][k])
      const measured = t.levels[k].records.filter((r) => !r.warmup)
      expect(new Set(measured.map((r) => r.index)).size).toBe(60)
      // One clock: every record's times are ordered and within the level's span.
      for (const r of measured) expect(r.endAt).toBeGreaterThanOrEqual(r.sentAt)
      const ratio = s.stats.e2e!.p50 / o.levels[k].summary.stats.e2e!.p50
      expect(ratio).toBeGreaterThan(0.75)
      expect(ratio).toBeLessThan(1.33)
    }
  }, 120_000)

  it('split an open-loop rate, keeping the whole rate', async () => {
    const r = await run(['--request-rate', '30', '--arrival', 'constant', '--threads', '2'], 'rate.json')
    expect(r.code, r.stderr).toBe(0)
    const s = read('rate.json').levels[0].summary
    expect(s.load).toMatchObject({ kind: 'rate', value: 30 })
    expect(s.requests.total).toBe(60)
    expect(Math.abs(s.schedule!.achievedRate / 30 - 1)).toBeLessThan(0.05)
    // Constant arrivals of the two threads interleave: the merged gaps are the whole rate's.
    const sent = read('rate.json').levels[0].records.filter((x) => !x.warmup).map((x) => x.scheduledAt).sort((a, b) => a - b)
    const gaps = sent.slice(1).map((x, i) => x - sent[i])
    expect(Math.max(...gaps)).toBeLessThan(1000 / 30 + 2)
  }, 60_000)

  it('run a bench file scenario that asks for threads', async () => {
    const root = makeProject({
      'threads.bench.ts': `import { bench } from 'llmbench'
bench('two threads', { server: '${sim.url}', model: 'sim-model', concurrency: [4], requests: 20, threads: 2, input: { tokens: 16 }, output: { tokens: 10 }, telemetry: { enabled: false } })
`,
    })
    const out = join(root, 'suite.json')
    const r = await runCli(['--root', root, '--reporter', 'json', `--outputFile.json=${out}`])
    expect(r.code, r.stderr).toBe(0)
    const level = (JSON.parse(readFileSync(out, 'utf8')) as SuiteResult).files[0].scenarios[0].levels[0]
    expect(level.summary.requests).toMatchObject({ total: 20, succeeded: 20, warmup: 4 })
    expect(level.summary.concurrency.maxInFlight).toBe(4)
  }, 60_000)

  it('stream every record to the records file as it ends and keep only a bounded sample in the result', async () => {
    const opts: ScenarioOptions = {
      server: sim.url, model: 'sim-model', endpoint: 'chat', stream: true, concurrency: [4], numPrompts: 40,
      inputLen: 16, outputLen: 10, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 30_000,
      headers: {}, body: {}, seed: 3, threads: 2, telemetry: { enabled: false }, calibrate: false, recordsLimit: 10,
    }
    const path = join(dir, 'threads.records.jsonl')
    const file = RecordsWriter.open(path, { scenario: opts as never, startedAt: new Date(), command: 'test' })
    const onRecord: number[] = []
    const { levels } = await runScenario(opts, { onRecord: (r) => onRecord.push(r.index) }, undefined, file)
    file.end({ finishedAt: new Date(), interrupted: false })
    const [level] = levels
    // Every record is in the file, numbered as the whole level's (thread t's k-th is k·2 + t)...
    const onDisk = (await readRecordsFile(path)).levels[0].records
    const measured = onDisk.filter((r) => !r.warmup)
    expect(measured.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k))
    expect(onRecord.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k))
    // ...the figures come from all of them...
    expect(level.summary.requests).toMatchObject({ total: 40, succeeded: 40 })
    expect(level.summary.stats.ttft!.count).toBe(40)
    // ...and the result keeps the sample only.
    expect(level.records).toHaveLength(10)
    expect(level.recordsOmitted).toBe(onDisk.length - 10)
  })

  it('refuse more threads than a level has slots, in one line', async () => {
    const r = await runCli(['run', '--server', sim.url, '--concurrency', '1,4', '--threads', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('llmbench: --threads 2: concurrency 1 cannot be split over 2 threads (each needs at least one slot)\n')
  })
})
