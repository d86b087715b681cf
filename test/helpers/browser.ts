/** Debian's chromium driven by playwright-core, for tests that open generated reports. */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL, fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.LLMBENCH_CHROMIUM ?? '/usr/bin/chromium'
export const SCREENSHOTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-output', 'screenshots')

/** Without these, chromium waits on a network this machine does not have. */
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does`)
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

export interface OpenedReport {
  page: Page
  /** Console errors and uncaught exceptions while the page loaded and rendered. */
  errors: string[]
}

/** Opens a report file from file:// in a laptop-sized window and waits until the page says it is drawn. */
export async function openReport(browser: Browser, file: string, width = 1366): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width, height: 860 } })
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  // No request may leave the page: a report works offline.
  await page.route(/^(?!file:|data:)/, (route) => {
    errors.push(`network request: ${route.request().url()}`)
    return route.abort()
  })
  await page.goto(pathToFileURL(file).href)
  await page.waitForSelector('html[data-ready]', { timeout: 15_000 })
  return { page, errors }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Per chart: its id, and the number of points of each drawn path and its size on screen. */
export function chartShapes(page: Page): Promise<Array<{ chart: string; paths: Array<{ points: number; width: number; height: number }> }>> {
  return page.$$eval('[data-chart]', (charts) =>
    charts.map((c) => ({
      chart: c.getAttribute('data-chart') ?? '',
      // Runs in the page: DOM types are not in this project's lib, hence the loose shape.
      paths: [...c.querySelectorAll('path.series')].map((p) => {
        const box = (p as unknown as { getBBox(): { width: number; height: number } }).getBBox()
        return { points: ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length, width: box.width, height: box.height }
      }),
    })),
  )
}
