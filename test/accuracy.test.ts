/**
 * Accuracy against a scripted server with exact, known timing (bench/exact-server.js): first
 * token 200 ms after the request arrives, then one token every 20 ms. Server and client run
 * in their own processes, as in real use (the CLI, not the test runner's busy process, does
 * the measuring), and the server records when it actually wrote each event, on the same
 * monotonic clock as the client, so the client's own error is measured, not guessed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LevelResult, RunResult } from '../src/results/types.js'
import { startExactServer, type ExactServer, type ExactTrace } from './helpers/exact-server.js'
import { runCli } from './helpers/cli.js'

const TTFT = 200
const ITL = 20
const TOKENS = 24
const LEVELS: Array<[concurrency: number, requests: number]> = [[1, 6], [64, 128]]

let server: ExactServer
const levels: LevelResult[] = []
const traces: Array<Record<string, ExactTrace>> = []

beforeAll(async () => {
  server = await startExactServer(TTFT, ITL)
  const dir = mkdtempSync(join(tmpdir(), 'llmbench-acc-'))
  // One run per level: the server's record is collected (and cleared) after each.
  for (const [i, [concurrency, requests]] of LEVELS.entries()) {
    const out = join(dir, `result-${i}.json`)
    const r = await runCli(['run', '--server', server.url, '--model', server.model, '--concurrency', String(concurrency),
      '--num-prompts', String(requests), '--input-len', '64', '--output-len', String(TOKENS), '--output', out])
    expect(r.code, r.stderr).toBe(0)
    levels.push((JSON.parse(readFileSync(out, 'utf8')) as RunResult).levels[0])
    traces.push(await server.trace())
  }
}, 90_000)
afterAll(async () => {
  await server.stop()
})

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]
const p95 = (xs: number[]) => quantile(xs, 0.95)
const p99 = (xs: number[]) => quantile(xs, 0.99)

for (const [li, [concurrency, requests]] of LEVELS.entries()) {
  describe(`at concurrency ${concurrency}`, () => {
    const level = (): LevelResult => levels[li]
    const measured = () => level().records.filter((r) => !r.warmup)
    const writesOf = (index: number): ExactTrace => traces[li][`llmbench-L0-${index}`]

    it('every request succeeds with every token', () => {
      expect(level().summary.requests).toMatchObject({ total: requests, succeeded: requests })
      expect(level().summary.stats.outputTokens?.min).toBe(TOKENS)
    })

    // Single samples on a shared 2-core machine can be off by a few ms either way (the server
    // too can be preempted between write() and reading its clock), so these checks use the mean
    // and the 95th percentile; the tails are figures of bench/client-overhead.js.
    it('adds under 2 ms on average (p95 under 5 ms) to the arrival of each first token the server wrote', () => {
      const lags = measured().map((r) => r.firstTokenAt! - writesOf(r.index).writes[0])
      expect(Math.min(...lags)).toBeGreaterThan(-3)
      expect(mean(lags)).toBeLessThan(2)
      expect(p95(lags)).toBeLessThan(5)
    })

    it('measures TTFT within 5 ms of the truth: the server\'s first write after the request was sent', () => {
      const errors = measured().map((r) => Math.abs((r.firstTokenAt! - r.sentAt) - (writesOf(r.index).writes[0] - r.sentAt)))
      expect(p95(errors)).toBeLessThan(5)
      expect(mean(errors)).toBeLessThan(2)
      expect(Math.abs(level().summary.stats.ttft!.mean - mean(measured().map((r) => writesOf(r.index).writes[0] - r.sentAt)))).toBeLessThan(5)
    })

    it(`measures TTFT near the server's schedule (${TTFT} ms after it received the request)`, () => {
      // On top of the schedule: the request's trip to the server and the server's own lateness,
      // both real parts of TTFT; when 64 requests land at once the server reads them in turn.
      const ttft = level().summary.stats.ttft!
      expect(ttft.min).toBeGreaterThanOrEqual(TTFT)
      expect(ttft.mean - TTFT).toBeLessThan(10)
    })

    it(`measures mean ITL and TPOT within 1 ms of ${ITL} ms`, () => {
      expect(Math.abs(level().summary.stats.itl!.mean - ITL)).toBeLessThan(1)
      expect(Math.abs(level().summary.stats.tpot!.mean - ITL)).toBeLessThan(1)
    })

    // The tail of this error is a performance figure (bench/client-overhead.js, docs/performance.md);
    // here a loose bound only catches gross errors such as events stamped together.
    it('reproduces the gaps between the server\'s writes (mean error under 2 ms, p99 under 10 ms)', () => {
      const errors: number[] = []
      for (const r of measured()) {
        const w = writesOf(r.index).writes
        const t = r.tokenTimes!
        for (let i = 1; i < t.length; i++) errors.push(Math.abs((t[i] - t[i - 1]) - (w[i] - w[i - 1])))
      }
      expect(mean(errors)).toBeLessThan(2)
      expect(p99(errors)).toBeLessThan(10)
    })
  })
}
