/**
 * `npx llmbench` end to end: small fixture projects run through the real CLI, as Vitest's own
 * tests do, and their exit codes, console output, JSON and JUnit files are checked.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from './helpers/cli.js'
import { makeProject, simBench } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'
import { suiteSchemaErrors } from './helpers/schema.js'

const run = (root: string, ...args: string[]) => runCli(['--root', root, ...args], {}, 90_000)

describe('npx llmbench', () => {
  it('runs a passing suite: exit 0, console tree, JSON and JUnit written', async () => {
    const root = makeProject({
      'latency.bench.ts': simBench('latency', `
  bench('chat small', OPTIONS, (result) => {
    expect(result.level(2).ttft.p50).toBeLessThan(5000)
    expectGoodput(result, { ttft: 5000, tpot: 1000 }).toBeAtLeast(0.5)
  })`, `{ slo: { 'tpot.p50': '< 1000' } }`),
    })
    const r = await run(root, '--reporter', 'console', '--reporter', 'json', '--reporter', 'junit')
    expect(r.stderr).not.toMatch(/Error/)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('chat small')
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    expect(suite.exitCode).toBe(0)
    expect(suiteSchemaErrors(suite)).toEqual([])
    const scenario = suite.files[0].scenarios[0]
    expect(scenario).toMatchObject({ name: 'chat small', status: 'passed', file: 'latency.bench.ts' })
    expect(scenario.levels.map((l) => l.summary.load.value)).toEqual([1, 2])
    expect(scenario.checks.every((c) => c.passed)).toBe(true)
    expect(scenario.checks.length).toBeGreaterThanOrEqual(4) // tpot.p50 on 2 levels, expect, expectGoodput
    const junit = readFileSync(join(root, 'llmbench-results/junit.xml'), 'utf8')
    expect(junit).toMatch(/<testsuites[^>]* failures="0"/)
    expect(junit).toContain('latency.bench.ts')
  })

  it('a missed objective fails the run with exit 1 and says what was missed', async () => {
    const root = makeProject({
      'slow.bench.ts': simBench('slow', `
  bench('impossible ttft', OPTIONS, (result) => {
    expect(result.level(2).ttft.p50).toBeLessThan(0.001)
  })`),
    })
    const r = await run(root, '--reporter', 'console', '--reporter', 'junit', '--outputFile.junit=reports/ci.xml')
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/impossible ttft/)
    expect(r.stdout).toMatch(/ttft\.p50/)
    expect(r.stdout).toMatch(/slow\.bench\.ts:\d+/)
    const junit = readFileSync(join(root, 'reports/ci.xml'), 'utf8')
    expect(junit).toMatch(/<failure /)
  })

  it('on GitHub Actions adds annotations and a step summary to the console output', async () => {
    const root = makeProject({
      'slow.bench.ts': simBench('slow', `
  bench('impossible ttft', OPTIONS, (result) => {
    expect(result.level(2).ttft.p50).toBeLessThan(0.001)
  })`),
    })
    const summary = join(root, 'step-summary.md')
    const r = await runCli(['--root', root], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }, 90_000)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error file=slow\.bench\.ts,line=\d+.*::.*ttft\.p50/m)
    expect(readFileSync(summary, 'utf8')).toContain('impossible ttft')
  })

  it('a broken config exits 2 with the file and key', async () => {
    const root = makeProject({
      'llmbench.config.ts': `export default { inclde: ['x'] }\n`,
      'a.bench.ts': simBench('a', `  bench('x', OPTIONS)`),
    })
    const r = await run(root)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/llmbench\.config\.ts.*inclde/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a crashing bench file exits 3 while the other files still report', async () => {
    const root = makeProject({
      'a-broken.bench.ts': `import { bench } from 'llmbench'\nconst x: number = ;\nbench('never', {})\n`,
      'b-good.bench.ts': simBench('good', `  bench('fine', OPTIONS)`),
    })
    const r = await run(root, '--reporter', 'console', '--reporter', 'json')
    expect(r.code).toBe(3)
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const broken = suite.files.find((f) => f.file === 'a-broken.bench.ts')!
    expect(broken.error?.location).toMatchObject({ file: 'a-broken.bench.ts', line: 2 })
    const good = suite.files.find((f) => f.file === 'b-good.bench.ts')!
    expect(good.scenarios[0].status).toBe('passed')
    expect(r.stdout).toContain('a-broken.bench.ts')
  })

  it('finds no bench file: says so and exits 2', async () => {
    const root = makeProject({ 'README.md': 'nothing here' })
    const r = await run(root)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no bench files found/)
  })

  it('--list prints the scenarios without running them, -t filters by name', async () => {
    const root = makeProject({
      'a.bench.ts': simBench('group', `  bench('first', OPTIONS)\n  bench.skip('second', OPTIONS)\n  bench.todo('third')`),
    })
    const list = await run(root, '--list')
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('a.bench.ts > group > first')
    expect(list.stdout).toContain('group > second')
    expect(existsSync(join(root, 'llmbench-results'))).toBe(false)
    const listed = await run(root, '--list', '-t', 'first')
    expect(listed.stdout.trim()).toBe('a.bench.ts > group > first')
    const none = await run(root, '--list', '-t', 'nothing-matches')
    expect([none.code, none.stdout.trim(), none.stderr]).toEqual([1, '', 'llmbench: no scenario matched -t "nothing-matches": check the pattern (llmbench --list shows the names), or pass --pass-with-no-tests\n'])
    // A filter that selects nothing fails the run, as a test runner does, unless asked not to.
    const filtered = await run(root, '-t', 'nothing-matches', '--reporter', 'json')
    expect(filtered.code).toBe(1)
    expect(filtered.stderr).toContain('no scenario matched -t "nothing-matches"')
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    expect(suite.files[0].scenarios.every((s) => s.status !== 'passed')).toBe(true)
    expect((await run(root, '-t', 'nothing-matches', '--pass-with-no-tests')).code).toBe(0)
  }, 120_000)

  it('a scenario with a configuration error exits 2, not 3, while the others run', async () => {
    const root = makeProject({
      'a.bench.ts': simBench('cfg', `  bench('typo', () => ({ ...(${"{ server: sim.url, model: 'sim-model', requests: 2 }"}), concurency: 2 } as never))\n  bench('fine', OPTIONS)`),
    })
    const r = await run(root, '--reporter', 'console', '--reporter', 'json')
    expect(r.code).toBe(2)
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    const [typo, fine] = suite.files[0].scenarios
    expect(typo.status).toBe('error')
    expect(typo.error).toMatchObject({ usage: true, message: expect.stringContaining('unknown key "concurency", did you mean "concurrency"?') })
    expect(fine.status).toBe('passed')
  })

  it('a misspelled reporter is one line with a suggestion, exit 2', async () => {
    const root = makeProject({ 'a.bench.ts': simBench('a', `  bench('x', OPTIONS)`) })
    const r = await run(root, '--reporter', 'junti')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^llmbench: unknown reporter "junti", did you mean "junit"\?[^\n]*\n$/)
  })

  it('--outputFile alone writes the JSON report and says where; github annotations stay on with configured reporters', async () => {
    const root = makeProject({
      'llmbench.config.ts': `export default { reporters: ['console'] }\n`,
      'slow.bench.ts': simBench('slow', `
  bench('impossible ttft', OPTIONS, (result) => {
    expect(result.level(2).ttft.p50).toBeLessThan(0.001)
  })`),
    })
    const r = await runCli(['--root', root, '--outputFile', 'out/suite.json'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(root, 'summary.md') }, 90_000)
    expect(r.code).toBe(1)
    const file = join(root, 'out/suite.json')
    expect(suiteSchemaErrors(JSON.parse(readFileSync(file, 'utf8')))).toEqual([])
    expect(r.stdout).toContain(`JSON report: ${file}`)
    expect(r.stdout).toMatch(/^::error file=slow\.bench\.ts,line=\d+/m)
  })
})
