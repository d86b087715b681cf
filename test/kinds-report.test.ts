/**
 * The HTML report of a run with the request kinds (docs/request-kinds.md): each level's detail shows
 * the media sent, the valid outputs, energy or why there is none, the cost, and a table of every
 * LoRA adapter's figures; the page draws without an error. A screenshot goes to test-output/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { runCli } from './helpers/cli.js'
import { launchChromium, openReport, screenshot } from './helpers/browser.js'

let sim: Simulator
let browser: Browser
const dir = mkdtempSync(join(tmpdir(), 'llmbench-kinds-report-'))

beforeAll(async () => {
  sim = await startSimulator({ decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0.01, loraModules: ['sql', 'chat'], invalidRate: 0.25 })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await sim.close()
})

describe('the report of a run with the request kinds', () => {
  it("shows each level's kinds and a sortable table of the adapters' figures", async () => {
    const schema = join(dir, 'schema.json')
    writeFileSync(schema, JSON.stringify({ type: 'object', required: ['city'], properties: { city: { type: 'string' } } }))
    const r = await runCli([
      'run', '--server', sim.url, '--model', 'sim-model', '--input-len', '24', '--output-len', '16', '--num-prompts', '32', '--concurrency', '4',
      '--no-calibrate', '--gpu-telemetry', '--telemetry-interval', '100ms', '--images', '1', '--lora', 'sql,chat', '--json-schema', schema,
      '--goodput', 'ttft:60000,valid', '--price-input', '0.15', '--price-output', '0.6', '--html', join(dir, 'report'),
    ], { LLMBENCH_NVIDIA_SMI: '/nonexistent/nvidia-smi' })
    expect(r.code).toBe(0)
    const { page, errors } = await openReport(browser, join(dir, 'report', 'index.html'))
    const facts = await page.$eval('[data-kinds]', (el) => el.textContent ?? '')
    expect(facts).toMatch(/32 images sent \(1 a request, 262,144 px each on average/)
    expect(facts).toMatch(/valid outputs \d+\.\d% \(\d+\/32; invalid \d+/)
    expect(facts).toMatch(/energy not measured: GPU telemetry: nvidia-smi not available/)
    expect(facts).toMatch(/cost [\d.e-]+ per million output tokens/)
    const rows = await page.$$eval('[data-table$="-adapters"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
    expect(rows.map((cells) => cells[0]).sort()).toEqual(['chat', 'sql'])
    expect(rows.reduce((n, cells) => n + Number(cells[1].split('/')[1]), 0)).toBe(32)
    await screenshot(page, 'request-kinds')
    expect(errors).toEqual([])
  })
})
