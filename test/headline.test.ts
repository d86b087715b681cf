// The headline: what it says for the cases a reader asks about, and that every place that prints
// it (report data, the dashboard's run list, the console's closing summary, the GitHub step
// summary) prints the same lines.
import { describe, expect, it } from 'vitest'
import { githubSummary } from '../reporters/github.js'
import { SuiteConsoleReporter } from '../reporters/suite-console.js'
import { buildReportData } from '../src/report/data.js'
import { headline, headlineText, runHeadline } from '../src/report/headline.js'
import { describeResult } from '../src/report/digest.js'
import { runOfResult } from '../src/store/store.js'
import type { LevelSummary, Stats } from '../src/results/types.js'
import { syntheticRunResult } from '../bench/synthetic-result.js'
import { captureStream, levelSummary, suiteResult } from './fixtures/reporters/suite.js'

const stats = (p99: number): Stats => ({ count: 100, mean: p99 / 2, std: 1, min: 1, max: p99 * 1.1, p50: p99 / 2, p90: p99 * 0.8, p95: p99 * 0.9, p99, p999: p99 })

/** A level at `load` with a goodput share and a TTFT p99. */
function level(load: number, ratio: number, ttftP99: number, over: Partial<LevelSummary> = {}): LevelSummary {
  const base = levelSummary(load)
  return {
    ...base,
    stats: { ...base.stats, ttft: stats(ttftP99) },
    goodput: { ...base.goodput!, ratio, good: Math.round(ratio * 100) },
    ...over,
  }
}

describe('the headline', () => {
  it('finds the capacity and where latency breaks, whatever order the levels ran in', () => {
    // A sweep runs its probes out of order: 16, 24, 20, 8.
    const levels = [level(16, 0.95, 450), level(24, 0.71, 612), level(20, 0.8, 530), level(8, 1, 200)]
    const h = headline({ levels, goodput: { bounds: { ttft: 500 }, min: 0.9 }, status: 'measured' })
    expect(headlineText(h)).toEqual([
      'Measured: goodput ≥ 90% at 2 of 4 levels.',
      'Capacity: goodput ≥ 90% up to concurrency 16 (at 20: goodput 80%); TTFT p99 crosses 500 ms at concurrency 20 (530 ms).',
      'Peak throughput: 30,720 output tok/s (240 req/s) at concurrency 24, still rising at the highest load run.',
      'Load generator: kept up at every level (event-loop delay p99 ≤ 1.2 ms, CPU ≤ 20%).',
    ])
    expect([h.capacity, h.firstFailing]).toEqual([16, 20])
  })

  it('says when no level met the objectives, and when every one did', () => {
    const none = headline({ levels: [level(1, 0.5, 100), level(4, 0.2, 100)], goodput: { bounds: { ttft: 500 }, min: 0.9 } })
    expect(none.lines[1]).toEqual({ kind: 'capacity', tone: 'bad', text: 'Capacity: no level met goodput ≥ 90% (at concurrency 1: goodput 50%).' })
    expect(none.capacity).toBeNull()
    const all = headline({ levels: [level(1, 1, 100), level(4, 0.95, 100)], goodput: { bounds: { ttft: 500 }, min: 0.9 } })
    expect(all.lines[1].text).toBe('Capacity: goodput ≥ 90% held at every level, up to concurrency 4.')
    expect([all.capacity, all.firstFailing]).toEqual([4, null])
  })

  it('leads with the failed checks of a bench file', () => {
    const h = headline({
      levels: [level(1, 1, 100), level(50, 1, 100)],
      status: 'failed',
      checks: [
        { name: 'ttft.p95 < 800 @ concurrency 1', kind: 'objective', passed: true, level: 1, metric: 'ttft.p95', expected: '< 800', actual: 90 },
        { name: 'ttft.p95 < 800 @ concurrency 50', kind: 'objective', passed: false, level: 50, metric: 'ttft.p95', expected: '< 800', actual: 912.3 },
      ],
    })
    expect(h.lines[0]).toEqual({ kind: 'verdict', tone: 'bad', text: 'Failed: 1 of 2 checks; first: ttft.p95 = 912.3 at concurrency 50, expected < 800.' })
    expect(h.lines[1].text).toBe('Capacity: every objective up to concurrency 1 (at 50: ttft.p95 = 912.3, expected < 800).')
  })

  it('says a saturated rate plainly, as a finding about the server', () => {
    const rate = (value: number, served: number, growth: number, waiting: number) => {
      const base = levelSummary(1)
      return {
        ...base,
        load: { kind: 'rate' as const, value, arrival: 'poisson' as const },
        throughput: { ...base.throughput, requestsPerSec: served },
        schedule: { targetRate: value, scheduledRate: value, achievedRate: value, clientLag: stats(1), waitedForSlot: 0, behind: false, latencyGrowth: growth, waitingAtEnd: waiting },
      }
    }
    const h = headline({ levels: [rate(20, 13.8, 3.7, 150), rate(5, 4.9, 1.02, 6), rate(40, 14, 6, 420)] })
    expect(h.lines.find((l) => l.kind === 'saturation')?.text).toBe('Saturated at 20 req/s and above: the server served 13.8 of the 20 req/s offered; 150 requests were waiting at the end.')
    expect(h.lines.find((l) => l.kind === 'peak')?.text).not.toContain('still rising')
    expect(headlineText(h).join('\n')).not.toMatch(/client fell behind/)
  })

  it('names the levels where the load generator was the bottleneck', () => {
    const h = headline({ levels: [level(1, 1, 100), level(256, 1, 100, { client: { eventLoopDelayP99Ms: 12.34, cpuPercent: 60 } })] })
    expect(h.lines.at(-1)).toEqual({
      kind: 'client', tone: 'warn', text: 'Load generator: the bottleneck at concurrency 256 (event-loop delay p99 12.3 ms): figures there include its own delay.',
    })
  })

  it('leads with a comparison verdict when one is given', () => {
    const h = headline({ levels: [level(1, 1, 100)], comparison: { regressed: 2, summary: '2 regressions (TTFT p99 +18% [+11%, +26%] at concurrency 32), 41 equivalent' } })
    expect(h.lines[0]).toEqual({ kind: 'verdict', tone: 'bad', text: 'Against the baseline: 2 regressions (TTFT p99 +18% [+11%, +26%] at concurrency 32), 41 equivalent.' })
  })
})

