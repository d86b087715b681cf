// `llmbench report`, `llmbench show-report`, the html reporter and history of `npx llmbench`, end to end.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { saveToHistory } from '../src/report/history.js'
import { createHtmlReporter } from '../reporters/html.js'
import { UsageError } from '../src/errors.js'
import type { ReportData } from '../src/report/types.js'
import { runCli, startCli } from './helpers/cli.js'
import { makeProject, simBench } from './helpers/project.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-cli-report-'))
const roots: string[] = [dir]
afterAll(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true })
})

const write = (name: string, doc: unknown) => {
  const file = join(dir, name)
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc))
  return file
}

function dataOf(page: string): ReportData {
  const m = /<script id="llmbench-data" type="application\/json"( data-encoding="gzip-base64")?>([^<]*)<\/script>/.exec(page)
  if (!m) throw new Error('no data element')
  return JSON.parse(m[1] ? gunzipSync(Buffer.from(m[2], 'base64')).toString('utf8') : m[2])
}

describe('llmbench report', () => {
  it('builds one page from several results, the first the baseline', async () => {
    const a = write('vllm.json', syntheticRunResult({ requests: 60, concurrency: [1, 4], seed: 1 }))
    const b = write('sglang.json', syntheticSuiteResult({ requests: 60, concurrency: [4], seed: 2 }))
    const c = write('today.json', syntheticRunResult({ requests: 60, concurrency: [4], seed: 3 }))
    const out = join(dir, 'out')
    const [r, named] = await Promise.all([runCli(['report', a, b, c, '-o', out]), runCli(['report', c, '-o', join(dir, 'named', 'mine.html')])])
    expect(named.code).toBe(0)
    expect(existsSync(join(dir, 'named', 'mine.html'))).toBe(true)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`HTML report written to ${join(out, 'index.html')}`)
    expect(r.stdout).toMatch(/Open it with: llmbench show-report \S+out\n/)
    const data = dataOf(readFileSync(join(out, 'index.html'), 'utf8'))
    expect(data.kind).toBe('runs')
    expect(data.runs.map((x) => [x.label, x.source])).toEqual([['vllm', 'run'], ['sglang', 'suite'], ['today', 'run']])
    // Runs match by scenario: the suite's scenario is another one, today's run matches at concurrency 4.
    expect(data.comparison!.against.map((x) => [x.run, x.levels.map((l) => l.load.value)])).toEqual([[1, []], [2, [4]]])
  })

  it('draws the history folder with --history', async () => {
    const history = join(dir, 'hist')
    for (let day = 1; day <= 3; day++) saveToHistory(history, syntheticRunResult({ requests: 20, concurrency: [1, 2], seed: day, startedAt: `2026-04-0${day}T08:00:00.000Z` }))
    writeFileSync(join(history, 'broken.json'), '{')
    const out = join(dir, 'hist-out')
    const r = await runCli(['report', '--history', '--history-dir', history, '-o', out])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const data = dataOf(readFileSync(join(out, 'index.html'), 'utf8'))
    expect(data.kind).toBe('history')
    expect(data.history!.entries.map((e) => e.startedAt.slice(0, 10))).toEqual(['2026-04-01', '2026-04-02', '2026-04-03'])
    expect(data.history!.skipped.map((s) => s.file)).toEqual(['broken.json'])
    expect(data.history!.scenarios[0].series.map((s) => s.points.length)).toEqual([3, 3])
  })

  it('says what is wrong with bad input in one line and exits 2', async () => {
    // Each kind of unreadable file is covered in report-data.test.ts; here, that the CLI says it in one line.
    const future = write('future.json', { ...syntheticRunResult({ requests: 4, concurrency: [1] }), schemaVersion: 9 })
    const empty = join(dir, 'empty-history')
    mkdirSync(empty)
    const cases: Array<[string[], RegExp]> = [
      [['report', join(dir, 'missing.json')], /^llmbench: \S*missing\.json not found: pass a result JSON written by `llmbench run --output` or the json reporter of `npx llmbench`\n$/],
      [['report', future], /^llmbench: \S*future\.json has schemaVersion 9, but llmbench \S+ reads version 2: build the report with the llmbench version that wrote the file\n$/],
      [['report', '--history', '--history-dir', empty], /^llmbench: no saved runs in \S*empty-history: run llmbench first/],
      [['show-report', join(dir, 'nothing-here')], /^llmbench: no report at \S*nothing-here\/index\.html: write one with llmbench report/],
    ]
    const results = await Promise.all(cases.map(([args]) => runCli(args)))
    results.forEach((r, i) => {
      expect(r.stderr, cases[i][0].join(' ')).toMatch(cases[i][1])
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.code).toBe(2)
    })
  })
})

describe('llmbench show-report', () => {
  it('serves the report folder on localhost until stopped, and nothing outside it', async () => {
    const a = write('served.json', syntheticRunResult({ requests: 20, concurrency: [2] }))
    const out = join(dir, 'served')
    expect((await runCli(['report', a, '-o', out])).code).toBe(0)
    writeFileSync(join(dir, 'secret.txt'), 'outside')
    const { child, done } = startCli(['show-report', out, '--no-open', '--port', '0'])
    let stdout = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        stdout += d
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)/.exec(stdout)
        if (m) resolve(m[1])
      })
      child.on('exit', () => reject(new Error(`show-report exited: ${stdout}`)))
    })
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('id="llmbench-data"')
    expect((await fetch(new URL('index.html', url))).status).toBe(200)
    expect((await fetch(`${url}..%2Fsecret.txt`)).status).toBe(404)
    expect((await fetch(`${url}nope.html`)).status).toBe(404)
    expect((await fetch(`${url}%E0%A4%A`)).status).toBe(400)
    child.kill('SIGTERM')
    const r = await done
    expect(r.code).toBe(0)
  })
})

describe('npx llmbench with the html reporter and history', () => {
  it('writes llmbench-report/index.html and keeps each run in the configured history folder', async () => {
    const root = makeProject({
      'a.bench.ts': simBench('suite a', `  bench('chat', OPTIONS, () => {})`, `{ slo: { 'ttft.p99': '< 5000' } }`),
      'llmbench.config.mjs': `export default { reporters: ['console', ['html', { open: 'never' }]], history: { dir: 'perf/history' } }`,
    })
    roots.push(root)
    const r = await runCli(['--root', root], { LLMBENCH_HISTORY: '' }, 90_000)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toContain(`HTML report: ${join(root, 'llmbench-report', 'index.html')}`)
    const data = dataOf(readFileSync(join(root, 'llmbench-report', 'index.html'), 'utf8'))
    expect(data.runs[0].status).toBe('passed')
    expect(data.runs[0].scenarios[0].checks.map((c) => c.passed)).toEqual([true, true])
    expect(data.runs[0].scenarios[0].levels.map((l) => l.summary.load.value)).toEqual([1, 2])
    // The config's history folder, relative to the project root.
    const kept = readdirSync(join(root, 'perf', 'history'))
    expect(kept).toHaveLength(1)
    expect(JSON.parse(readFileSync(join(root, 'perf', 'history', kept[0]), 'utf8')).files[0].file).toBe('a.bench.ts')
    expect(existsSync(join(root, '.llmbench'))).toBe(false)
  })

  it('rejects an unknown `open` of the html reporter in one line', () => {
    expect(() => createHtmlReporter({ root: dir, open: 'sometimes' })).toThrow(new UsageError(`the html reporter: open must be 'always', 'never' or 'on-failure', got "sometimes"`))
  })
})
