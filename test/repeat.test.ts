/**
 * `repeat`: each level run several times with the same prompts, kept apart in the result, judged
 * and compared together (docs/verdicts.md).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { evaluateObjectives } from '../src/dsl/index.js'
import { createBenchResult } from '../src/dsl/bench-result.js'
import { summaryOfRepeats } from '../src/metrics/repeats.js'
import { digestLevels } from '../src/report/level.js'
import type { LevelResult, RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { makeLevel } from './helpers/levels.js'
import { schemaErrors } from './helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-repeat-'))
let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ port: 0, fixedTtftMs: 20, fixedItlMs: 2 })
})
afterAll(async () => {
  await sim.close()
})

const repeatOf = (load: number, index: number, ttft: number): LevelResult =>
  makeLevel({ requests: 40, concurrency: 2, seed: index, load: { kind: 'concurrency', value: load, repeat: { index, of: 3 } }, ttft: () => ttft })

describe('--repeat', () => {
  it('runs each level N times with the same prompts, labels them, and prints them pooled', async () => {
    const out = join(dir, 'r.json')
    const args = ['run', '--server', sim.url, '--model', 'sim-model', '--concurrency', '2,4', '--num-prompts', '12', '--input-len', '32', '--input-spread', '0.5', '--output-len', '4', '--repeat', '3', '--output']
    const r = await runCli([...args, out])
    expect(r.code).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.scenario).toMatchObject({ repeat: 3 })
    expect(result.levels.map((l) => [l.summary.load.value, l.summary.load.repeat])).toEqual([
      [2, { index: 1, of: 3 }], [2, { index: 2, of: 3 }], [2, { index: 3, of: 3 }],
      [4, { index: 1, of: 3 }], [4, { index: 2, of: 3 }], [4, { index: 3, of: 3 }],
    ])
    // A repeat draws the same prompts as its first run; another load draws others.
    const lengths = (l: LevelResult) => l.records.filter((x) => !x.warmup).sort((a, b) => a.index - b.index).map((x) => x.inputTokens)
    expect(lengths(result.levels[1])).toEqual(lengths(result.levels[0]))
    expect(lengths(result.levels[2])).toEqual(lengths(result.levels[0]))
    expect(lengths(result.levels[3])).not.toEqual(lengths(result.levels[0]))
    expect(r.stdout).toContain('concurrency 2 (repeat 2 of 3)')
    expect(r.stdout).toMatch(/│ 2 #3 +│ 12\/12/)
    expect(r.stdout).toMatch(/│ 4 all 3 +│ 36\/36/)

    // Compared, the repeats of each load are one side: their spread is part of the verdict.
    const again = join(dir, 'again.json')
    expect((await runCli([...args, again])).code).toBe(0)
    const c = await runCli(['compare', out, again, '--json', join(dir, 'v.json')])
    expect(c.code, c.stdout).toBe(0)
    const doc = JSON.parse(readFileSync(join(dir, 'v.json'), 'utf8'))
    expect(doc.levels).toHaveLength(2)
    expect(doc.levels[0].figures[0].repeats).toEqual({ base: 3, next: 3 })
  }, 120_000)

  it('is refused with a sweep, and must be a whole number of at least 1', async () => {
    for (const [args, message] of [
      [['--sweep', 'concurrency', '--repeat', '2'], /repeat.*cannot be combined with sweep/],
      [['--repeat', '0'], /--repeat.*at least 1/i],
      [['--repeat', 'x'], /--repeat.*"x"/],
    ] as const) {
      const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', '--concurrency', '2', '--num-prompts', '4', ...args])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
    }
  })
})

describe('repeats in a bench result', () => {
  const levels = [repeatOf(8, 1, 100), repeatOf(8, 2, 110), repeatOf(8, 3, 120)]

  it('result.level(c) is one view of all repeats: counts added, percentiles averaged', () => {
    const result = createBenchResult({ id: 's', name: 's' }, {} as never, levels)
    expect(result.levels).toHaveLength(3)
    const view = result.level(8)
    expect(view.requests.total).toBe(120)
    expect(view.ttft.count).toBe(120)
    expect(view.ttft.p50).toBeCloseTo(110, 6)
    expect(view.ttft.min).toBeCloseTo(100, 6)
    expect(view.ttft.max).toBeCloseTo(120, 6)
    // Pooled spread: the between-repeat differences count, not only the within-repeat (none here).
    expect(view.ttft.std).toBeGreaterThan(7)
    expect(view.load.repeat).toBeUndefined()
  })

  it('an objective judges the repeats together, named once for their load', () => {
    const [c] = evaluateObjectives({ 'ttft.p50': '< 130' }, levels)
    expect(c.name).toBe('ttft.p50 < 130 @ concurrency 8 (3 repeats)')
    expect(c.actual).toBeCloseTo(110, 6)
    expect(c.passed).toBe(true)
    const [miss] = evaluateObjectives({ 'ttft.p50': '< 80' }, levels)
    expect(miss.passed).toBe(false)
    expect(evaluateObjectives({ 'ttft.p50': '< 130' }, levels)).toHaveLength(1)
  })

  it('summaryOfRepeats pools goodput over every request', () => {
    const slo = { ttft: 115 }
    const withSlo = [100, 110, 120].map((t, i) => makeLevel({ requests: 40, seed: i, slo, load: { kind: 'concurrency', value: 1, repeat: { index: i + 1, of: 3 } }, ttft: () => t }))
    const s = summaryOfRepeats(withSlo.map((l) => l.summary))
    expect([s.goodput?.good, s.goodput?.total]).toEqual([80, 120])
    expect(s.goodput?.ratio).toBeCloseTo(2 / 3, 9)
  })

  it("summaryOfRepeats keeps the client's worst stall over the repeats", () => {
    const each = [3, 40, 7].map((max, i) => {
      const l = makeLevel({ requests: 10, seed: i, load: { kind: 'concurrency', value: 1, repeat: { index: i + 1, of: 3 } } })
      return { ...l.summary, client: { ...l.summary.client, eventLoopDelayMaxMs: max } }
    })
    expect(summaryOfRepeats(each).client.eventLoopDelayMaxMs).toBe(40)
  })

  it('the report draws the repeats of a load as one level, each repeat kept', () => {
    const other = makeLevel({ requests: 10, load: { kind: 'concurrency', value: 16 } })
    const digests = digestLevels([...levels, other])
    expect(digests.map((d) => [d.summary.load.value, d.summary.requests.total, d.repeats?.length])).toEqual([[8, 120, 3], [16, 10, undefined]])
    expect(digests[0].timeline.rows).toHaveLength(120)
  })
})