describe('every place prints the same headline', () => {
  /** The lines under a scenario's name in the console's closing summary. */
  function consoleLines(text: string, name: string): string[] {
    const lines = text.split('\n')
    const at = lines.findIndex((l) => l.endsWith(` ${name}`) && !l.includes('('))
    const out: string[] = []
    for (const l of lines.slice(at + 1)) {
      if (!l.startsWith('  ')) break
      out.push(l.slice(2))
    }
    return out
  }
  /** The bullets under a scenario's heading in the step summary, Markdown escapes undone. */
  function markdownLines(md: string, name: string): string[] {
    const section = md.slice(md.indexOf(name.replace(/>/g, '\\>')))
    const out: string[] = []
    for (const l of section.split('\n').slice(2)) {
      if (!l.startsWith('- ')) break
      out.push(l.slice(2).replace(/\\(.)/g, '$1'))
    }
    return out
  }

  it('for a suite: report data, run list, console and GitHub step summary', () => {
    const suite = suiteResult()
    const report = buildReportData([{ result: { kind: 'suite', doc: suite } }])
    const stored = runOfResult('x', { kind: 'suite', doc: suite }, 'upload', describeResult({ kind: 'suite', doc: suite }))
    const closing = new SuiteConsoleReporter({ stdout: captureStream(false), env: {} }).finalSummary(suite)
    const md = githubSummary(suite)
    const measured = report.runs[0].scenarios.filter((s) => s.levels.length)
    expect(measured).toHaveLength(2)
    for (const s of measured) {
      const lines = headlineText(s.headline)
      expect(lines.length).toBeGreaterThanOrEqual(3)
      const name = `${s.file} > ${suite.files[0].scenarios.find((x) => x.name === s.name)!.id}`
      expect(consoleLines(closing, name)).toEqual(lines)
      expect(markdownLines(md, name)).toEqual(lines)
      expect(stored.digest!.find((d) => d.key === s.key)!.headline.map((l) => l.text)).toEqual(lines)
    }
  })

  it('for a `llmbench run` result: report data and run list', () => {
    const doc = syntheticRunResult({ requests: 300, concurrency: [8, 1, 32], seed: 3 })
    const lines = headlineText(runHeadline(doc))
    expect(lines[0]).toMatch(/^Measured: goodput from [\d.]+% to [\d.]+% across levels \(no share to reach was set\)\.$/)
    expect(lines.find((l) => l.startsWith('Peak throughput:'))).toMatch(/at concurrency 32/)
    expect(headlineText(buildReportData([{ result: { kind: 'run', doc } }]).runs[0].scenarios[0].headline)).toEqual(lines)
    expect(runOfResult('x', { kind: 'run', doc }, 'api', describeResult({ kind: 'run', doc })).digest![0].headline.map((l) => l.text)).toEqual(lines)
  })
})
