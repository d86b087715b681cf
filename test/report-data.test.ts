// The report data model: level digests and sampling, page size and safety, comparison, history.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { runBody, scenarioFields, settingsLine } from '../src/results/scenario-fields.js'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { compareRuns } from '../src/report/compare.js'
import { buildReportData } from '../src/report/data.js'
import { historyData, historyDir, loadHistory, saveToHistory } from '../src/report/history.js'
import { digestLevel, TIMELINE_MAX } from '../src/report/level.js'
import { classifyResult } from '../src/results/read.js'
import { dataElement, renderReportPage, scriptSafeJson } from '../src/report/page.js'
import type { ReportData } from '../src/report/types.js'
import { UsageError } from '../src/errors.js'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'llmbench-report-data-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The report data inside a page, decoded as the viewer does. */
function dataOf(page: string): ReportData {
  const m = /<script id="llmbench-data" type="application\/json"( data-encoding="gzip-base64")?>([^<]*)<\/script>/.exec(page)
  if (!m) throw new Error('no data element')
  return JSON.parse(m[1] ? gunzipSync(Buffer.from(m[2], 'base64')).toString('utf8') : m[2])
}

const big = syntheticRunResult({ requests: 10_000, concurrency: [1, 8, 32, 64, 128], failRate: 0.01 })

describe('level digest', () => {
  const oneLevel = syntheticRunResult({ requests: 10_000, concurrency: [64], failRate: 0.02, seed: 3 })
  const level = oneLevel.levels[0]
  const d = digestLevel(level)

  it('samples the timeline to at most TIMELINE_MAX requests, every failure kept, in send order', () => {
    expect(d.timeline.total).toBe(10_000)
    expect(d.timeline.rows.length).toBe(TIMELINE_MAX)
    const failed = level.records.filter((r) => !r.warmup && r.outcome !== 'ok').length
    expect(failed).toBeGreaterThan(100)
    const shownFailed = d.timeline.rows.filter(([, , , o]) => d.timeline.outcomes[o] !== 'ok').length
    expect(shownFailed).toBe(failed)
    const sent = d.timeline.rows.map((r) => r[0])
    expect(sent).toEqual([...sent].sort((a, b) => a - b))
    expect(sent[0]).toBe(0)
    for (const [s, first, end] of d.timeline.rows) {
      expect(end).toBeGreaterThanOrEqual(s)
      if (first >= 0) expect(first).toBeGreaterThanOrEqual(s)
    }
  })

  it('bins TTFT and ITL: every sample counted once, CDF ascending to 1', () => {
    const s = level.summary
    expect(d.ttft!.count).toBe(s.stats.ttft!.count)
    expect(d.itl!.count).toBe(s.stats.itl!.count)
    for (const dist of [d.ttft!, d.itl!]) {
      expect(dist.counts.reduce((a, b) => a + b, 0) + dist.over).toBe(dist.count)
      // The tail beyond p99 is counted, not drawn.
      expect(dist.over / dist.count).toBeLessThanOrEqual(0.011)
      const values = dist.cdf.map(([v]) => v)
      expect(values).toEqual([...values].sort((a, b) => a - b))
      expect(dist.cdf.at(-1)![1]).toBe(1)
      expect(dist.cdf.length).toBeLessThanOrEqual(210)
    }
    expect(d.ttft!.cdf.find(([, p]) => p === 0.5)![0]).toBeCloseTo(s.stats.ttft!.p50, 2)
    expect(d.itl!.cdf.find(([, p]) => p === 0.99)![0]).toBeCloseTo(s.stats.itl!.p99, 2)
  })

  it('keeps each distinct error message once with its count, and the per-user throughput', () => {
    expect(d.errorSamples.map((e) => e.kind).sort()).toEqual(['http', 'stream-error'])
    expect(d.errorSamples.reduce((n, e) => n + e.count, 0)).toBe(level.summary.requests.failed)
    expect(d.errorSamples.find((e) => e.kind === 'http')!.status).toBe(500)
    expect(d.perUserTokensPerSec).toBeCloseTo(level.summary.throughput.outputTokensPerSec / level.summary.concurrency.achieved, 6)
  })

  it('gives a CDF of every sample for small levels', () => {
    const small = digestLevel(syntheticRunResult({ requests: 20, concurrency: [2], failRate: 0 }).levels[0])
    expect(small.ttft!.cdf).toHaveLength(20)
    expect(small.ttft!.cdf[0][1]).toBe(0.05)
    expect(small.timeline.rows).toHaveLength(20)
  })
})

