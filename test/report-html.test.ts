// The HTML report in a real browser (Debian's chromium), opened from file://: charts drawn with real
// shapes, no console error, no network, hostile strings shown as text. Screenshots go to
// test-output/screenshots/ for a human to look at.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { buildReportData } from '../src/report/data.js'
import { historyData, saveToHistory } from '../src/report/history.js'
import { writeReport } from '../src/report/page.js'
import type { RunResult } from '../src/results/types.js'
import type { ReportData } from '../src/report/types.js'
import { chartShapes, launchChromium, openReport, screenshot } from './helpers/browser.js'
import { runCli } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-report-html-'))
let browser: Browser
let measured: RunResult
const measuredPage = join(dir, 'single', 'index.html')
const history = join(dir, 'history')

beforeAll(async () => {
  const result = join(dir, 'run.json')
  const [run, launched] = await Promise.all([
    runCli(['run', '--simulate', '--concurrency', '1,4', '--num-prompts', '6', '--input-len', '32', '--output-len', '10',
      '--goodput', 'ttft:2000,tpot:200', '--output', result, '--html', join(dir, 'single'), '--history-dir', history]),
    launchChromium(),
  ])
  browser = launched
  expect(run.stderr).not.toMatch(/Error|at .*\.js/)
  expect(run.code).toBe(0)
  expect(run.stdout).toContain(`HTML report written to ${measuredPage}`)
  measured = JSON.parse(readFileSync(result, 'utf8')) as RunResult
}, 60_000)

