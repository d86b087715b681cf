// The console reporter of `npx llmbench`: progress, level tables, the pass/fail tree, the counts.
import { describe, expect, it } from 'vitest'
import { ReporterDispatcher } from '../reporters/dispatch.js'
import { replayEvents } from '../reporters/replay.js'
import { SuiteConsoleReporter } from '../reporters/suite-console.js'
import { renderLevel, tokenSources } from '../reporters/console.js'
import { githubSummary } from '../reporters/github.js'
import type { SuiteResult } from '../src/results/suite.js'
import { BROKEN_FILE, CHAT_FILE, captureStream, chatFile, levelSummary, passing, suiteResult } from './fixtures/reporters/suite.js'

async function render(result: SuiteResult, isTTY = false, env: NodeJS.ProcessEnv = {}) {
  const out = captureStream(isTTY)
  const stderr = captureStream()
  const d = new ReporterDispatcher([{ name: 'console', reporter: new SuiteConsoleReporter({ stdout: out, env }) }], stderr)
  await d.runStart({ root: '/project', files: result.files.map((f) => f.file), startedAt: result.startedAt })
  for (const e of replayEvents(result)) d.dispatch(e)
  await d.runEnd(result)
  expect(stderr.text).toBe('')
  return out.text
}

const ref = { file: CHAT_FILE, id: passing.id, name: passing.name }