describe('report page', () => {
  it('keeps a run of 10,000 requests under 2 MB, without per-token times', () => {
    const data = buildReportData([{ result: { kind: 'run', doc: big } }])
    const page = renderReportPage(data)
    expect(Buffer.byteLength(page)).toBeLessThan(2 * 1024 * 1024)
    const json = JSON.stringify(dataOf(page))
    expect(json).not.toContain('tokenTimes')
    expect(dataOf(page).runs[0].scenarios[0].levels).toHaveLength(5)
  })

  it('never lets a string end the data element, plain or compressed, and allows only its own script', () => {
    const evil = '</script><script>window.__pwned=1</script><!-- <img src=x onerror="x()"> \u2028'
    const doc = syntheticRunResult({ requests: 40, concurrency: [2], model: evil, errorMessage: evil, failRate: 0.2 })
    const data = buildReportData([{ result: { kind: 'run', doc }, label: evil }])
    expect(scriptSafeJson({ a: evil })).not.toMatch(/[<\u2028]/)
    for (const compress of [false, true]) {
      const page = renderReportPage(data, { compress })
      // Only the viewer's script and the data element: no markup from the data became elements.
      expect(page.match(/<script/g)).toHaveLength(2)
      const open = page.indexOf('>', page.indexOf('<script id="llmbench-data"')) + 1
      const close = page.indexOf('</script>', open)
      expect(page.slice(open, close)).not.toContain('<')
      expect(page.slice(close).replace(/\s+/g, '')).toBe('</script></body></html>')
      expect(dataOf(page).runs[0].label).toBe(evil)
      expect(dataOf(page).runs[0].models).toEqual([evil])
      expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; /)
      expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<script'))
    }
    expect(dataElement(data, { compress: true })).toContain('data-encoding="gzip-base64"')
    expect(dataElement({ ...data, runs: [] })).not.toContain('data-encoding')
  })
})

describe('comparison', () => {
  it('gives each later run the verdict document against the first, scenarios by key and levels by load', () => {
    const a = syntheticRunResult({ requests: 300, concurrency: [1, 8, 32], seed: 1 })
    const b = syntheticRunResult({ requests: 200, concurrency: [8, 32], seed: 2, model: 'other' })
    const data = buildReportData([
      { result: { kind: 'run', doc: a }, label: 'vllm' },
      { result: { kind: 'run', doc: b }, label: 'sglang' },
    ])
    expect(data.runs.map((r) => r.label)).toEqual(['vllm', 'sglang'])
    const [against] = data.comparison!.against
    expect(against.run).toBe(1)
    expect(against.levels.map((l) => l.load.value)).toEqual([8, 32])
    const ttft = against.levels[0].figures.find((f) => f.figure === 'ttft.p99')!
    const base = a.levels[1].summary.stats.ttft!.p99
    const value = b.levels[0].summary.stats.ttft!.p99
    expect([ttft.base, ttft.next]).toEqual([base, value])
    expect(ttft.change).toBeCloseTo(value / base - 1, 9)
    expect(ttft.interval[0]).toBeLessThanOrEqual(ttft.change)
    expect(ttft.interval[1]).toBeGreaterThanOrEqual(ttft.change)
    expect(against.levels[0].figures.find((f) => f.figure === 'goodput')?.changeKind).toBe('points')
    expect(against.unmatched.map((u) => u.load?.value)).toEqual([1])
    // The later run's headline leads with its verdict.
    expect(data.runs[1].scenarios[0].headline?.lines[0].text).toBe(`Against the baseline: ${against.headline}.`)
    expect(compareRuns([{ kind: 'run', doc: a }]).against).toEqual([])
  })

  it('thins telemetry to a few hundred points, keeping spikes', () => {
    const doc = syntheticRunResult({ requests: 20, concurrency: [1] })
    const points: Array<[number, number]> = Array.from({ length: 5000 }, (_, i) => [1000 + i * 10, i === 2345 ? 99 : 1])
    doc.telemetry = [{ source: 'server', name: 'vllm:num_requests_running', label: 'running requests', points }]
    const thinned = buildReportData([{ result: { kind: 'run', doc } }]).runs[0].scenarios[0].telemetry![0]
    expect(thinned.points.length).toBeLessThanOrEqual(400)
    expect(thinned.points).toContainEqual([1000 + 2345 * 10, 99])
    const times = thinned.points.map((p) => p[0])
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })

  it('draws objectives and goodput bounds as lines on their charts', () => {
    const suite = syntheticSuiteResult({ requests: 100, concurrency: [4], slo: { ttft: 300, itl: 80 } })
    const targets = buildReportData([{ result: { kind: 'suite', doc: suite } }]).runs[0].scenarios[0].targets
    expect(targets).toEqual([
      { chart: 'ttft', value: 800, label: 'ttft.p95 < 800', kind: 'objective' },
      { chart: 'goodput', value: 0.9, label: 'goodput >= 0.9', kind: 'objective' },
      { chart: 'ttft', value: 300, label: 'goodput bound: ttft ≤ 300', kind: 'slo' },
      { chart: 'itl', value: 80, label: 'goodput bound: max token gap ≤ 80', kind: 'slo' },
    ])
  })
})

