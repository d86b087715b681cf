/**
 * Sessions in the outputs a user reads: the HTML report draws TTFT against the turn and against the
 * history tokens (and by tool-loop step), and says the prefix cache's designed and measured shares;
 * `llmbench run --turns` prints the same by turn and by history length.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { runScenario } from '../src/runner/scenario.js'
import { buildRunResult } from '../src/results/result.js'
import { recordedScenario } from '../src/runner/recorded.js'
import { buildReportData } from '../src/report/data.js'
import { writeReport } from '../src/report/page.js'
import type { RunResult } from '../src/results/types.js'
import { launchChromium, openReport, screenshot } from './helpers/browser.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'
import { scenario } from './helpers/scenario.js'
import { num } from '../report-viewer/src/lib/format.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-report-sessions-'))
let sim: Simulator
let browser: Browser

beforeAll(async () => {
  ;[sim, browser] = await Promise.all([startSimulator({ toolSteps: 2, decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0.02 }), launchChromium()])
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await sim?.close()
})

describe('sessions in the report and on the console', () => {
  it('draws TTFT by turn, by history tokens and by step, and says the prefix cache figures', async () => {
    const opts = scenario(sim.url, {
      concurrency: 2, requests: 4, input: { tokens: 200 }, output: { tokens: 16 }, sessions: { turns: 4 },
      agent: { tools: [{ type: 'function', function: { name: 'search' } }] }, telemetry: { enabled: true, gpu: false, interval: '10s' }, resetPrefixCache: true,
    })
    const out = await runScenario(opts)
    const doc: RunResult = buildRunResult({ scenario: recordedScenario(opts), levels: out.levels, startedAt: new Date(), finishedAt: new Date(), interrupted: false, command: 'test' })
    expect(schemaErrors(JSON.parse(JSON.stringify(doc)))).toEqual([])
    const file = writeReport(join(dir, 'report'), buildReportData([{ result: { kind: 'run', doc } }]))
    const { page, errors } = await openReport(browser, file)
    const paths = await page.$$eval('[data-chart][data-x]', (charts) => charts.map((c) => ({
      x: c.getAttribute('data-x'),
      points: [...c.querySelectorAll('path.series')].map((p) => ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length),
    })))
    const byX = (x: string) => paths.find((p) => p.x === x)
    // p50 and p99 lines, one point per turn, per step, per history group.
    expect(byX('turn')?.points).toEqual([4, 4])
    expect(byX('step')?.points).toEqual([2, 2])
    const groups = doc.levels[0].summary.sessions!.byHistory.length
    expect(groups).toBeGreaterThan(1)
    expect(byX('history')?.points).toEqual([groups, groups])
    const facts = (await page.$eval('[data-workload]', (e) => e.textContent ?? '')).replace(/\s+/g, ' ')
    expect(facts).toMatch(/4 sessions ended \(4 ran all their turns\)/)
    expect(facts).toMatch(/16 tasks, 100\.0% ended with a final answer/)
    // Follow-up turns (2 and later), the figure a prefix cache should bring down, beside the first turn's.
    const later = doc.levels[0].summary.sessions!.laterTurns!.ttft!
    const firstTurn = doc.levels[0].summary.sessions!.byTurn[0].ttft!
    expect(facts).toContain(`TTFT of follow-up turns p50 ${num(later.p50)} ms, p99 ${num(later.p99)} ms (first turns p50 ${num(firstTurn.p50)} ms)`)
    expect(facts).toMatch(/prefix cache: the workload repeats \d+\.\d% of prompt tokens; the server reports \d+\.\d% hits \(vllm:prefix_cache_hits_total/)
    await screenshot(page, 'sessions-level')
    expect(errors).toEqual([])
  }, 60_000)

  it('llmbench run --turns prints TTFT by turn and by history length', async () => {
    const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', '--turns', '3', '--think-time', '10ms', '--concurrency', '2', '--num-prompts', '2',
      '--input-len', '100', '--output-len', '8', '--no-telemetry', '--no-calibrate', '--output', join(dir, 'run.json')])
    expect(r.code).toBe(0)
    // The progress counts sessions, as the load does.
    expect(r.stderr).toBe('concurrency 2: warm-up: running 2 requests\nconcurrency 2: running 2 sessions\n')
    expect(r.stdout).toContain('Sessions: 2 ended (2 ran all their turns)')
    expect(r.stdout).toContain('By turn (latencies in ms)')
    expect(r.stdout).toContain('By history length (latencies in ms)')
    const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult
    expect(doc.scenario.sessions).toEqual({ turns: 3, thinkTime: '10ms' })
    expect(doc.levels[0].records.filter((x) => !x.warmup).every((x) => x.sessionId?.startsWith('llmbench-'))).toBe(true)
  }, 60_000)
})
