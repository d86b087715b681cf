/**
 * Sharded runs: each shard applies its share of every level, starts at the agreed time, and
 * `llmbench merge` gives one result whose distribution matches an unsharded run's within
 * sampling error (percentiles from the merged records, not averages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { mergeRunResults } from '../src/records/merge.js'
import { shareOf } from '../src/load/levels.js'
import type { RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-shards-'))
let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator({ decodeBaseMs: 5, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
})
afterAll(() => sim.close())

const common = (extra: string[]) => ['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '20',
  '--num-prompts', '60', '--concurrency', '3,6', '--seed', '3', '--no-telemetry', ...extra]

describe('shards', () => {
  it('split whole slots and requests, the first shards taking the remainder', () => {
    expect([0, 1, 2, 3].map((index) => shareOf(6, { index, count: 4 }))).toEqual([2, 2, 1, 1])
    expect([0, 1, 2].map((index) => shareOf(60, { index, count: 3 })).reduce((a, b) => a + b)).toBe(60)
  })

  it('three processes with --shard i/3 and --start-at merge into one result like an unsharded run', async () => {
    // Time for three processes to start, load prompts and warm up on a busy two-core machine.
    const startAt = Date.now() + 8000
    const shards = await Promise.all([0, 1, 2].map((i) => runCli(common(['--shard', `${i}/3`, '--start-at', String(startAt), '--output', join(dir, `s${i}.json`)]), {}, 60_000)))
    for (const s of shards) expect(s.code, s.stderr).toBe(0)
    for (const s of shards) expect(s.stderr).not.toContain('the start time passed')
    const parts = [0, 1, 2].map((i) => JSON.parse(readFileSync(join(dir, `s${i}.json`), 'utf8')) as RunResult)
    expect(parts.map((p) => p.levels.map((l) => l.summary.load.value))).toEqual([[1, 2], [1, 2], [1, 2]])
    expect(parts.map((p) => p.levels[1].summary.requests.total)).toEqual([20, 20, 20])
    // Every shard's first measured request went out at the agreed time (within timer slack).
    for (const p of parts) {
      const first = Math.min(...p.levels[0].records.filter((r) => !r.warmup).map((r) => r.sentAt))
      expect(Math.abs(first + p.clockOffsetMs! - startAt)).toBeLessThan(100)
    }

    const merged = await runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `s${i}.json`)), '-o', join(dir, 'merged.json'), '--no-history'])
    expect(merged.code, merged.stderr).toBe(0)
    expect(merged.stdout).toContain('Level concurrency 6: 60/60 succeeded')
    const m = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as RunResult
    expect(schemaErrors(m)).toEqual([])
    expect(m.shards).toBe(3)
    expect(m.levels.map((l) => l.summary.load.value)).toEqual([3, 6])
    expect(m.levels.map((l) => l.summary.requests.total)).toEqual([60, 60])
    const measured = m.levels[1].records.filter((r) => !r.warmup)
    expect(new Set(measured.map((r) => r.index)).size).toBe(measured.length)
    expect(m.levels[1].summary.concurrency.maxInFlight).toBeLessThanOrEqual(6)

    const whole = await runCli(common(['--output', join(dir, 'whole.json')]), {}, 60_000)
    expect(whole.code, whole.stderr).toBe(0)
    const w = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')) as RunResult
    for (const k of [0, 1]) {
      const [a, b] = [m.levels[k].summary, w.levels[k].summary]
      // The same load on the same server: medians within sampling error of each other.
      expect(a.stats.tpot!.p50 / b.stats.tpot!.p50).toBeGreaterThan(0.8)
      expect(a.stats.tpot!.p50 / b.stats.tpot!.p50).toBeLessThan(1.25)
      expect(a.stats.e2e!.p50 / b.stats.e2e!.p50).toBeGreaterThan(0.75)
      expect(a.stats.e2e!.p50 / b.stats.e2e!.p50).toBeLessThan(1.33)
      expect(a.throughput.requestsPerSec / b.throughput.requestsPerSec).toBeGreaterThan(0.75)
      expect(a.throughput.requestsPerSec / b.throughput.requestsPerSec).toBeLessThan(1.33)
    }
  }, 120_000)

  it('merges the shards\' records files to the same figures, and does so by itself when a shard kept only a sample', async () => {
    // Uses the shards of the test above: each run wrote s<i>.records.jsonl beside s<i>.json.
    const m = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as RunResult
    const fromRecords = await runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `s${i}.records.jsonl`)), '-o', join(dir, 'merged-records.json'), '--no-history'])
    expect(fromRecords.code, fromRecords.stderr).toBe(0)
    expect(fromRecords.stdout).toContain('from their records files')
    const r = JSON.parse(readFileSync(join(dir, 'merged-records.json'), 'utf8')) as RunResult
    expect(schemaErrors(r)).toEqual([])
    const same = (a: RunResult, b: RunResult) => {
      expect(a.shards).toBe(b.shards)
      for (const k of [0, 1]) {
        const [x, y] = [a.levels[k].summary, b.levels[k].summary]
        expect(x.load).toEqual(y.load)
        expect(x.requests).toEqual(y.requests)
        for (const metric of ['ttft', 'tpot', 'itl', 'e2e'] as const) {
          for (const p of ['mean', 'p50', 'p99'] as const) expect(x.stats[metric]![p]).toBeCloseTo(y.stats[metric]![p], 6)
        }
        // Shards meet on the wall clock, read to the millisecond at the start of the records file
        // and at the end of the result: the span of all shards may differ by that much.
        expect(Math.abs(x.throughput.requestsPerSec / y.throughput.requestsPerSec - 1)).toBeLessThan(0.002)
        expect(x.concurrency.maxInFlight).toBe(y.concurrency.maxInFlight)
      }
    }
    same(r, m)

    // A shard whose result kept a sample: the merge reads its records file (and the others') instead.
    const s1 = JSON.parse(readFileSync(join(dir, 's1.json'), 'utf8')) as RunResult
    for (const l of s1.levels) {
      l.recordsOmitted = l.records.length - 3
      l.records = l.records.slice(0, 3)
    }
    writeFileSync(join(dir, 's1-sampled.json'), JSON.stringify(s1))
    const sampled = await runCli(['merge', join(dir, 's0.json'), join(dir, 's1-sampled.json'), join(dir, 's2.json'), '-o', join(dir, 'merged-sampled.json'), '--no-history'])
    expect(sampled.code, sampled.stderr).toBe(0)
    expect(sampled.stdout).toContain('from their records files')
    same(JSON.parse(readFileSync(join(dir, 'merged-sampled.json'), 'utf8')) as RunResult, m)

    // ...and says what to give it when that records file is gone.
    writeFileSync(join(dir, 's1-lost.json'), JSON.stringify({ ...s1, recordsFile: join(dir, 'gone', 'nowhere.records.jsonl') }))
    const lost = await runCli(['merge', join(dir, 's0.json'), join(dir, 's1-lost.json'), join(dir, 's2.json'), '--no-history'])
    expect(lost.code).toBe(2)
    expect(lost.stderr).toMatch(/^llmbench: .*s1-lost\.json keeps a sample of its records \(\d+ left out\) and its records file .* is not here: give the shards' records files/)
  }, 60_000)

  it('refuses shards of different runs, missing shards and shards given twice, in one line', () => {
    const part = (index: number, count: number, model = 'm'): RunResult => ({
      schemaVersion: 2, llmbench: { version: 'x' }, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', interrupted: false,
      command: 'c', environment: { node: 'v', platform: 'p', cpus: 1, cpuModel: 'c' }, levels: [], shard: { index, count },
      scenario: { server: 's', model, endpoint: 'chat', stream: true, concurrency: [2], requests: 2, input: { tokens: 1 }, output: { tokens: 1 },
        ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 1, seed: 0, headers: {}, body: {} },
    })
    expect(() => mergeRunResults([part(0, 2)], ['a.json'], 'x')).toThrow('shards 1/2 are missing: give every shard of the run')
    expect(() => mergeRunResults([part(0, 2), part(0, 2)], ['a', 'b'], 'x')).toThrow('the same shard is given twice')
    expect(() => mergeRunResults([part(0, 2), part(1, 3)], ['a', 'b'], 'x')).toThrow('b is shard 1/3, but a is of 2 shards')
    expect(() => mergeRunResults([part(0, 2), part(1, 2, 'other')], ['a', 'b'], 'x')).toThrow('b is not a shard of the same run as a')
  })
})
