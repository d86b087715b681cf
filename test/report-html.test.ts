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
import { backgroundColor, chartShapes, headlineLines, launchChromium, loadPaths, openReport, overlappingTicks, pageWidth, screenshot } from './helpers/browser.js'
import { headlineText, runHeadline } from '../src/report/headline.js'
import { runCli } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-report-html-'))
let browser: Browser
let measured: RunResult
let run: Awaited<ReturnType<typeof runCli>>
const measuredPage = join(dir, 'single', 'index.html')
const history = join(dir, 'history')

beforeAll(async () => {
  const result = join(dir, 'run.json')
  const [ran, launched] = await Promise.all([
    runCli(['run', '--simulate', '--concurrency', '1,4', '--num-prompts', '6', '--input-len', '32', '--output-len', '10',
      '--goodput', 'ttft:2000,tpot:200', '--output', result, '--html', join(dir, 'single'), '--history-dir', history]),
    launchChromium(),
  ])
  browser = launched
  run = ran
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
    // The answer first: the same lines `llmbench run` printed lead the page.
    const lines = headlineText(runHeadline(measured))
    expect(lines[0]).toBe('Measured: goodput 100% at every level (no share to reach was set).')
    expect(run.stdout).toContain(lines.join('\n'))
    expect((await headlineLines(page))[0]).toEqual(lines)
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

  it('overlays two results with each figure’s change, interval and verdict, coloured only when regressed or improved', async () => {
    const other = syntheticRunResult({ requests: 60, concurrency: [1, 4], tokens: 12, inputTokens: 32, failRate: 0.1, seed: 7 })
    const file = writeReport(join(dir, 'compare'), buildReportData([
      { result: { kind: 'run', doc: measured }, label: 'simulator' },
      { result: { kind: 'run', doc: other }, label: 'synthetic' },
    ]))
    const { page, errors } = await openReport(browser, file)
    const shapes = await expectShapes(page, [...LEVEL_CHARTS, 's0-errors', ...DETAIL_CHARTS, 's0-level-timeline-1'])
    expect(shapes.find((s) => s.chart === 's0-output-tps')!.paths).toHaveLength(2)
    const section = page.locator('section.verdicts').first()
    await expect.poll(() => section.locator('.verdict-headline').innerText()).toMatch(/^synthetic against simulator: /)
    const cells = section.locator('td[data-verdict]')
    expect(await cells.count()).toBeGreaterThan(0)
    for (const v of await cells.all()) {
      const [verdict, cls] = [await v.getAttribute('data-verdict'), await v.getAttribute('class')]
      expect(cls).toBe(verdict === 'regressed' ? 'worse' : verdict === 'improved' ? 'better' : 'quiet')
    }
    expect(await section.innerText()).toMatch(/[+−±]\d+(\.\d)?% \[[+−±]?[\d.∞]+%?, [+−±]?[\d.∞]+%?\]/)
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
    // The level detail opens on the capacity the sweep found; the time slices are the last level's.
    expect(await page.locator('[data-level]').getAttribute('data-level')).toBe('concurrency-64')
    await page.getByRole('tab', { name: 'concurrency 256' }).click()
    const shapes = await expectShapes(page, [...LEVEL_CHARTS, ...DETAIL_CHARTS])
    const timeline = shapes.find((s) => s.chart === 's0-level-timeline-0')!
    expect(Math.max(...timeline.paths.map((p) => p.points))).toBeLessThanOrEqual(2000)
    expect(await page.locator('[data-chart="s0-level-timeline-0"] figcaption').innerText()).toMatch(/2,000 of 3,333 requests shown/)
    await expectShapes(page, ['s0-level-slices-latency', 's0-level-slices-tps', 's0-level-telemetry-0-0'], 10)
    expect((await headlineLines(page))[0].find((l) => l.startsWith('Capacity:'))).toMatch(/^Capacity: the objectives up to concurrency 64, not at 256 \(sweep, within 8\)[.;]/)
    await screenshot(page, 'run-10k')
    expect(errors).toEqual([])
  })

  it('joins a sweep\'s levels by load, never in probe order, marks its capacity, and no tick label overlaps another', async () => {
    // A capacity sweep doubles up to 32, then bisects: 24, 20, 22, 21. That order is the levels' order in
    // the result, and 20, 21, 22 and 24 crowd the top of the log axis the span of loads asks for.
    const probes = [1, 2, 4, 8, 16, 32, 24, 20, 22, 21]
    const doc = syntheticRunResult({ requests: 2000, concurrency: probes, seed: 5 })
    doc.scenario.slo = { goodput: { ttft: 400, tpot: 25, min: 0.9 } }
    doc.sweep = { kind: 'concurrency', capacity: 21, firstFailing: 22, resolution: 1, stoppedBy: 'resolution', probes: probes.map((load, level) => ({ load, passed: load <= 21, level })) }
    const file = writeReport(join(dir, 'sweep'), buildReportData([{ result: { kind: 'run', doc } }]))
    for (const width of [1366, 360]) {
      const { page, errors } = await openReport(browser, file, width)
      const paths = await loadPaths(page)
      expect(paths.length).toBeGreaterThanOrEqual(8)
      for (const p of paths) {
        expect(p.xs, `${p.chart}`).toHaveLength(probes.length)
        for (let i = 1; i < p.xs.length; i++) expect(p.xs[i], `${p.chart}: point ${i}`).toBeGreaterThan(p.xs[i - 1])
      }
      expect(await overlappingTicks(page)).toEqual([])
      // Every across-level chart marks the capacity and the first failing load.
      const charts = await page.locator('[data-chart][data-x="load"]').count()
      expect(await page.locator('[data-chart][data-x="load"] [data-mark="capacity"][data-x="21"]').count()).toBe(charts)
      expect(await page.locator('[data-chart][data-x="load"] [data-mark="failing"][data-x="22"]').count()).toBe(charts)
      // The level detail opens on the capacity, not on the last probe; the table is by load with a verdict.
      expect(await page.locator('[data-level]').getAttribute('data-level')).toBe('concurrency-21')
      const table = page.locator('table[data-table="s0-levels"] tbody tr')
      expect(await table.evaluateAll((rows) => rows.map((r) => r.children[0].textContent))).toEqual(['1', '2', '4', '8', '16', '20', '21', '22', '24', '32'])
      expect(await table.evaluateAll((rows) => rows.map((r) => r.children[1].textContent))).toEqual([...Array(7).fill('met'), 'missed', 'missed', 'missed'])
      expect((await headlineLines(page))[0][1]).toMatch(/^Capacity: goodput ≥ 90% up to concurrency 21, not at 22 \(sweep, within 1\)/)
      // Hovering a load gives every percentile there.
      const ttft = page.locator('[data-chart="s0-ttft"] rect.catch')
      const box = (await ttft.boundingBox())!
      await ttft.hover({ position: { x: box.width - 2, y: box.height / 2 } })
      await expect.poll(() => page.locator('[data-chart="s0-ttft"] .tip').innerText()).toMatch(/at concurrency 32\np50: .* ms\np90: .* ms\np99: .* ms/)
      if (width === 1366) await screenshot(page, 'sweep')
      expect(errors).toEqual([])
      await page.close()
    }
  })

  it('fits a 360 px screen and follows a dark system theme, on the report, a comparison and the history', async () => {
    const one = writeReport(join(dir, 'narrow'), buildReportData([{ result: { kind: 'run', doc: measured } }]))
    const other = syntheticRunResult({ requests: 60, concurrency: [1, 4], seed: 9 })
    const two = writeReport(join(dir, 'narrow-compare'), buildReportData([{ result: { kind: 'run', doc: measured }, label: 'a' }, { result: { kind: 'run', doc: other }, label: 'b' }]))
    const history = writeReport(join(dir, 'narrow-history'), { version: 1, kind: 'history', generatedAt: new Date().toISOString(), generator: 'test', runs: [], history: historyData(join(dir, 'history')) })
    for (const file of [one, two, history]) {
      const narrow = await openReport(browser, file, 360)
      expect(await pageWidth(narrow.page), file).toBeLessThanOrEqual(360)
      expect(await overlappingTicks(narrow.page)).toEqual([])
      expect(narrow.errors).toEqual([])
      const light = await backgroundColor(narrow.page)
      await narrow.page.close()
      const dark = await openReport(browser, file, 1366, 'dark')
      expect(await backgroundColor(dark.page)).not.toBe(light)
      if (file === one) await screenshot(dark.page, 'single-run-dark')
      await dark.page.close()
    }
  })

  it('shows a rate run as served against offered, says its saturation plainly, and draws the goodput target', async () => {
    const doc = syntheticRunResult({ requests: 900, concurrency: [4, 16, 48], seed: 11 })
    const rates = [5, 20, 60]
    doc.scenario.rate = rates
    doc.scenario.slo = { goodput: { ttft: 400, tpot: 25, min: 0.9 } }
    doc.levels.forEach((l, i) => {
      const offered = rates[i]
      l.summary.load = { kind: 'rate', value: offered, arrival: 'poisson' }
      l.summary.throughput.requestsPerSec = Math.min(offered * 0.98, 13.8)
      l.summary.schedule = { targetRate: offered, scheduledRate: offered, achievedRate: offered * 0.99, clientLag: l.summary.stats.queueDelay!, waitedForSlot: 0, behind: false,
        latencyGrowth: offered > 15 ? 3.2 : 1.04, waitingAtEnd: offered > 15 ? 150 : 4 }
    })
    const file = writeReport(join(dir, 'rate'), buildReportData([{ result: { kind: 'run', doc } }]))
    const { page, errors } = await openReport(browser, file)
    const lines = (await headlineLines(page))[0]
    expect(lines).toContain('Saturated at 20 req/s and above: the server served 13.8 of the 20 req/s offered; 150 requests were waiting at the end.')
    expect(lines.join('\n')).not.toContain('client fell behind')
    expect(await page.locator('[data-chart="s0-request-tps"] .reference line').count()).toBe(1)
    expect(await page.locator('[data-chart="s0-request-tps"] .reference text').textContent()).toBe('served = offered')
    expect(await page.locator('table[data-table="s0-levels"] thead').innerText()).toMatch(/offered req\/s[\s\S]*sent req\/s[\s\S]*served req\/s/)
    expect(await page.locator('[data-chart="s0-goodput"] .target.slo text').textContent()).toBe('goodput target ≥ 90%')
    // The statistics table says what each figure is and in what unit.
    const stats = await page.locator('table[data-table="s0-level-stats"] tbody tr').evaluateAll((rows) => rows.map((r) => `${r.children[0].textContent} (${r.children[1].textContent})`))
    expect(stats).toContain('E2E incl. queue (ms)')
    expect(stats).toContain('Output tokens (tokens)')
    await screenshot(page, 'rate')
    expect(errors).toEqual([])
    await page.close()
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
    // Dates on the x axis, each run's day; every line of a chart in its own colour; every run named and linked.
    expect(await page.locator('[data-chart="h0-ttft-p99"] .axis.x text.tick').allTextContents()).toEqual(['02-01', '02-02', '02-03', '02-04'])
    for (const chart of ['h0-ttft-p99', 'h0-output-tps']) {
      const strokes = await page.locator(`[data-chart="${chart}"] path.series`).evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke')))
      expect(new Set(strokes).size, chart).toBe(strokes.length)
    }
    const first = page.locator('table[data-table="history"] tbody tr').first()
    expect(await first.locator('a').getAttribute('href')).toMatch(/^file:\/\/.*\.json$/)
    expect(await first.innerText()).toMatch(/concurrency 1, 4 · 10 in \/ 10 out|Peak throughput/)
    expect(await overlappingTicks(page)).toEqual([])
    await screenshot(page, 'history')
    expect(errors).toEqual([])
  })
})
