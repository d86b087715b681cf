/**
 * `llmbench run` appends each record as its request ends; after a kill -9, `llmbench report --from`
 * rebuilds a valid result (marked interrupted) from what reached the disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import { runCli, startCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-crash-'))
let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator({ decodeBaseMs: 5, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
})
afterAll(() => sim.close())

describe('records on disk', () => {
  it('survive a kill -9 and rebuild into a result with every record written', async () => {
    const records = join(dir, 'crash.records.jsonl')
    const run = startCli(['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '10', '--concurrency', '4',
      '--num-prompts', '400', '--records', records, '--no-telemetry'])
    await run.printed(/concurrency 4: running 400 requests/)
    await new Promise((r) => setTimeout(r, 1500))
    run.child.kill('SIGKILL')
    await run.done
    const lines = readFileSync(records, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"record"'))
    expect(lines.length).toBeGreaterThan(10)

    const r = await runCli(['report', '--from', records, '-o', join(dir, 'html')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Rebuilt 1 levels from .*crash\.records\.jsonl \(the run did not finish\)/)
    const rebuilt = JSON.parse(readFileSync(join(dir, 'crash.rebuilt.json'), 'utf8')) as RunResult
    expect(schemaErrors(rebuilt)).toEqual([])
    expect(rebuilt.interrupted).toBe(true)
    const level = rebuilt.levels[0]
    // Every complete record line is in the rebuilt level (warm-up included), and its figures come from them.
    expect(level.records.length).toBeGreaterThanOrEqual(lines.length - 1)
    expect(level.summary.requests.total + level.summary.requests.warmup).toBe(level.records.length)
    expect(level.summary.stats.ttft!.count).toBe(level.summary.requests.succeeded)
  }, 60_000)

  it('all go to the records file while --records-limit bounds the sample kept in the result', async () => {
    const out = join(dir, 'limited.json')
    const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '8', '--concurrency', '2,4',
      '--num-prompts', '30', '--records-limit', '7', '--output', out, '--no-history', '--no-telemetry'])
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    const lines = readFileSync(join(dir, 'limited.records.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith('{"type":"record"'))
    for (const [k, level] of result.levels.entries()) {
      expect(level.summary.requests.total).toBe(30)
      expect(level.records).toHaveLength(7)
      const onDisk = lines.filter((l) => l.startsWith(`{"type":"record","level":${k},`)).length
      expect(level.recordsOmitted).toBe(onDisk - 7)
    }
    const bad = await runCli(['run', '--server', sim.url, '--records-limit', '-1'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^llmbench: --records-limit .*-1/)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('are written beside --output by default, and a finished run rebuilds to the same figures', async () => {
    const out = join(dir, 'done.json')
    const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '10', '--concurrency', '2,4',
      '--num-prompts', '20', '--output', out, '--no-telemetry'])
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(result.recordsFile).toBe(join(dir, 'done.records.jsonl'))
    const again = await runCli(['report', '--from', result.recordsFile!, '-o', join(dir, 'html2')])
    expect(again.code, again.stderr).toBe(0)
    const rebuilt = JSON.parse(readFileSync(join(dir, 'done.rebuilt.json'), 'utf8')) as RunResult
    expect(rebuilt.interrupted).toBe(false)
    expect(rebuilt.levels.map((l) => l.summary.stats)).toEqual(result.levels.map((l) => l.summary.stats))
  }, 60_000)
})
