// The dashboard of `llmbench serve` in Debian's chromium: the runs listed and searched, a run's
// report, a comparison, a running benchmark drawn live, deletion behind a confirmation. Screenshots
// go to test-output/screenshots/ for a human to look at.
import { rmSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRunResult } from '../bench/synthetic-result.js'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { backgroundColor, chartShapes, headlineLines, launchChromium, pageWidth, screenshot } from './helpers/browser.js'
import { call, FAST_SIM, follow, startTestServe, type TestServe } from './helpers/serve.js'

const API = '/api/v1/benchmark'
let sim: SpawnedSimulator
let serve: TestServe
let browser: Browser
const ids: Record<string, string> = {}
/** A run name is anyone's text: shown as written, never run. */
const HOSTILE = 'measured here <img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>'

beforeAll(async () => {
  ;[sim, browser] = await Promise.all([spawnSimulator(FAST_SIM), launchChromium()])
  serve = await startTestServe(sim.url)
  for (const [name, seed, day] of [['baseline', 1, 1], ['candidate', 2, 2]] as const) {
    const doc = syntheticRunResult({ requests: 40, concurrency: [1, 4, 16], seed, model: 'sim-model', server: sim.url, startedAt: `2026-03-0${day}T10:00:00.000Z` })
    ids[name] = (await call(serve.url, 'POST', `${API}/result?name=${name}`, doc)).body.id
  }
  ids.api = (await call(serve.url, 'POST', `${API}/run`, { server: 'sim', name: HOSTILE, concurrency: [1, 2], requests: 8, input: { tokens: 16 }, output: { tokens: 12 } })).body.id
  await follow(serve.url, ids.api)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await serve?.close()
  await sim?.close()
  if (serve) rmSync(serve.dir, { recursive: true, force: true })
})

/** The dashboard at `hash`, with every console error and failed request collected. */
async function open(hash = '#/', width = 1366, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 860 }, colorScheme })
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('requestfailed', (r) => {
    if (!r.url().includes('/events')) errors.push(`request failed: ${r.url()}`)
  })
  await page.goto(`${serve.url}/${hash}`)
  await page.waitForSelector('html[data-ready]', { timeout: 15_000 })
  return { page, errors }
}

const rows = (page: Page) => page.locator('table[data-table="runs"] tbody tr[data-run]')

/** The chart drew a path of at least `min` points with a real width. */
async function drawn(page: Page, chart: string, min = 2) {
  await expect.poll(async () => {
    const c = (await chartShapes(page)).find((s) => s.chart === chart)
    return Math.max(0, ...(c?.paths.filter((p) => p.points < 2 || p.width > 20).map((p) => p.points) ?? []))
  }, { timeout: 15_000 }).toBeGreaterThanOrEqual(min)
}

