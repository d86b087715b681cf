/**
 * Objectives and comparisons on session figures end to end: a bench file of chat sessions against
 * the simulator passes a generous objective on turn 2's TTFT and time per session and fails an
 * impossible one (exit code and message), `llmbench compare` takes the figures in --metrics, and
 * agent tasks on the simulator meet or miss `tools.answered` as their steps allow.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { makeProject, simBench } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'
import { suiteSchemaErrors } from './helpers/schema.js'
import { startSimulator } from '../src/simulator/index.js'
import { runScenario } from '../src/runner/scenario.js'
import { evaluateObjectives } from '../src/dsl/index.js'
import { scenario } from './helpers/scenario.js'

/** 4 sessions of 3 turns per level, 2 at once, on a fast simulator. */
const SESSIONS = `{ concurrency: 2, requests: 4, sessions: { turns: 3 }, slo: SLO }`

function project(slo: string): string {
  return makeProject({
    'chat.bench.ts': simBench('chat', `
  bench('sessions', OPTIONS, () => {})`, SESSIONS.replace('SLO', slo)),
  })
}

const run = (root: string) => runCli(['--root', root, '--reporter', 'console', '--reporter', 'json'], {}, 90_000)

describe('objectives on session figures, end to end', () => {
  it('passes generous bounds on turn2.ttft.p50 and session.duration.p90', async () => {
    const root = project(`{ 'turn2.ttft.p50': '< 5000', 'session.duration.p90': '< 60000', 'laterTurns.ttft.p95': { expect: '< 5000', level: 2 } }`)
    const r = await run(root)
    expect(r.stderr).not.toMatch(/Error/)
    expect(r.code).toBe(0)
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const scenario = suite.files[0].scenarios[0]
    expect(scenario.status).toBe('passed')
    // One level (concurrency 2), three objectives.
    const checks = scenario.checks.filter((c) => c.kind === 'objective')
    expect(checks.map((c) => `${c.metric}@${c.level}`).sort()).toEqual(['laterTurns.ttft.p95@2', 'session.duration.p90@2', 'turn2.ttft.p50@2'])
    for (const c of checks) {
      expect(c.passed).toBe(true)
      expect(typeof c.actual).toBe('number')
    }
    // The values are the summary's own figures.
    const s = scenario.levels[0].summary.sessions!
    expect(checks.find((c) => c.metric === 'turn2.ttft.p50')!.actual).toBe(s.byTurn.find((t) => t.turn === 2)!.ttft!.p50)
    expect(checks.find((c) => c.metric === 'session.duration.p90')!.actual).toBe(s.duration!.p90)
    expect(checks.find((c) => c.metric === 'laterTurns.ttft.p95')!.actual).toBe(s.laterTurns!.ttft!.p95)
    expect(s.laterTurns!.count).toBe(8)
  }, 120_000)

  it('fails an impossible bound with exit 1 and a message naming the figure', async () => {
    const root = project(`{ 'turn2.ttft.p50': '< 0.001' }`)
    const r = await run(root)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/turn2\.ttft\.p50 = [\d.]+ ms.*expected < 0\.001/)
  }, 120_000)

  it('refuses a misspelled session figure in one line before running', async () => {
    const root = project(`{ 'session.duraton.p90': '< 60000' }`)
    const r = await run(root)
    expect(r.code).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/unknown objective "session\.duraton\.p90": did you mean "session\.duration\.p90"\?/)
    // Located at the bench, with no stack trace of llmbench's own.
    expect(r.stdout).toMatch(/at chat\.bench\.ts:\d+:\d+/)
    expect(r.stdout + r.stderr).not.toMatch(/at .*(dist\/src|node:internal|node_modules)/)
  }, 120_000)
})

describe('llmbench compare on session figures', () => {
  it('compares turn and session figures named in --metrics and --primary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-session-compare-'))
    const file = join(dir, 'a.json')
    const made = await runCli(['run', '--simulate', '--turns', '3', '--concurrency', '2', '--num-prompts', '4', '--output-len', '8', '--input-len', '16', '--output', file], {}, 90_000)
    expect(made.code).toBe(0)
    const json = join(dir, 'verdicts.json')
    const r = await runCli(['compare', file, file, '--metrics', 'turn2.ttft.p50,session.duration.p90,laterTurns.e2e.p50', '--primary', 'session.duration.p90', '--tolerance', 'session.duration.p90=10%', '--json', json])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { levels: Array<{ figures: Array<{ figure: string; change: number; tolerance: number }> }> }
    const rows = doc.levels[0].figures
    expect(rows.map((f) => f.figure)).toEqual(['turn2.ttft.p50', 'session.duration.p90', 'laterTurns.e2e.p50'])
    expect(rows.every((f) => f.change === 0)).toBe(true)
    expect(rows[1].tolerance).toBe(0.1)
    const bad = await runCli(['compare', file, file, '--metrics', 'turn2.ttft.p96'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--metrics/)
  }, 120_000)
})

describe('objectives on tool loops, against the simulator', () => {
  it('tools.answered passes when every task answers and fails when maxSteps cuts them short', async () => {
    // The simulator answers a task's third step in text: maxSteps 8 lets all answer, maxSteps 2 none.
    const sim = await startSimulator({ toolSteps: 3, decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
    try {
      const tools = [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'object', properties: { input: { type: 'string' } } } } }]
      const slo = { 'tools.answered': '>= 0.95', 'tools.timeToAnswer.p90': '< 60000' } as const
      const runWith = async (maxSteps: number) => {
        const { levels } = await runScenario(scenario(sim.url, { concurrency: 2, requests: 4, warmup: 0, input: { tokens: 32 }, output: { tokens: 8 }, agent: { tools, maxSteps, toolResult: { tokens: { tokens: 10 }, latency: '5ms' } } }))
        return Object.fromEntries(evaluateObjectives(slo, levels).map((c) => [c.metric, c]))
      }
      const all = await runWith(8)
      expect(all['tools.answered']).toMatchObject({ passed: true, actual: 1 })
      expect(all['tools.timeToAnswer.p90'].passed).toBe(true)
      const cut = await runWith(2)
      expect(cut['tools.answered']).toMatchObject({ passed: false, actual: 0 })
      expect(cut['tools.answered'].message).toMatch(/tools\.answered = 0.*expected >= 0\.95/)
      expect(cut['tools.timeToAnswer.p90'].message).toMatch(/has no value: no task ended with a final answer at this level/)
    } finally {
      await sim.close()
    }
  }, 60_000)
})