describe('history', () => {
  it('saves results under names that sort in time order, and lists them oldest first', () => {
    const dir = tmp()
    const days = ['2026-03-02', '2026-03-01', '2026-03-03']
    for (const [i, day] of days.entries()) saveToHistory(dir, syntheticRunResult({ requests: 20, concurrency: [1, 4], seed: i, startedAt: `${day}T10:00:00.000Z` }))
    saveToHistory(dir, syntheticSuiteResult({ requests: 20, concurrency: [4], startedAt: '2026-03-04T10:00:00.000Z' }))
    writeFileSync(join(dir, 'notes.json'), '{"not": "a result"}')
    writeFileSync(join(dir, 'readme.txt'), 'ignored')
    const names = readdirSync(dir).filter((n) => n.startsWith('2026'))
    expect(names).toHaveLength(4)
    for (const n of names) expect(n).toMatch(/^2026-03-0\dT10-00-00-000Z-[0-9a-f]{6}\.json$/)

    const { runs, skipped } = loadHistory(dir)
    expect(runs.map((r) => r.result.doc.startedAt.slice(0, 10))).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'])
    expect(skipped).toEqual([{ file: 'notes.json', reason: expect.stringContaining('is not an llmbench result') }])

    const h = historyData(dir)
    expect(h.entries.map((e) => e.source)).toEqual(['run', 'run', 'run', 'suite'])
    expect(h.entries[3].status).toBe('passed')
    const run = h.scenarios.find((s) => s.key === 'run > synthetic-model, 256 in / 128 out (chat)')!
    expect(run.series.map((s) => s.load)).toEqual([1, 4])
    expect(run.series[1].points.map((p) => p.run)).toEqual([0, 1, 2])
    expect(run.series[1].points[0].ttftP99).toBe(runs[0].result.kind === 'run' ? runs[0].result.doc.levels[1].summary.stats.ttft!.p99 : NaN)
    expect(h.scenarios.find((s) => s.key === 'load.bench.ts > release gate > chat under load')!.series[0].points).toHaveLength(1)
    expect(loadHistory(join(dir, 'missing'))).toEqual({ runs: [], skipped: [] })
  })

  it('is on by default; flags, then LLMBENCH_HISTORY, then the config decide', () => {
    const base = '/p'
    expect(historyDir(base, {}, {}, {})).toBe('/p/.llmbench/history')
    expect(historyDir(base, { enabled: false }, {}, {})).toBeUndefined()
    expect(historyDir(base, { dir: 'h' }, { enabled: false }, { LLMBENCH_HISTORY: '0' })).toBe('/p/h')
    expect(historyDir(base, {}, {}, { LLMBENCH_HISTORY: 'off' })).toBeUndefined()
    expect(historyDir(base, {}, { enabled: false }, { LLMBENCH_HISTORY: '1' })).toBe('/p/.llmbench/history')
    expect(historyDir(base, {}, { enabled: false }, {})).toBeUndefined()
    expect(historyDir(base, {}, { dir: 'runs' }, {})).toBe('/p/runs')
    expect(historyDir(base, { enabled: true }, {}, { LLMBENCH_HISTORY: '0' })).toBe('/p/.llmbench/history')
  })
})

