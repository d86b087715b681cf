/**
 * Verdicts end to end (docs/verdicts.md): `llmbench compare`, `llmbench run --baseline` and a bench
 * file's baseline with a regression objective, against simulators of known speed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import type { SuiteResult } from '../src/results/suite.js'
import { runCli } from './helpers/cli.js'
import { makeProject } from './helpers/project.js'
import { schemaErrors, suiteSchemaErrors } from './helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-verdicts-'))
let fast: Simulator
let slow: Simulator
beforeAll(async () => {
  // Exact timing: the slow one's first token comes 60% later, its decode is the same.
  fast = await startSimulator({ port: 0, fixedTtftMs: 50, fixedItlMs: 4 })
  slow = await startSimulator({ port: 0, fixedTtftMs: 80, fixedItlMs: 4 })
})
afterAll(async () => {
  await fast.close()
  await slow.close()
})

const run = (sim: Simulator, out: string, ...more: string[]) =>
  runCli(['run', '--server', sim.url, '--model', 'sim-model', '--concurrency', '4', '--num-prompts', '120', '--input-len', '16', '--output-len', '8', '--no-history', '--output', join(dir, out), ...more], {}, 90_000)

describe('llmbench compare', () => {
  it('calls a slower server regressed and exits 1; the same result against itself is equivalent everywhere', async () => {
    expect((await run(fast, 'fast.json')).code).toBe(0)
    expect((await run(slow, 'slow.json')).code).toBe(0)
    const json = join(dir, 'verdicts.json')
    const r = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--json', json])
    expect(r.code).toBe(1)
    const headline = r.stdout.split('\n')[1]
    expect(headline).toMatch(/^\d+ regressions? \(TTFT p50 \+\d+% \[\+\d+%, \+\d+%\] at concurrency 4/)
    const doc = JSON.parse(readFileSync(json, 'utf8'))
    const ttft = doc.levels[0].figures.find((f: { figure: string }) => f.figure === 'ttft.p50')
    expect(ttft.verdict).toBe('regressed')
    expect(ttft.change).toBeGreaterThan(0.4)
    expect(ttft.interval[0]).toBeGreaterThan(0.05)

    const same = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'fast.json'), '--json', join(dir, 'same.json')])
    expect(same.code).toBe(0)
    const selfDoc = JSON.parse(readFileSync(join(dir, 'same.json'), 'utf8'))
    for (const f of selfDoc.levels[0].figures) expect([f.verdict, f.change, f.interval]).toEqual(['equivalent', 0, [0, 0]])
  }, 240_000)

  it('takes a tolerance per figure, and refuses bad input in one line with exit 2', async () => {
    const loose = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--metrics', 'ttft.p50', '--tolerance', 'ttft.p50=90%'])
    expect(loose.code).toBe(0)
    expect(loose.stdout).not.toContain('regressed')
    for (const args of [['compare', join(dir, 'fast.json')], ['compare', join(dir, 'fast.json'), join(dir, 'nope.json')], ['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--metrics', 'ttft.p96'], ['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--tolerance', 'lots']]) {
      const r = await runCli(args)
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  }, 120_000)
})

describe('gates', () => {
  it('llmbench run --baseline prints the verdicts, keeps them in the result and exits 1 on a regression', async () => {
    const r = await run(slow, 'gated.json', '--baseline', join(dir, 'fast.json'))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/regressions? \(TTFT p50/)
    const result = JSON.parse(readFileSync(join(dir, 'gated.json'), 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.comparison?.counts.regressed).toBeGreaterThan(0)
    expect(result.scenario.baseline).toBe(join(dir, 'fast.json'))
  }, 120_000)

  it('a bench file fails a regression objective against its baseline, and says when the baseline lacks a scenario', async () => {
    const bench = (url: string) => `import { bench } from 'llmbench'
const base = { server: '${url}', model: 'sim-model', concurrency: [4], requests: 120, input: { tokens: 16 }, output: { tokens: 8 } }
bench('chat', { ...base, slo: { 'ttft.p50': { regress: '10%' }, 'tpot.p50': { regress: '10%' } } })
bench('new one', base)
`
    const root = makeProject({ 'a.bench.ts': bench(fast.url) })
    const history = { LLMBENCH_HISTORY: '1' }
    const first = await runCli(['--root', root, '--reporter', 'json', '--baseline', 'history:latest'], history)
    expect(first.code).toBe(2) // no history yet: one line, exit 2
    expect(first.stderr).toMatch(/^llmbench: history:latest: no run is kept/m)
    expect((await runCli(['--root', root, '-t', '^chat$'], history)).code).toBe(0) // kept in the history
    writeFileSync(join(root, 'a.bench.ts'), bench(slow.url))
    const r = await runCli(['--root', root, '--reporter', 'json', '--baseline', 'history:latest', '--outputFile', join(root, 'r.json')], history, 120_000)
    expect(r.code).toBe(1)
    const suite = JSON.parse(readFileSync(join(root, 'r.json'), 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const [chat, other] = suite.files[0].scenarios
    expect(chat.status).toBe('failed')
    const ttft = chat.checks.find((c) => c.metric === 'ttft.p50')!
    expect(ttft).toMatchObject({ passed: false, expected: 'no regression beyond 10%' })
    expect(ttft.message).toMatch(/ttft\.p50 \+\d+% \[\+\d+%, \+\d+%\] against history:latest .*: regressed/)
    expect(chat.checks.find((c) => c.metric === 'tpot.p50')?.passed).toBe(true)
    expect(other.checks.map((c) => c.message)).toEqual([expect.stringContaining('not in the baseline')])
    expect(other.status).toBe('passed')
  }, 300_000)
})
