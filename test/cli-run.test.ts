import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import { runCli, startCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

let sim: Simulator
const dir = mkdtempSync(join(tmpdir(), 'llmbench-cli-'))
// A fast engine keeps the suite short; the batching model still makes latency grow with load.
const fast = { decodeBaseMs: 2, decodeMsPerSeq: 0.05, prefillBaseMs: 1, prefillMsPerToken: 0.01, model: 'sim-small' }

beforeAll(async () => {
  sim = await startSimulator(fast)
})
afterAll(async () => {
  await sim.close()
})

const base = () => ['run', '--server', sim.url, '--model', 'sim-small', '--input-len', '32', '--output-len', '16', '--num-prompts', '12']

describe('llmbench run against the simulator', () => {
  it('runs several levels, prints the tables and goodput, and writes a schema-valid result', async () => {
    const out = join(dir, 'result.json')
    const r = await runCli([...base(), '--concurrency', '1,4', '--goodput', 'ttft:5000,tpot:1000', '--description', 'nightly, small model', '--output', out])
    expect(r.stderr).not.toMatch(/Error|at .*\.js/)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Level concurrency 1: 12/12 succeeded')
    expect(r.stdout).toContain('Level concurrency 4: 12/12 succeeded')
    expect(r.stdout).toMatch(/Goodput: 100\.0% \(12\/12 requests met SLO\)\n {2}- TTFT ≤ 5000ms: 12\/12\n {2}- TPOT ≤ 1000ms: 12\/12/)
    expect(r.stdout).toContain('Summary (latencies in ms)')

    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.levels.map((l) => l.summary.load.value)).toEqual([1, 4])
    for (const level of result.levels) {
      const s = level.summary
      expect(s.requests).toMatchObject({ total: 12, succeeded: 12, failed: 0 })
      expect(s.outputTokensSource).toEqual({ usage: 12 })
      expect(s.stats.outputTokens?.mean).toBe(16)
      expect(s.stats.ttft!.p50).toBeGreaterThan(0)
      expect(s.goodput?.ratio).toBe(1)
      const measured = level.records.filter((x) => !x.warmup)
      expect(measured).toHaveLength(12)
      for (const rec of measured) {
        expect(rec.tokenTimes).toHaveLength(16)
        // The server's usage count of the chat prompt (template tokens included) wins over ours.
        expect(rec.inputTokensSource).toBe('usage')
      }
    }
    expect(result.levels[1].summary.concurrency.maxInFlight).toBe(4)
    expect(result.scenario).toMatchObject({ model: 'sim-small', concurrency: [1, 4], input: { tokens: 32 }, output: { tokens: 16 } })
    // An option declared once (options/scenario.ts) is a flag, checked, and recorded in the result.
    expect(result.scenario.description).toBe('nightly, small model')
    expect(result.scenario.slo).toEqual({ goodput: { ttft: 5000, tpot: 1000 } })
  })

  it('writes the result and its records file into folders it makes', async () => {
    const out = join(dir, 'new', 'folder', 'r.json')
    const r = await runCli([...base(), '--concurrency', '1', '--num-prompts', '2', '--output', out])
    expect(r.code).toBe(0)
    expect(schemaErrors(JSON.parse(readFileSync(out, 'utf8')))).toEqual([])
    expect(existsSync(join(dir, 'new', 'folder', 'r.records.jsonl'))).toBe(true)
  })

  it('measures non-streamed requests without TTFT, TPOT or ITL', async () => {
    const out = join(dir, 'nostream.json')
    const r = await runCli([...base(), '--no-stream', '--concurrency', '2', '--output', out])
    expect(r.code).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    const stats = result.levels[0].summary.stats
    expect(stats.e2e?.count).toBe(12)
    expect(stats.ttft).toBeUndefined()
    expect(stats.tpot).toBeUndefined()
    expect(stats.itl).toBeUndefined()
  })

  it('detects the model from /v1/models when --model is left out', async () => {
    const r = await runCli(['run', '--server', sim.url, '--input-len', '8', '--output-len', '4', '--num-prompts', '2'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('llmbench run: sim-small at')
  })

  it('--endpoint auto asks the server which API it speaks and says what it found', async () => {
    const r = await runCli(['run', '--server', sim.url, '--endpoint', 'auto', '--input-len', '8', '--output-len', '4', '--num-prompts', '2'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('answered GET /v1/models: using --endpoint chat')
    expect(r.stdout).toContain('sim-small at')
  })

  it('keeps API keys and header values out of the result file', async () => {
    const out = join(dir, 'secret.json')
    const r = await runCli([...base(), '--api-key', 'sk-very-secret-key', '--header', 'X-Team-Token: hunter2-token', '--output', out])
    expect(r.code).toBe(0)
    const text = readFileSync(out, 'utf8')
    expect(text).not.toContain('sk-very-secret-key')
    expect(text).not.toContain('hunter2-token')
    expect(JSON.parse(text).scenario.headers).toEqual({ 'x-team-token': '***' })
    expect(r.stdout + r.stderr).not.toContain('sk-very-secret-key')
  })
})

describe('llmbench run interrupted by Ctrl-C', () => {
  it('stops, keeps what was measured, writes the result marked interrupted, and exits 130', async () => {
    const out = join(dir, 'interrupted.json')
    // Long outputs so requests are in flight when the signal comes.
    const run = startCli(['run', '--server', sim.url, '--model', 'sim-small', '--input-len', '16', '--output-len', '4000',
      '--num-prompts', '8', '--concurrency', '4', '--warmup', '0', '--output', out])
    // The measured requests are out and streaming: every slot has had time for tokens.
    await run.printed(/concurrency 4: running 8 requests/)
    await new Promise((r) => setTimeout(r, 700))
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stderr).toContain('Stopping')
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.interrupted).toBe(true)
    const level = result.levels[0]
    expect(level.summary.errors.aborted).toBe(4)
    // Nothing new was sent after the signal: only the four requests in flight.
    expect(level.records).toHaveLength(4)
    expect(level.records.every((x) => x.outcome === 'aborted' && (x.tokenTimes?.length ?? 0) > 0)).toBe(true)
  })
})

describe('llmbench run refuses bad input with one line and exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['concurrency 0', ['--concurrency', '0'], /--concurrency must be a whole number of at least 1, got "0"/],
    ['a goodput bound that is not a number', ['--goodput', 'ttft:abc'], /--goodput: .*ttft/],
    ['an unknown goodput key', ['--goodput', 'latency:5'], /--goodput: .*latency/],
    ['a TTFT objective without streaming', ['--no-stream', '--goodput', 'ttft:500'], /--goodput: .*stream/i],
    ['an unknown flag', ['--concurrancy', '4'], /concurrancy/],
    ['an unknown endpoint', ['--endpoint', 'foo'], /endpoint/],
  ]
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await runCli([...base(), ...args])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stdout).not.toContain('Level')
    })
  }

  it('more streams than the process may open files, before the server is asked anything', async () => {
    // A hard limit of 4,096 for this run only (lowering it needs no privilege); node starts at it.
    const bin = fileURLToPath(new URL('../bin/llmbench.js', import.meta.url))
    const r = spawnSync('sh', ['-c', `ulimit -n 4096 && exec "${process.execPath}" "${bin}" run --server http://127.0.0.1:9 --model x --concurrency 5000`], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('llmbench: 5000 concurrent streams need about 5064 open files, but this process may open 4096: raise the hard limit ' +
      '(ulimit -Hn 65536 as root, nofile in /etc/security/limits.conf, LimitNOFILE= for a systemd service, --ulimit nofile= for a container), or lower the concurrency\n')
  })

  it('an unreachable server, naming the URL and the cause, before any level', async () => {
    const r = await runCli(['run', '--server', 'http://127.0.0.1:9', '--model', 'x', '--num-prompts', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('an unknown model, with the server\'s own message', async () => {
    const r = await runCli([...base(), '--model', 'no-such-model'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/does not serve model "no-such-model": The model `no-such-model` does not exist\./)
  })

  it('writes no result file when the run could not start', async () => {
    const out = join(dir, 'never.json')
    await runCli([...base(), '--model', 'no-such-model', '--output', out])
    expect(existsSync(out)).toBe(false)
  })
})