afterAll(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * The expected charts drew a path of `min` points or more spanning a real width on screen; any
 * other chart (telemetry, sampled a few times a second) drew at least a point.
 */
async function expectShapes(page: Parameters<typeof chartShapes>[0], expected: string[], min = 2) {
  const shapes = await chartShapes(page)
  expect(shapes.map((s) => s.chart)).toEqual(expect.arrayContaining(expected))
  for (const s of shapes) {
    const best = s.paths.reduce((a, p) => (p.points > a.points ? p : a), { points: 0, width: 0, height: 0 })
    const strict = expected.includes(s.chart)
    expect(best.points, `${s.chart}: points of its largest path`).toBeGreaterThanOrEqual(strict ? min : 1)
    // A single point is a dot, not a line: it has no width to check.
    if (strict && best.points > 1) expect(best.width, `${s.chart}: width on screen`).toBeGreaterThan(20)
  }
  return shapes
}

const LEVEL_CHARTS = ['ttft', 'tpot', 'itl', 'e2e', 'output-tps', 'request-tps', 'goodput', 'tradeoff'].map((c) => `s0-${c}`)
const DETAIL_CHARTS = ['ttft-hist', 'ttft-cdf', 'itl-hist', 'itl-cdf', 'timeline-0'].map((c) => `s0-level-${c}`)

describe('the HTML report in chromium, from file://', () => {
  it('draws a measured `llmbench run --html`: every chart, tooltips, level switching, no console error', async () => {
    expect(readdirSync(history)).toHaveLength(1)
    const { page, errors } = await openReport(browser, measuredPage)
    const shapes = await expectShapes(page, [...LEVEL_CHARTS, ...DETAIL_CHARTS])
    // One bar per request of the level shown (the last, concurrency 4).
    const timeline = shapes.find((s) => s.chart === 's0-level-timeline-0')!
    expect(Math.max(...timeline.paths.map((p) => p.points))).toBe(6)
    const head = await page.locator('header').innerText()
    expect(head).toContain(measured.scenario.model)
    expect(head).toContain(measured.scenario.server)
    expect(head).toContain(measured.llmbench.version)

    await page.locator('[data-chart="s0-ttft"] rect.catch').hover({ position: { x: 5, y: 20 } })
    await expect.poll(() => page.locator('[data-chart="s0-ttft"] .tip').innerText()).toMatch(/ms/)
    await page.getByRole('tab', { name: 'concurrency 1' }).click()
    await expect.poll(() => page.locator('[data-level]').getAttribute('data-level')).toBe('concurrency-1')
    await expectShapes(page, DETAIL_CHARTS)
    // The simulator serves vLLM's TTFT histogram: the level sets the server's TTFT beside the client's.
    expect(measured.levels[0].summary.serverTtft).toBeDefined()
    expect(await page.locator('.server-ttft').first().innerText()).toMatch(/server TTFT from its own histogram \(\d+ requests\).*network and client share is [\d.]+ ms/)
    await page.locator('table[data-table="s0-levels"] th button', { hasText: 'TTFT p50' }).click()
    await screenshot(page, 'single-run')
    expect(errors).toEqual([])
  })

  it('overlays two results with each figure’s change, better and worse coloured', async () => {
    const other = syntheticRunResult({ requests: 60, concurrency: [1, 4], tokens: 12, inputTokens: 32, failRate: 0.1, seed: 7 })
    const file = writeReport(join(dir, 'compare'), buildReportData([
      { result: { kind: 'run', doc: measured }, label: 'simulator' },
      { result: { kind: 'run', doc: other }, label: 'synthetic' },
    ]))
    const { page, errors } = await openReport(browser, file)
    const shapes = await expectShapes(page, [...LEVEL_CHARTS, 's0-errors', ...DETAIL_CHARTS, 's0-level-timeline-1'])
    expect(shapes.find((s) => s.chart === 's0-output-tps')!.paths).toHaveLength(2)
    const table = page.locator('table[data-table="compare"]')
    await expect.poll(() => table.locator('caption').innerText()).toContain('synthetic against simulator')
    expect(await table.locator('td.better').count()).toBeGreaterThan(0)
    expect(await table.locator('td.worse').count()).toBeGreaterThan(0)
    expect(await table.innerText()).toMatch(/[+−]\d+\.\d%/)
    await screenshot(page, 'comparison')
    expect(errors).toEqual([])
  })

  it('shows hostile strings from servers, configs and bench files as text and runs none of them', async () => {
    const script = '</script><script>window.__pwned=1</script>'
    const img = '<img src=x onerror="window.__pwned=1">'
    const doc = syntheticSuiteResult({
      requests: 120, concurrency: [2, 8], failRate: 0.1, model: `model ${script}`, errorMessage: `error ${img} ${script}`,
      name: `scenario ${img}`, suite: `suite ${script}`, file: 'hostile.bench.ts', checkName: `check ${img}`,
    })
    for (const compress of [false, true]) {
      const file = writeReport(join(dir, `hostile-${compress}`), buildReportData([{ result: { kind: 'suite', doc }, label: `run ${script}` }]), { compress })
      const { page, errors } = await openReport(browser, file)
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined()
      expect(await page.locator('main img').count()).toBe(0)
      const text = await page.locator('main').innerText()
      for (const literal of [`model ${script}`, `scenario ${img}`, `check ${img}`, `error ${img} ${script}`, `run ${script}`]) expect(text).toContain(literal)
      await expectShapes(page, LEVEL_CHARTS)
      if (!compress) await screenshot(page, 'injection')
      expect(errors).toEqual([])
    }
  })

  it('renders a run of 10,000 requests with a sampled timeline, time slices, telemetry and a sweep', async () => {
    const doc = syntheticRunResult({ requests: 10_000, concurrency: [8, 64, 256] })
    // The optional parts of a result, as a ramp, a telemetry scrape and a sweep write them.
    const last = doc.levels[2]
    const t0 = Math.min(...last.records.filter((r) => !r.warmup).map((r) => r.sentAt))
    const seconds = Math.floor(last.summary.durationSec)
    last.summary.timeSlices = Array.from({ length: seconds }, (_, i) => ({
      startSec: i, endSec: i + 1, load: 256, ended: 70, failed: i % 7 === 0 ? 1 : 0, outputTokensPerSec: 9000 + 300 * Math.sin(i), ttftP50: 150 + i, ttftP99: 260 + 2 * i, itlP50: 12, itlP99: 25,
    }))
    doc.telemetry = [{ source: 'server', name: 'vllm:num_requests_running', label: 'running requests', unit: 'requests', points: Array.from({ length: 4 * seconds }, (_, i) => [t0 + i * 250, 200 + (i % 40)]) }]
    doc.sweep = { kind: 'concurrency', capacity: 64, firstFailing: 256, resolution: 8, probes: [{ load: 8, passed: true, level: 0 }, { load: 64, passed: true, level: 1 }, { load: 256, passed: false, level: 2 }], stoppedBy: 'max' }
    const file = writeReport(join(dir, 'big'), buildReportData([{ result: { kind: 'run', doc }, label: '10,000 requests' }]))
    const { page, errors } = await openReport(browser, file)
    const shapes = await expectShapes(page, [...LEVEL_CHARTS, ...DETAIL_CHARTS])
    const timeline = shapes.find((s) => s.chart === 's0-level-timeline-0')!
    expect(Math.max(...timeline.paths.map((p) => p.points))).toBeLessThanOrEqual(2000)
    expect(await page.locator('[data-chart="s0-level-timeline-0"] figcaption').innerText()).toMatch(/2,000 of 3,333 requests shown/)
    await expectShapes(page, ['s0-level-slices-latency', 's0-level-slices-tps', 's0-level-telemetry-0-0'], 10)
    expect(await page.locator('.scenario .meta').innerText()).toContain('capacity: concurrency 64 (first failing: 256)')
    await screenshot(page, 'run-10k')
    expect(errors).toEqual([])
  })

  it('draws the history: past runs listed, key figures over time', async () => {
    for (let day = 1; day <= 4; day++) {
      saveToHistory(history, syntheticRunResult({ requests: 60, concurrency: [1, 4], seed: day, startedAt: `2026-02-0${day}T09:00:00.000Z` }))
    }
    const data: ReportData = { version: 1, kind: 'history', generatedAt: new Date().toISOString(), generator: 'test', runs: [], history: historyData(history) }
    const file = writeReport(join(dir, 'history-report'), data)
    const { page, errors } = await openReport(browser, file)
    expect(await page.locator('table[data-table="history"] tbody tr').count()).toBe(5)
    // The measured run above is another scenario (its model and lengths differ): one point, its own charts.
    const shapes = await expectShapes(page, ['h0-ttft-p99', 'h0-tpot-p50', 'h0-output-tps', 'h0-goodput', 'h0-errors', 'h1-ttft-p99'], 1)
    expect(shapes.find((s) => s.chart === 'h0-ttft-p99')!.paths.map((p) => p.points)).toEqual([4, 4])
    await screenshot(page, 'history')
    expect(errors).toEqual([])
  })
})