describe('reading results', () => {
  it('tells run and suite results apart and rejects anything else in one line', () => {
    expect(classifyResult(syntheticRunResult({ requests: 4, concurrency: [1] }), 'a.json').kind).toBe('run')
    expect(classifyResult(syntheticSuiteResult({ requests: 4, concurrency: [1] }), 'b.json').kind).toBe('suite')
    const bad: Array<[unknown, RegExp]> = [
      [[1, 2], /^x\.json is not an llmbench result \(not a JSON object\): pass a result JSON written by/],
      [{ levels: [] }, /^x\.json is not an llmbench result \(it has no schemaVersion with levels or files\)/],
      [{ schemaVersion: 3, files: [] }, /^x\.json has schemaVersion 3, but llmbench .* reads version 2: build the report with the llmbench version that wrote the file$/],
    ]
    for (const [doc, message] of bad) {
      let err: unknown
      try {
        classifyResult(doc, 'x.json')
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(UsageError)
      expect((err as Error).message).toMatch(message)
      expect((err as Error).message).not.toContain('\n')
    }
  })
})

describe('scenario fields', () => {
  const v2 = {
    server: 'http://gpu-1:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [1, 8], rate: [5, 20], requests: 100,
    input: { tokens: 256, spread: 0.1 }, output: { tokens: 128 }, timeout: 30_000, headers: { 'x-team': '***' }, body: {},
    slo: { goodput: { ttft: 500, tpot: 50, min: 0.9 } }, duration: '1m30s', arrival: 'poisson', shard: { index: 0, count: 2 }, startAt: 1,
  }
  const v1 = {
    server: 'http://gpu-1:8000/v1', model: 'm', endpoint: 'chat', stream: false, concurrency: [8, 1], numPrompts: 100, warmup: null, inputLen: 256, outputLen: 128,
    ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 30_000, seed: 0, headerNames: ['x-team'], body: {}, goodput: { ttft: 500 },
  }

  it('reads a scenario as version 2 records it, and as version 1 did', () => {
    expect(scenarioFields(v2)).toMatchObject({ kind: 'rate', mode: 'rate', loads: [5, 20], durationMs: 90_000, inputTokens: 256, outputTokens: 128, timeoutMs: 30_000,
      headerNames: ['x-team'], goodput: { bounds: { ttft: 500, tpot: 50 }, min: 0.9 } })
    expect(settingsLine(scenarioFields(v2))).toBe('rate 5, 20 req/s · 256 in / 128 out · 90 s a level · chat')
    expect(scenarioFields(v1)).toMatchObject({ kind: 'concurrency', loads: [1, 8], requests: 100, inputTokens: 256, outputTokens: 128, timeoutMs: 30_000, headerNames: ['x-team'], goodput: { bounds: { ttft: 500 } } })
    expect(settingsLine(scenarioFields(v1))).toBe('concurrency 1, 8 · 256 in / 128 out · 100 requests a level · chat, not streamed')
  })

  it('gives the API body that runs a scenario again: a configured server by name, no header values, no shard', () => {
    const servers = [{ name: 'vllm', url: 'http://gpu-1:8000' }]
    const { headers: _h, shard: _s, startAt: _t, ...kept } = v2
    expect(runBody(v2, servers)).toEqual({ ...kept, server: 'vllm' })
    expect(runBody(v1, servers)).toEqual({ server: 'vllm', model: 'm', endpoint: 'chat', stream: false, concurrency: [1, 8], requests: 100, input: { tokens: 256 }, output: { tokens: 128 }, slo: { goodput: { ttft: 500 } } })
  })
})