describe('the dashboard of llmbench serve, in chromium', () => {
  it('lists the runs, searches them, and opens one as the report draws it', async () => {
    const { page, errors } = await open()
    await expect.poll(() => rows(page).count()).toBe(3)
    expect(await rows(page).first().getAttribute('data-run')).toBe(ids.api)
    expect(await page.locator('[data-total]').innerText()).toBe('3 runs')
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(policy).toContain("connect-src 'self'")
    await screenshot(page, 'dashboard-list')

    await page.locator('[data-field="search"]').fill('candid')
    await expect.poll(() => rows(page).count()).toBe(1)
    expect(await rows(page).first().getAttribute('data-run')).toBe(ids.candidate)
    await page.locator('[data-field="search"]').fill('')
    await page.locator('[data-field="status"]').selectOption('measured')
    await expect.poll(() => rows(page).count()).toBe(3)
    await page.locator('[data-field="status"]').selectOption('failed')
    await expect.poll(() => rows(page).count()).toBe(0)
    await page.locator('[data-field="status"]').selectOption('')
    await expect.poll(() => rows(page).count()).toBe(3)

    expect(await rows(page).first().locator('td.name a').innerText()).toBe(HOSTILE)
    await page.locator(`tr[data-run="${ids.api}"] td.name a`).click()
    for (const chart of ['s0-ttft', 's0-tpot', 's0-output-tps', 's0-level-timeline-0']) await drawn(page, chart)
    expect(await page.locator('header.report-head').first().innerText()).toContain(HOSTILE)
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined()
    expect(await page.locator('main img').count()).toBe(0)
    await screenshot(page, 'dashboard-run')
    expect(errors).toEqual([])
    await page.close()
  })

  it('compares the runs picked in the list', async () => {
    const { page, errors } = await open()
    const compare = page.locator('[data-action="compare"]')
    expect(await compare.isDisabled()).toBe(true)
    await page.locator(`tr[data-run="${ids.baseline}"] input[type="checkbox"]`).check()
    await page.locator(`tr[data-run="${ids.candidate}"] input[type="checkbox"]`).check()
    await compare.click()
    const headline = page.locator('.verdict-headline').first()
    await expect.poll(() => headline.count()).toBe(1)
    expect(await headline.innerText()).toMatch(/^candidate against baseline: /)
    // Every figure has its verdict; colour is kept for regressed and improved ones.
    const verdicts = await page.locator('table[data-table="compare"] td[data-verdict]').evaluateAll((tds) => tds.map((t) => [t.getAttribute('data-verdict'), t.className]))
    expect(verdicts.length).toBeGreaterThan(10)
    for (const [v, cls] of verdicts) expect(cls).toBe(v === 'regressed' ? 'worse' : v === 'improved' ? 'better' : 'quiet')
    await drawn(page, 's0-ttft')
    expect((await chartShapes(page)).find((c) => c.chart === 's0-output-tps')!.paths).toHaveLength(2)
    await screenshot(page, 'dashboard-compare')
    expect(errors).toEqual([])
    await page.close()
  })

  it('draws a running benchmark live, every level\'s progress as it goes, then its report when it ends', async () => {
    const started = await call(serve.url, 'POST', `${API}/run`, { server: 'sim', name: 'live one', concurrency: [1, 4], duration: '2s', input: { tokens: 16 }, output: { tokens: 24 } })
    const { page, errors } = await open(`#/run/${started.body.id}`)
    await page.waitForSelector('[data-live]', { timeout: 10_000 })
    await drawn(page, 'live-ttft', 4)
    await drawn(page, 'live-e2e', 4)
    // The first level's line changes as requests end, and says it is done once the second starts.
    const texts = new Set<string>()
    await expect.poll(async () => {
      const text = await page.locator('[data-level-progress="0"]').innerText()
      texts.add(text)
      return text
    }, { timeout: 10_000, interval: 100 }).toMatch(/ · done$/)
    expect(texts.size).toBeGreaterThanOrEqual(3)
    await page.waitForSelector('[data-level-progress="1"]')
    await screenshot(page, 'dashboard-live')
    // The first level's summary joins the live view; at the end the report replaces it.
    await drawn(page, 'live-levels', 1)
    await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('measured')
    await drawn(page, 's0-ttft')
    expect(await page.locator('[data-live]').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows a run posted by another client within 2 s, without a reload, and filters by model', async () => {
    const { page, errors } = await open()
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(3)
    const before = await rows(page).count()
    const doc = syntheticRunResult({ requests: 12, concurrency: [1, 2], seed: 4, model: 'other-model', server: sim.url, startedAt: '2026-03-05T10:00:00.000Z' })
    const uploaded = (await call(serve.url, 'POST', `${API}/result?name=from elsewhere`, doc)).body.id
    await expect.poll(() => rows(page).count(), { timeout: 2000, interval: 50 }).toBe(before + 1)
    const queued = (await call(serve.url, 'POST', `${API}/run`, { server: 'sim', name: 'queued elsewhere', concurrency: [1], requests: 2, input: { tokens: 8 }, output: { tokens: 4 } })).body.id
    await expect.poll(() => page.locator(`tr[data-run="${queued}"]`).count(), { timeout: 2000, interval: 50 }).toBe(1)
    // Each row says what ran and what it found.
    const row = page.locator(`tr[data-run="${uploaded}"]`)
    expect(await row.locator('[data-settings]').innerText()).toBe('concurrency 1, 2 · 256 in / 128 out · 6 requests a level · chat')
    expect(await row.locator('[data-findings]').innerText()).toMatch(/^Measured: goodput .*\nPeak throughput: .* at concurrency 2/)
    await page.locator('[data-field="model-filter"]').selectOption('other-model')
    await expect.poll(() => rows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run')))).toEqual([uploaded])
    await follow(serve.url, queued)
    expect(errors).toEqual([])
    await page.close()
  })

  it('starts a run from the form, which finishes, and shows the API\'s own message for a bad field', async () => {
    const { page, errors } = await open('#/new')
    await expect.poll(() => page.locator('[data-field="server"] option').allInnerTexts()).toEqual([`sim (${sim.url})`])
    const fill = async (fields: Record<string, string>) => {
      for (const [field, value] of Object.entries(fields)) await page.locator(`[data-field="${field}"]`).fill(value)
    }
    await fill({ name: 'from the form', levels: '1, x', requests: '4', input: '16', output: '8', ttft: '5000', min: '50' })
    await page.locator('[data-action="start"]').click()
    const answer = await call(serve.url, 'POST', `${API}/run`, { server: 'sim', name: 'from the form', concurrency: [1, 'x'], requests: 4, input: { tokens: 16 }, output: { tokens: 8 }, slo: { goodput: { ttft: 5000, min: 0.5 } } })
    expect(answer.status).toBe(400)
    await expect.poll(() => page.locator('[data-field="problem"]').innerText()).toBe(answer.body.error.message)
    await screenshot(page, 'dashboard-form-problem')

    await fill({ levels: '1, 2' })
    await page.locator('[data-action="start"]').click()
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash), { timeout: 10_000 }).toMatch(/^#\/run\//)
    const id = decodeURIComponent((await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).slice('#/run/'.length))
    await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('measured')
    await drawn(page, 's0-ttft')
    const result = (await call(serve.url, 'GET', `${API}/result/${id}`)).body
    expect(result.scenario).toMatchObject({ concurrency: [1, 2], requests: 4, input: { tokens: 16 }, output: { tokens: 8 }, slo: { goodput: { ttft: 5000, min: 0.5 } } })
    // Its goodput target is drawn, and the headline judges each level by it.
    expect(await page.locator('[data-chart="s0-goodput"] .target.slo text').textContent()).toBe('goodput target ≥ 50%')
    expect((await headlineLines(page))[0][0]).toMatch(/^Measured: goodput ≥ 50% at \d of 2 levels\.$/)

    // Run again: the form starts with the run's settings.
    await page.locator('[data-action="rerun"]').click()
    await expect.poll(() => page.locator('[data-field="levels"]').inputValue()).toBe('1, 2')
    expect(await page.locator('[data-field="requests"]').inputValue()).toBe('4')
    expect(await page.locator('[data-field="min"]').inputValue()).toBe('50')
    expect(await page.locator('[data-field="name"]').inputValue()).toBe('from the form (again)')
    // The browser logs the refused request itself; nothing else went wrong.
    expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([])
    await page.close()
  })

  it('marks a run as its scenario\'s baseline and draws the scenario over time, dates on the x axis', async () => {
    const { page, errors } = await open(`#/run/${ids.candidate}`)
    await drawn(page, 's0-ttft')
    await page.locator('[data-action="baseline"]').click()
    await expect.poll(() => page.locator('.run-bar [data-baseline]').count()).toBe(1)
    expect((await call(serve.url, 'GET', `${API}/run/${ids.candidate}`)).body.run.baseline).toBe(true)
    // The baseline and the candidate are one scenario, run on two days.
    await drawn(page, 'trend-ttft-p99', 2)
    expect(await page.locator('[data-chart="trend-ttft-p99"] .axis.x text.tick').allTextContents()).toEqual(['03-01', '03-02'])
    await page.goto(`${serve.url}/#/`)
    await expect.poll(() => page.locator(`tr[data-run="${ids.candidate}"] [data-baseline]`).count()).toBe(1)
    expect(errors).toEqual([])
    await page.close()
  })

  it("shows each later run's verdict against its scenario's baseline, in the list and on its page", async () => {
    expect((await call(serve.url, 'PUT', `${API}/run/${ids.baseline}/baseline`)).status).toBe(200)
    const { page, errors } = await open('#/')
    const line = page.locator(`tr[data-run="${ids.candidate}"] [data-verdict]`)
    await expect.poll(() => line.count()).toBe(1)
    expect(await line.innerText()).toMatch(/^vs baseline: .*\d+ (equivalent|inconclusive|regressed|improved)/)
    expect(await page.locator(`tr[data-run="${ids.baseline}"] [data-verdict]`).count()).toBe(0)
    await page.goto(`${serve.url}/#/run/${ids.candidate}`)
    const head = page.locator('p[data-verdict]')
    await expect.poll(() => head.count()).toBe(1)
    expect(await head.innerText()).toContain(`Against the baseline (${ids.baseline})`)
    expect(await head.locator('a').getAttribute('href')).toBe(`#/compare/${ids.baseline},${ids.candidate}`)
    expect(errors).toEqual([])
    await page.close()
  })

  it('fits a 360 px screen and follows a dark system theme: the list, a run, the form', async () => {
    for (const hash of ['#/', `#/run/${ids.candidate}`, '#/new']) {
      const { page, errors } = await open(hash, 360)
      await page.waitForTimeout(300)
      expect(await pageWidth(page), hash).toBeLessThanOrEqual(360)
      const light = await backgroundColor(page)
      await page.close()
      const dark = await open(hash, 1366, 'dark')
      expect(await backgroundColor(dark.page)).not.toBe(light)
      await dark.page.close()
      expect([...errors, ...dark.errors]).toEqual([])
    }
  })

  it('asks for the access token when the server needs one, and sends it on every request', async () => {
    const token = 'dashboard-token-0123456789'
    const guarded = await startTestServe(sim.url, { token })
    try {
      await call(guarded.url, 'POST', `${API}/result?name=guarded`, syntheticRunResult({ requests: 8, concurrency: [1, 2] }), { authorization: `Bearer ${token}` })
      const page = await browser.newPage({ viewport: { width: 1366, height: 860 } })
      await page.goto(`${guarded.url}/#/`)
      const field = page.locator('[data-field="token"]')
      await field.waitFor({ timeout: 10_000 })
      await field.fill(token)
      await page.locator('form.token button').click()
      await expect.poll(() => page.locator('table[data-table="runs"] tbody tr[data-run] td.name a').allInnerTexts(), { timeout: 10_000 }).toEqual(['guarded'])
      await page.locator('table[data-table="runs"] tbody tr[data-run] td.name a').click()
      await drawn(page, 's0-ttft')
      await page.close()
    } finally {
      await guarded.close()
      rmSync(guarded.dir, { recursive: true, force: true })
    }
  })

  it('deletes a run only after the confirmation', async () => {
    const { page, errors } = await open()
    await expect.poll(() => rows(page).count()).toBe(7)
    const row = page.locator(`tr[data-run="${ids.baseline}"]`)
    const dialog = page.locator('dialog[data-dialog="confirm"]')
    await row.locator('[data-action="delete"]').click()
    await expect.poll(() => dialog.isVisible()).toBe(true)
    expect(await dialog.innerText()).toContain(`Delete the run “baseline” (${ids.baseline})?`)
    await screenshot(page, 'dashboard-delete')
    await dialog.locator('[data-action="cancel"]').click()
    await expect.poll(() => dialog.isVisible()).toBe(false)
    expect(await rows(page).count()).toBe(7)

    await row.locator('[data-action="delete"]').click()
    await dialog.locator('[data-action="confirm"]').click()
    await expect.poll(() => rows(page).count()).toBe(6)
    expect(await page.locator(`tr[data-run="${ids.baseline}"]`).count()).toBe(0)
    expect((await call(serve.url, 'GET', `${API}/run/${ids.baseline}`)).status).toBe(404)
    expect(errors).toEqual([])
    await page.close()
  })
})
