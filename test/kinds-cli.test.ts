/**
 * The request kinds from the command line (docs/request-kinds.md): the flags of `llmbench run`
 * reach the server, the console prints each kind's lines and the per-adapter table, the result file
 * keeps every figure (schema-valid), the HTML report is written, and mistakes are one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import { syntheticImage } from '../src/data/images.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors, suiteSchemaErrors } from './helpers/schema.js'
import { makeProject } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'

let sim: Simulator
const dir = mkdtempSync(join(tmpdir(), 'llmbench-kinds-'))

beforeAll(async () => {
  sim = await startSimulator({ decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0.01, loraModules: ['sql', 'chat'], invalidRate: 0.25, trace: true })
})
afterAll(() => sim.close())

const base = () => ['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '24', '--output-len', '16', '--num-prompts', '40', '--concurrency', '4', '--no-telemetry', '--no-calibrate']

describe('llmbench run with the request kinds', () => {
  it('images, LoRA adapters, a JSON schema and a price: console lines, result file and report', async () => {
    const schema = join(dir, 'trip.schema.json')
    writeFileSync(schema, JSON.stringify({ type: 'object', required: ['city'], properties: { city: { type: 'string' }, days: { type: 'integer' } } }))
    const out = join(dir, 'result.json')
    const r = await runCli([
      ...base(), '--images', '2', '--image-size', '256x128', '--image-format', 'jpeg',
      '--lora', 'sql,chat', '--lora-weights', '3,1', '--json-schema', schema, '--goodput', 'ttft:60000,valid',
      '--gpu-hourly-cost', '2.5', '--gpus', '8', '--output', out, '--html', join(dir, 'report'),
    ])
    expect(r.stderr).not.toMatch(/Error|at .*\.js/)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Media sent: 80 images (2.0 a request, 32,768 px each on average')
    expect(r.stdout).toMatch(/Valid outputs: \d+\.\d% \(\d+\/40\); invalid: \d+ \(/)
    expect(r.stdout).toMatch(/Cost: [\d.e-]+ per million output tokens, [\d.e-]+ per million input tokens/)
    expect(r.stdout).toContain('Per LoRA adapter')
    expect(r.stdout).toMatch(/ {2}- valid output: \d+\/40/)

    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    const s = result.levels[0].summary
    expect(Object.keys(s.byAdapter!)).toEqual(['chat', 'sql'])
    expect(s.byAdapter!.sql.requests.total + s.byAdapter!.chat.requests.total).toBe(40)
    expect(s.validity!.checked).toBe(40)
    expect(s.goodput!.good).toBe(s.validity!.valid)
    expect(s.cost!.basis).toBe('gpu-hours')
    expect(s.media).toMatchObject({ requests: 40, images: 80, pixels: 80 * 256 * 128 })
    // The scenario is recorded as written, so the run can be repeated from the result.
    expect(result.scenario).toMatchObject({ images: { count: 2, width: 256, height: 128, format: 'jpeg' }, lora: { adapters: ['sql', 'chat'], weights: [3, 1] }, cost: { perHour: 2.5, gpus: 8 } })
    const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8')
    expect(page.length).toBeGreaterThan(1000)
  })

  it('images from a folder and from a JSONL dataset (files and URLs), each row naming its adapter', async () => {
    const images = join(dir, 'images')
    mkdirSync(images, { recursive: true })
    writeFileSync(join(images, 'a.png'), syntheticImage(1, 640, 480, 'png').bytes)
    writeFileSync(join(images, 'b.jpg'), syntheticImage(2, 300, 200, 'jpeg').bytes)
    const data = join(dir, 'rows.jsonl')
    writeFileSync(data, [
      JSON.stringify({ prompt: 'Describe the picture.', images: ['images/a.png'], lora: 'sql' }),
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'And this one?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }),
    ].join('\n') + '\n')
    const out = join(dir, 'rows.json')
    const r = await runCli([...base(), '--num-prompts', '10', '--dataset', data, '--no-shuffle', '--lora', 'sql,chat', '--lora-assignment', 'dataset', '--output', out])
    expect(r.stderr).not.toMatch(/Error|at .*\.js/)
    expect(r.code).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    const rs = result.levels[0].records.filter((x) => !x.warmup)
    // Row 1: one file of 640x480 and the adapter it names; row 2: a URL the server fetches, the base model.
    expect(rs.filter((x) => x.adapter === 'sql').every((x) => x.media?.pixels === 640 * 480)).toBe(true)
    expect(rs.filter((x) => x.adapter === undefined).every((x) => x.media?.urls === 1 && x.media.images === 1)).toBe(true)
    expect(Object.keys(result.levels[0].summary.byAdapter!)).toEqual(['sim-model', 'sql'])

    const folder = await runCli([...base(), '--num-prompts', '8', '--image-dir', images, '--output', join(dir, 'dir.json')])
    expect(folder.code).toBe(0)
    const fromDir = JSON.parse(readFileSync(join(dir, 'dir.json'), 'utf8')) as RunResult
    const pixels = new Set(fromDir.levels[0].records.filter((x) => !x.warmup).map((x) => x.media?.pixels))
    expect(pixels).toEqual(new Set([640 * 480, 300 * 200]))
  })

  it('bench files: objectives on one adapter and on validity, in the suite JSON (schema-valid) and as JUnit test cases and properties', async () => {
    const example = readFileSync(new URL('../examples/request-kinds.bench.ts', import.meta.url), 'utf8')
    const root = makeProject({ 'kinds.bench.ts': example })
    const json = join(root, 'out', 'results.json')
    const junit = join(root, 'out', 'junit.xml')
    const r = await runCli(['--root', root, '--reporter', 'json', '--reporter', 'junit', `--outputFile.json=${json}`, `--outputFile.junit=${junit}`], {}, 120_000)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const suite = JSON.parse(readFileSync(json, 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const checks = suite.files[0].scenarios.flatMap((sc) => sc.checks)
    expect(checks.find((c) => c.adapter === 'sql-lora')).toMatchObject({ metric: 'ttft.p95', passed: true })
    expect(checks.find((c) => c.metric === 'valid.rate')).toMatchObject({ passed: true })
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toMatch(/<testcase name="request kinds &gt; images over two LoRA adapters › concurrency 4 › adapter sql-lora › ttft\.p95 &lt; 2000 @ concurrency 4 \[adapter sql-lora\]"/)
    expect(xml).toMatch(/<property name="request kinds &gt; images over two LoRA adapters › concurrency\.4\.adapter\.chat-lora\.ttft\.p50" value="[\d.]+"\/>/)
    expect(xml).toMatch(/<property name="request kinds &gt; JSON that must match its schema › concurrency\.4\.valid\.rate" value="0\.\d+"\/>/)
  })

  it('a mistake is one line naming the flag and the fix', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--lora', 'a,b', '--lora-weights', '0.7'], /^llmbench: --lora-weights must give one weight per adapter \(2\), got 1$/m],
      [['--images', '1', '--endpoint', 'completions'], /^llmbench: --images: images and audio are sent as OpenAI chat content parts, by the chat endpoint only \(the endpoint is completions\)$/m],
      [['--goodput', 'ttft:500,valid'], /^llmbench: --goodput: asks for valid output, which needs a validity check: ask for structured output too \(--response-format, --json-schema or --structured-tools\)$/m],
      [['--gpus', '8'], /^llmbench: --gpus applies to --gpu-hourly-cost, the price of one GPU for an hour$/m],
      [['--image-size', '512'], /^llmbench: --image-size applies to images in requests: pass --images N \(or --image-dir DIR\) too$/m],
      [['--images', '1', '--image-size', '512by512'], /^llmbench: --image-size must be WIDTHxHEIGHT such as 512x512/m],
      [['--json-schema', join(dir, 'missing.json')], /^llmbench: --json-schema: cannot read .*missing\.json \(ENOENT\): give a JSON file$/m],
      [['--lora', 'a', '--lora-assignment', 'dataset'], /^llmbench: --lora-assignment dataset reads each row's "lora": give a JSONL dataset too \(--dataset\)$/m],
    ]
    for (const [flags, message] of cases) {
      const r = await runCli([...base(), ...flags])
      expect(r.code, flags.join(' ')).toBe(2)
      expect(r.stderr, flags.join(' ')).toMatch(message)
      expect(r.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1)
    }
  })
})
