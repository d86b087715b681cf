#!/usr/bin/env node
/**
 * How long the HTML report of a 10,000-request run takes to render in Chromium, opened from file://.
 *
 *   npm run build && node bench/report-render.js [--requests 10000] [--runs 7] [--levels 1,8,32,64,128]
 *
 * Builds a synthetic `llmbench run` result (bench/synthetic-result.js: every record with its token
 * times, summaries from llmbench's metrics module), writes its report, then opens it `--runs` times,
 * each in a fresh page, and reads the time from navigation start to the viewer's `llmbench-ready`
 * mark: parsing the page, decompressing the data, drawing every chart, and two animation frames so
 * the charts have their final size. Prints each run, the median and the file size. Not a unit test:
 * a shared, noisy machine makes single timings meaningless; the median of several is the figure.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { syntheticRunResult } from './synthetic-result.js'
import { buildReportData } from '../dist/src/report/data.js'
import { writeReport } from '../dist/src/report/page.js'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '7' },
    levels: { type: 'string', default: '1,8,32,64,128' },
    chromium: { type: 'string', default: process.env.LLMBENCH_CHROMIUM ?? '/usr/bin/chromium' },
  },
})
const requests = Number(values.requests)
const runs = Number(values.runs)
const concurrency = values.levels.split(',').map(Number)

const dir = mkdtempSync(join(tmpdir(), 'llmbench-report-render-'))
try {
  const doc = syntheticRunResult({ requests, concurrency })
  const file = writeReport(join(dir, 'report'), buildReportData([{ result: { kind: 'run', doc } }]))
  const size = statSync(file).size
  const browser = await chromium.launch({
    executablePath: values.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const times = []
  try {
    for (let i = 0; i < runs + 1; i++) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 860 } })
      await page.goto(pathToFileURL(file).href)
      await page.waitForSelector('html[data-ready]', { timeout: 30_000 })
      const ms = await page.evaluate(() => performance.getEntriesByName('llmbench-ready')[0].startTime)
      await page.close()
      // The first page also warms up the browser process itself: not counted.
      if (i === 0) continue
      times.push(ms)
      console.log(`run ${i}: ${ms.toFixed(0)} ms`)
    }
  } finally {
    await browser.close()
  }
  times.sort((a, b) => a - b)
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2
  console.log(`${requests.toLocaleString('en-US')} requests over ${concurrency.length} levels: report ${(size / 1024).toFixed(0)} KB; ` +
    `render median ${median.toFixed(0)} ms over ${times.length} runs (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)})`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
