/**
 * `llmbench run --expect 'FIGURE OP N'`: objectives from flags alone, checked on every level with
 * their intervals, printed, kept in the result (`checks`), and a missed one exits 1 so CI stops.
 */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExpect } from '../src/options/slo-text.js'
import type { RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-expect-'))
const run = (...flags: string[]) => runCli(['run', '--simulate', '--concurrency', '1,2', '--num-prompts', '8', '--input-len', '16', '--output-len', '8', '--no-history', ...flags])

describe('parseExpect', () => {
  it('reads FIGURE OP NUMBER as the slo entry a bench file writes; goodput >= as its least share', () => {
    expect(parseExpect('ttft.p95 < 500')).toEqual({ 'ttft.p95': '< 500' })
    expect(parseExpect('errors.rate<=0.01')).toEqual({ 'errors.rate': '<= 0.01' })
    expect(parseExpect(' turn2.ttft.p50 >1e2 ')).toEqual({ 'turn2.ttft.p50': '> 1e2' })
    expect(parseExpect('goodput >= 0.9')).toEqual({ goodput: { min: 0.9 } })
  })

  it('says what is wrong in one line', () => {
    expect(() => parseExpect('ttft.p95')).toThrow(/^"ttft.p95" is not an objective: write FIGURE OP NUMBER/)
    expect(() => parseExpect('ttft.p95 < fast')).toThrow(/fast is not a number/)
    expect(() => parseExpect('goodput > 0.9')).toThrow(/write 'goodput >= 0.9', with the bounds in --goodput/)
  })
})

describe('llmbench run --expect', () => {
  it('checks each objective on each level, keeps the checks in the result, and exits 1 on a miss', async () => {
    const out = join(dir, 'missed.json')
    const r = await run('--goodput', 'ttft:60000,tpot:60000', '--expect', 'tpot.p50 < 0.001', '--expect', 'errors.rate < 0.5', '--expect', 'goodput >= 0.5', '--output', out)
    expect(r.stderr).not.toMatch(/Error|at .*\.js/)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Objectives: 4 of 6 met, 2 missed')
    // Eight requests are too few for an interval on a percentile: the estimate decides, said so.
    expect(r.stdout).toMatch(/ × concurrency 1: tpot\.p50 = [\d.]+ ms( \[[\d.]+, [\d.]+\])?, expected < 0\.001/)
    expect(r.stdout).toMatch(/Failed: 2 of 6 checks; first: tpot\.p50/)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.checks!.map((c) => [c.metric, c.level, c.passed])).toEqual([
      ['goodput', 1, true], ['goodput', 2, true],
      ['tpot.p50', 1, false], ['tpot.p50', 2, false],
      ['errors.rate', 1, true], ['errors.rate', 2, true],
    ])
    // The checked value is the level's own figure.
    expect(result.checks![2].actual).toBe(result.levels[0].summary.stats.tpot!.p50)
  })

  it('exits 0 when every objective is met', async () => {
    const r = await run('--expect', 'ttft.p50 < 60000', '--expect', 'errors.rate < 0.5')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Objectives: 4 of 4 met')
  })

  it('refuses a figure it does not know, or one the run cannot measure, before it starts, in one line', async () => {
    const unknown = await run('--expect', 'ttft.p59 < 500')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toMatch(/^llmbench: --expect has an unknown objective "ttft\.p59": did you mean "ttft\.p50"\?/)
    // A turn figure matches a pattern, not a list: its guess is made part by part.
    const turn = await run('--expect', 'turn2.tft.p95 < 500')
    expect(turn.code).toBe(2)
    expect(turn.stderr.trim()).toMatch(/^llmbench: --expect has an unknown objective "turn2\.tft\.p95": did you mean "turn2\.ttft\.p95"\?/)
    const noStream = await run('--expect', 'ttft.p95 < 500', '--no-stream')
    expect(noStream.code).toBe(2)
    expect(noStream.stderr.trim()).toBe('llmbench: --expect ttft.p95: non-streamed requests have no ttft (--no-stream): enable streaming or use an e2e objective')
    expect(noStream.stdout).not.toContain('Level concurrency')
    const sweep = await runCli(['run', '--simulate', '--goodput', 'ttft:500', '--sweep', 'concurrency', '--expect', 'ttft.p95 < 100', '--no-history'])
    expect(sweep.code).toBe(2)
    expect(sweep.stderr.trim()).toMatch(/^llmbench: --expect checks every level, and a sweep probes past its capacity on purpose/)
  })

  it('--goodput alone sets bounds, not an objective: nothing is checked and a run below them still exits 0', async () => {
    const r = await run('--goodput', 'ttft:1,tpot:1')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Goodput: 0.0%')
    expect(r.stdout).not.toContain('Objectives:')
  })
})