describe('suite console reporter', () => {
  it('prints the pass/fail tree with failed checks indented', async () => {
    const text = await render(suiteResult())
    expect(text).toContain('✓ bench/chat.bench.ts > qwen > chat (3 checks) 22.00s')
    expect(text).toContain([
      '× bench/chat.bench.ts > qwen > long prompts (3 checks) 17.00s',
      '    × ttft.p95 < 800 @ concurrency 50',
      `      → ttft.p95 was 912.3 > 800 <&"'> at 50%`,
      '      see: a,b  (bench/chat.bench.ts:21:7)',
      '    × expect(result.level(50).errorRate).toBe(0)',
      '      → expected 0.02 to be 0',
    ].join('\n'))
    expect(text).toContain('× bench/chat.bench.ts > qwen > tools 50ms\n    Error: connect ECONNREFUSED 127.0.0.1:8001\n      at bench/chat.bench.ts:30:3')
    expect(text).toContain('↓ bench/chat.bench.ts > qwen > later [skipped]')
    expect(text).toContain('↓ bench/chat.bench.ts > qwen > vision [todo]')
    expect(text).toContain(`× ${BROKEN_FILE} [crashed]\n    Error: Cannot find module "./prompts.js"\n      at bench/broken.bench.ts:3:1`)
  })

  it('prints each table once, each scenario\'s headline and the counts at the end', async () => {
    const text = await render(suiteResult())
    expect(text).toContain('Level concurrency 1: 100/100 succeeded in 10.10 s')
    expect(text).toContain('Level concurrency 50: 100/100 succeeded in 16.00 s')
    // Across levels once, after the levels of the one scenario with more than one, never again at the end.
    expect(text.match(/Summary \(latencies in ms\)/g)).toHaveLength(1)
    expect(text.indexOf('Summary (latencies in ms)')).toBeLessThan(text.indexOf('✓ bench/chat.bench.ts > qwen > chat (3 checks)'))
    expect(text.match(/┌/g)).toHaveLength(4)
    const closing = text.slice(text.lastIndexOf('✓ bench/chat.bench.ts > qwen > chat\n'))
    expect(closing).toContain(['✓ bench/chat.bench.ts > qwen > chat', '  Passed: all 3 objectives and assertions held.', '  Capacity: goodput ≥ 90% and every objective held at every level, up to concurrency 10.'].join('\n'))
    expect(closing).toContain('  Failed: 2 of 3 checks; first: ttft.p95 = 912.3 at concurrency 50, expected < 800.')
    expect(closing).not.toContain('┌')
    expect(text).toContain('Failed scenarios (2)')
    const end = text.slice(text.lastIndexOf('Scenarios'))
    expect(end).toBe([
      'Scenarios  1 passed | 1 failed | 1 error | 1 skipped | 1 todo',
      '    Checks  4 passed | 2 failed',
      '   Crashed  bench/broken.bench.ts: Cannot find module "./prompts.js" (bench/broken.bench.ts:3:1)',
      '  Duration  40.25s',
      '',
    ].join('\n'))
  })

  it('names where a failed check was written once, even when its message already says it', async () => {
    const location = { file: CHAT_FILE, line: 21, column: 7 }
    const check = { name: 'ttft.p95 < 800 @ concurrency 50', kind: 'objective' as const, passed: false, level: 50, metric: 'ttft.p95', expected: '< 800', actual: 912.3, location,
      message: `long prompts › concurrency 50: ttft.p95 = 912.3 ms, expected < 800 (${CHAT_FILE}:21)` }
    const files = [{ ...chatFile, scenarios: [{ ...passing, status: 'failed' as const, checks: [check] }] }]
    const text = await render(suiteResult(files))
    expect(text).toContain(`      → long prompts › concurrency 50: ttft.p95 = 912.3 ms, expected < 800 (${CHAT_FILE}:21)\n`)
    expect(text.match(new RegExp(`${CHAT_FILE.replace(/\./g, '\\.')}:21`, 'g'))).toHaveLength(2)
    expect(githubSummary(suiteResult(files)).match(new RegExp(`${CHAT_FILE.replace(/\./g, '\\.')}:21`, 'g'))).toHaveLength(1)
  })

  it('says what the output token counts were counted from', () => {
    expect(tokenSources({ usage: 32 })).toBe("counts from the server's usage for all 32 requests")
    expect(tokenSources({ usage: 30, events: 2 })).toBe("counts from the server's usage for 30 requests, counting stream events for 2 requests")
    expect(renderLevel(levelSummary(4))).toContain("Output tokens per request: mean 134.4 (counts from the server's usage for all 100 requests)")
  })

  it('prints the counts in the form of the brief', async () => {
    const s = (name: string, status: 'passed' | 'failed' | 'skipped') => ({ ...passing, id: name, name, status, checks: [] })
    const checks = Array.from({ length: 14 }, (_, i) => ({ name: `c${i}`, kind: 'objective' as const, passed: i >= 2 }))
    const files = [{ ...chatFile, scenarios: [s('a', 'passed'), s('b', 'passed'), { ...s('c', 'passed'), checks }, s('d', 'failed'), s('e', 'skipped')] }]
    const text = await render(suiteResult(files))
    expect(text).toContain('Scenarios  3 passed | 1 failed | 1 skipped\n')
    expect(text).toContain('Checks  12 passed | 2 failed\n')
    expect(text).not.toContain('Crashed')
  })

  it('writes plain progress lines and no escape codes when not on a terminal', async () => {
    const out = captureStream(false)
    const r = new SuiteConsoleReporter({ stdout: out, env: {} })
    r.onLevelStart(ref, { kind: 'concurrency', value: 10 }, 100)
    r.onLevelProgress({ type: 'level-progress', scenario: ref, load: { kind: 'concurrency', value: 10 }, done: 45, failed: 0, total: 100, ttftP50: 123.4 })
    r.onLevelEnd(ref, levelSummary(10))
    expect(out.text).toMatch(/^ {2}concurrency 10: running 100 requests\nLevel concurrency 10/)
    expect(out.text).not.toContain('\x1b')
    expect(await render(suiteResult())).not.toMatch(/[\x1b\x07\r]/)
  })

  it('redraws one progress line in place on a terminal, with live TTFT p50, and colours', async () => {
    const out = captureStream(true)
    const r = new SuiteConsoleReporter({ stdout: out, env: {} })
    r.onLevelStart(ref, { kind: 'concurrency', value: 10 }, 100)
    r.onLevelProgress({ type: 'level-progress', scenario: ref, load: { kind: 'concurrency', value: 10 }, done: 45, failed: 2, total: 100, ttftP50: 123.44 })
    r.onLevelProgress({ type: 'level-progress', scenario: ref, load: { kind: 'concurrency', value: 10 }, done: 100, failed: 2, total: 100, ttftP50: 130 })
    r.onLevelEnd(ref, levelSummary(10))
    const frames = out.text.split('\r\x1b[2K')
    expect(frames[1]).toMatch(/^ {2}concurrency 10: 0\/100 requests {2}0\.\ds$/)
    expect(frames[2]).toMatch(/^ {2}concurrency 10: 45\/100 requests {2}\d+\.\ds {2}TTFT p50 123\.4 ms {2}2 failed$/)
    expect(frames[3]).toMatch(/^ {2}concurrency 10: 100\/100 requests .*TTFT p50 130\.0 ms/)
    expect(frames[4]).toMatch(/^Level concurrency 10: 100\/100 succeeded/)
    expect(out.text).not.toContain('\n  concurrency 10')

    const text = await render(suiteResult(), true)
    expect(text).toContain('\x1b[32m✓\x1b[0m bench/chat.bench.ts > qwen > chat')
    expect(text).toContain('\x1b[31m×\x1b[0m bench/chat.bench.ts > qwen > long prompts')
    expect(await render(suiteResult(), true, { NO_COLOR: '1' })).not.toContain('\x1b[3')
  })

  it('says when the run was interrupted', async () => {
    const text = await render({ ...suiteResult(), interrupted: true })
    expect(text).toContain('Interrupted: the results cover what ran before Ctrl-C.')
  })
})
