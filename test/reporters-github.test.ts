// The GitHub Actions reporter: exact workflow commands and their escaping, and the step summary.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createGithubReporter, escapeData, escapeProperty, githubAnnotations, githubSummary } from '../reporters/github.js'
import { CHAT_FILE, captureStream, chatFile, passing, scenario, suiteResult } from './fixtures/reporters/suite.js'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'llmbench-github-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('github reporter', () => {
  it('prints one ::error command per failed check, errored scenario and crashed file', async () => {
    const out = captureStream()
    await createGithubReporter({ root: '/repo', stdout: out, env: {} }).onRunEnd?.(suiteResult())
    expect(out.text).toBe([
      `::error file=bench/chat.bench.ts,line=21,col=7,title=qwen > long prompts::ttft.p95 was 912.3 > 800 <&"'> at 50%25%0D%0Asee: a,b`,
      '::error file=bench/chat.bench.ts,title=qwen > long prompts::expected 0.02 to be 0',
      '::error file=bench/chat.bench.ts,line=30,col=3,title=qwen > tools::connect ECONNREFUSED 127.0.0.1:8001',
      '::error file=bench/broken.bench.ts,line=3,col=1,title=bench/broken.bench.ts::Cannot find module "./prompts.js"',
      '',
    ].join('\n'))
  })

  it('escapes data and properties by GitHub\'s rules', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b')
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae')
    const s = scenario({
      name: 'x: y, z',
      status: 'failed',
      checks: [{ name: 'c', kind: 'assertion', passed: false, message: '50%\nmore\x1b[31m red\x1b[0m', location: { file: 'dir,1/a:b.bench.ts', line: 4 } }],
    })
    const [line] = githubAnnotations(suiteResult([{ ...chatFile, scenarios: [s] }]))
    expect(line).toBe('::error file=dir%2C1/a%3Ab.bench.ts,line=4,title=qwen > x%3A y%2C z::50%25%0Amore red')
  })

  it('makes paths relative to $GITHUB_WORKSPACE when the project lives below it', async () => {
    const out = captureStream()
    const s = scenario({ name: 'n', status: 'failed', checks: [{ name: 'c', kind: 'objective', passed: false, message: 'm' }] })
    await createGithubReporter({ root: '/ws/packages/bench', stdout: out, env: { GITHUB_WORKSPACE: '/ws' } }).onRunEnd?.(suiteResult([{ ...chatFile, scenarios: [s] }]))
    expect(out.text).toBe('::error file=packages/bench/bench/chat.bench.ts,title=qwen > n::m\n')
  })

  it('prints nothing when everything passed', async () => {
    const out = captureStream()
    await createGithubReporter({ root: '/repo', stdout: out, env: {} }).onRunEnd?.(suiteResult([{ ...chatFile, scenarios: [passing] }]))
    expect(out.text).toBe('')
  })

  it('appends a Markdown summary to $GITHUB_STEP_SUMMARY', async () => {
    const summary = join(tmp(), 'step-summary.md')
    writeFileSync(summary, '# earlier step\n')
    await createGithubReporter({ root: '/repo', stdout: captureStream(), env: { GITHUB_STEP_SUMMARY: summary } }).onRunEnd?.(suiteResult())
    const md = readFileSync(summary, 'utf8')
    expect(md.startsWith('# earlier step\n## llmbench\n')).toBe(true)
    expect(md).toContain('**Scenarios:** 1 passed | 1 failed | 1 error | 1 skipped | 1 todo · **Checks:** 4 passed | 2 failed')
    expect(md).toContain([
      `### ✅ ${CHAT_FILE} \\> qwen \\> chat`,
      '',
      '- Passed: all 3 objectives and assertions held.',
      '- Capacity: goodput ≥ 90% and every objective held at every level, up to concurrency 10.',
      '- Peak throughput: 12,800 output tok/s (100 req/s) at concurrency 10, still rising at the highest load run.',
      '- Load generator: kept up at every level (event-loop delay p99 ≤ 1.2 ms, CPU ≤ 20%).',
      '',
      '| level | req/s | TTFT p50 (ms) | TTFT p99 (ms) | TPOT p50 (ms) | TPOT p99 (ms) | goodput | verdict |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      '| concurrency 1 | 10.00 | 42.0 | 79.8 | 12.50 | 23.75 | 95.0% | ✅ pass |',
      '| concurrency 10 | 100.00 | 60.0 | 114.0 | 12.50 | 23.75 | 95.0% | ✅ pass |',
    ].join('\n'))
    expect(md).toContain('| concurrency 50 | 500.00 | 140.0 | 266.0 | 12.50 | 23.75 | 95.0% | ❌ fail |')
    expect(md).toContain(`- ❌ ttft.p95 \\< 800 @ concurrency 50: ttft.p95 was 912.3 \\> 800 \\<\\&"'\\> at 50% see: a,b (bench/chat.bench.ts:21:7)`)
    expect(md).toContain('- ❌ expect(result.level(50).errorRate).toBe(0): expected 0.02 to be 0')
    expect(md).toContain('### 💥 bench/broken.bench.ts crashed\n\nCannot find module "./prompts.js" (bench/broken.bench.ts:3:1)')
    expect(md).toContain('_skipped_')
    expect(githubSummary(suiteResult())).toBe(md.slice('# earlier step\n'.length))
  })

  it('writes no summary without $GITHUB_STEP_SUMMARY', async () => {
    const dir = tmp()
    await createGithubReporter({ root: dir, stdout: captureStream(), env: {} }).onRunEnd?.(suiteResult())
    expect(existsSync(join(dir, 'step-summary.md'))).toBe(false)
  })

  it('keeps a table cell whole when a name holds a pipe', () => {
    const s = scenario({ name: 'a | b', levels: passing.levels, checks: [] })
    const md = githubSummary(suiteResult([{ ...chatFile, scenarios: [s] }]))
    expect(md).toContain('### ✅ bench/chat.bench.ts \\> qwen \\> a \\| b')
    expect(md).toContain('| concurrency 1 | 10.00 | 42.0 | 79.8 | 12.50 | 23.75 | 95.0% | — |')
  })
})
