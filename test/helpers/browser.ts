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
export async function openReport(browser: Browser, file: string, width = 1366, colorScheme: 'light' | 'dark' = 'light'): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width, height: 860 }, colorScheme })
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

/** Across-level charts (`data-x="load"`): each drawn path's x coordinates, in drawing order. */
export function loadPaths(page: Page): Promise<Array<{ chart: string; xs: number[] }>> {
  return page.$$eval('[data-chart][data-x="load"]', (charts) =>
    charts.flatMap((c) =>
      [...c.querySelectorAll('path.series')].map((p) => ({
        chart: c.getAttribute('data-chart') ?? '',
        xs: [...(p.getAttribute('d') ?? '').matchAll(/[ML](-?[\d.]+),/g)].map((m) => Number(m[1])),
      })),
    ),
  )
}

/** Pairs of x-axis tick labels whose boxes on screen intersect, in any chart of the page. */
export function overlappingTicks(page: Page): Promise<Array<{ chart: string; a: string; b: string }>> {
  return page.$$eval('[data-chart]', (charts) =>
    charts.flatMap((c) => {
      const boxes = [...c.querySelectorAll('.axis.x text.tick')].map((t) => {
        // A DOMRect's sides are getters: read each, a spread would copy none.
        const r = (t as unknown as { getBoundingClientRect(): { left: number; right: number; top: number; bottom: number } }).getBoundingClientRect()
        return { text: t.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom }
      })
      const out: Array<{ chart: string; a: string; b: string }> = []
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]]
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push({ chart: c.getAttribute('data-chart') ?? '', a: a.text, b: b.text })
        }
      }
      return out
    }),
  )
}

/** The page's width as laid out: wider than the window means it scrolls sideways. */
export function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)
}

/** The headline lines drawn on the page, block by block. */
export function headlineLines(page: Page): Promise<string[][]> {
  return page.$$eval('[data-headline]', (blocks) => blocks.map((b) => [...b.querySelectorAll('li')].map((li) => (li.textContent ?? '').trim())))
}

/** The page's background colour as drawn. */
export function backgroundColor(page: Page): Promise<string> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { documentElement: unknown } }
    return g.getComputedStyle(g.document.documentElement).backgroundColor
  })
}
