#!/usr/bin/env node
/**
 * Regenerates the screenshots of every page under docs/screenshots/ (linked from docs/report.md):
 * the HTML report of a run at several concurrencies, of a rate run, of a capacity sweep, a
 * comparison and the history page, and the dashboard of `llmbench serve` (the run list, a run, a
 * run in progress, the start-run form, a comparison). Each is taken light and dark at 1366 px and
 * light at 390 px (a phone), showing the first screen, where the answer should be.
 *
 *   npm run build && node scripts/screenshots.js [--out docs/screenshots]
 *
 * The figures are real: the built-in simulator (in its own process, on 127.0.0.1, set to break
 * down between concurrency 16 and 64) measured through `llmbench serve`'s API, so the pages show
 * what a user would see. Takes about a minute; stops everything it started.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { validateConfig } from '../dist/src/config/index.js'
import { buildReportData } from '../dist/src/report/data.js'
import { historyData } from '../dist/src/report/history.js'
import { writeReport } from '../dist/src/report/page.js'
import { FileStore } from '../dist/src/store/file.js'
import { startServe } from '../dist/src/serve/server.js'
import { spawnSimulator } from '../dist/src/simulator/index.js'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/screenshots' },
    chromium: { type: 'string', default: process.env.LLMBENCH_CHROMIUM ?? '/usr/bin/chromium' },
  },
})
const out = resolve(values.out)
mkdirSync(out, { recursive: true })
const dir = mkdtempSync(join(tmpdir(), 'llmbench-screenshots-'))

/** Breaks down between 16 and 64 concurrent requests: a small batch, each step slower per sequence. */
const SIM = { maxNumSeqs: 24, decodeBaseMs: 6, decodeMsPerSeq: 0.4, prefillBaseMs: 3, prefillMsPerToken: 0.01, seed: 7 }
const CHAT = { server: 'sim', input: { tokens: 128 }, output: { tokens: 64 }, slo: { goodput: { ttft: 400, tpot: 20, min: 0.9 } } }
const VARIANTS = [
  { name: 'light', viewport: { width: 1366, height: 1000 }, colorScheme: 'light' },
  { name: 'dark', viewport: { width: 1366, height: 1000 }, colorScheme: 'dark' },
  { name: '390px', viewport: { width: 390, height: 844 }, colorScheme: 'light' },
]

const sim = await spawnSimulator(SIM)
let serve
let browser
let cleaning
/** Everything started here stops, whether the script ends, fails or is interrupted. */
const cleanup = () => (cleaning ??= (async () => {
  await browser?.close().catch(() => {})
  await serve?.close().catch(() => {})
  await sim.close().catch(() => {})
  rmSync(dir, { recursive: true, force: true })
})())
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanup().finally(() => process.exit(130)))
try {
  const config = validateConfig({ servers: { sim: { url: sim.url, model: 'sim-model' } } }, { cwd: dir })
  const store = join(dir, 'store')
  serve = await startServe({ config, store: new FileStore(store), port: 0 })
  const api = async (method, path, body) => {
    const res = await fetch(`${serve.url}/api/v1${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })
    const json = await res.json()
    if (!res.ok) throw new Error(`${method} ${path}: ${json.error?.message}`)
    return json
  }
  const finished = async (id) => {
    for (;;) {
      const { run } = await api('GET', `/benchmark/run/${id}`)
      if (run.status !== 'queued' && run.status !== 'running') return run
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  const run = async (body) => {
    const { id } = await api('POST', '/benchmark/run', body)
    await finished(id)
    process.stdout.write(`measured ${body.name}\n`)
    return id
  }

  const levels = await run({ ...CHAT, name: 'chat 128/64 at 1–64', concurrency: [1, 8, 16, 32, 64], requests: 32 })
  const again = await run({ ...CHAT, name: 'chat 128/64, again', concurrency: [1, 8, 16, 32, 64], requests: 32 })
  const rate = await run({ ...CHAT, name: 'chat 128/64 at 4–60 req/s', rate: [4, 15, 30, 60], requests: 60 })
  const sweep = await run({ ...CHAT, name: 'capacity sweep', sweep: { method: 'capacity', start: 8, max: 64, factor: 2, levels: 8 }, requests: 32 })
  await api('PUT', `/benchmark/run/${levels}/baseline`)

  const report = async (name, ids) => {
    const inputs = []
    for (const id of ids) {
      const { run: r } = await api('GET', `/benchmark/run/${id}`)
      inputs.push({ result: new FileStore(store).readAllSync().runs.find((x) => x.file.endsWith(`${id}.json`)).result, label: r.name })
    }
    return pathToFileURL(writeReport(join(dir, name), buildReportData(inputs))).href
  }
  const history = pathToFileURL(writeReport(join(dir, 'history'), { version: 1, kind: 'history', generatedAt: new Date().toISOString(), generator: 'screenshots', runs: [], history: historyData(store) })).href
  const pages = [
    ['report-levels', await report('levels', [levels])],
    ['report-rate', await report('rate', [rate])],
    ['report-sweep', await report('sweep', [sweep])],
    ['report-comparison', await report('comparison', [levels, again])],
    ['report-history', history],
    ['dashboard-list', `${serve.url}/#/`],
    ['dashboard-run', `${serve.url}/#/run/${encodeURIComponent(levels)}`],
    ['dashboard-new', `${serve.url}/#/new?from=${encodeURIComponent(rate)}`],
    ['dashboard-compare', `${serve.url}/#/compare/${encodeURIComponent(levels)},${encodeURIComponent(again)}`],
  ]

  browser = await chromium.launch({ executablePath: values.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'] })
  const shoot = async (name, url, variant, before) => {
    const page = await browser.newPage({ viewport: variant.viewport, colorScheme: variant.colorScheme })
    await page.goto(url)
    await page.waitForSelector('html[data-ready]', { timeout: 30_000 })
    if (before) await before(page)
    await page.waitForTimeout(400)
    const file = join(out, `${name}-${variant.name}.png`)
    await page.screenshot({ path: file })
    await page.close()
    process.stdout.write(`${file}\n`)
  }
  for (const [name, url] of pages) for (const v of VARIANTS) await shoot(name, url, v)

  // A run in progress: started, then drawn while its levels go by.
  for (const v of VARIANTS) {
    const { id } = await api('POST', '/benchmark/run', { ...CHAT, name: 'in progress', concurrency: [4, 16, 32], duration: '4s' })
    await shoot('dashboard-live', `${serve.url}/#/run/${encodeURIComponent(id)}`, v, (page) => page.waitForFunction(() => document.querySelectorAll('[data-level-progress]').length >= 2, null, { timeout: 30_000 }))
    await finished(id)
  }
} finally {
  await cleanup()
}
