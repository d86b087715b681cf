// The dashboard of `llmbench serve` in Debian's chromium: the runs listed and searched, a run's
// report, a comparison, a running benchmark drawn live, deletion behind a confirmation. Screenshots
// go to test-output/screenshots/ for a human to look at.
import { rmSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRunResult } from '../bench/synthetic-result.js'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import { chartShapes, launchChromium, screenshot } from './helpers/browser.js'
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
async function open(hash = '#/'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } })
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

    expect(await rows(page).first().locator('a').innerText()).toBe(HOSTILE)
    await page.locator(`tr[data-run="${ids.api}"] a`).click()
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
    const table = page.locator('table[data-table="compare"]')
    await expect.poll(() => table.locator('caption').innerText()).toContain('candidate against baseline')
    expect(await table.locator('td.better, td.worse').count()).toBeGreaterThan(0)
    await drawn(page, 's0-ttft')
    expect((await chartShapes(page)).find((c) => c.chart === 's0-output-tps')!.paths).toHaveLength(2)
    await screenshot(page, 'dashboard-compare')
    expect(errors).toEqual([])
    await page.close()
  })

  it('draws a running benchmark live, then its report when it ends', async () => {
    const started = await call(serve.url, 'POST', `${API}/run`, { server: 'sim', name: 'live one', concurrency: [1, 4], duration: '2s', input: { tokens: 16 }, output: { tokens: 24 } })
    const { page, errors } = await open(`#/run/${started.body.id}`)
    await page.waitForSelector('[data-live]', { timeout: 10_000 })
    await drawn(page, 'live-ttft', 4)
    await drawn(page, 'live-e2e', 4)
    await expect.poll(() => page.locator('[data-level-progress="0"]').innerText(), { timeout: 10_000 }).toMatch(/\d+ requests/)
    await screenshot(page, 'dashboard-live')
    // The first level's summary joins the live view; at the end the report replaces it.
    await drawn(page, 'live-levels', 1)
    await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('measured')
    await drawn(page, 's0-ttft')
    expect(await page.locator('[data-live]').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
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
      await expect.poll(() => page.locator('table[data-table="runs"] tbody tr[data-run] a').allInnerTexts(), { timeout: 10_000 }).toEqual(['guarded'])
      await page.locator('table[data-table="runs"] tbody tr[data-run] a').click()
      await drawn(page, 's0-ttft')
      await page.close()
    } finally {
      await guarded.close()
      rmSync(guarded.dir, { recursive: true, force: true })
    }
  })

  it('deletes a run only after the confirmation', async () => {
    const { page, errors } = await open()
    await expect.poll(() => rows(page).count()).toBe(4)
    const row = page.locator(`tr[data-run="${ids.baseline}"]`)
    const dialog = page.locator('dialog[data-dialog="confirm"]')
    await row.locator('[data-action="delete"]').click()
    await expect.poll(() => dialog.isVisible()).toBe(true)
    expect(await dialog.innerText()).toContain(`Delete the run “baseline” (${ids.baseline})?`)
    await screenshot(page, 'dashboard-delete')
    await dialog.locator('[data-action="cancel"]').click()
    await expect.poll(() => dialog.isVisible()).toBe(false)
    expect(await rows(page).count()).toBe(4)

    await row.locator('[data-action="delete"]').click()
    await dialog.locator('[data-action="confirm"]').click()
    await expect.poll(() => rows(page).count()).toBe(3)
    expect(await page.locator(`tr[data-run="${ids.baseline}"]`).count()).toBe(0)
    expect((await call(serve.url, 'GET', `${API}/run/${ids.baseline}`)).status).toBe(404)
    expect(errors).toEqual([])
    await page.close()
  })
})
