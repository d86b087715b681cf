import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simulatorOptionsOf } from '../src/cli/simulator-args.js'
import type { RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'

describe('llmbench run --simulator-args', () => {
  it('reads the flags of llmbench simulate, with or without their dashes', () => {
    expect(simulatorOptionsOf('prefix-cache-tokens=4096 step-jitter=0.1 quirks=reasoning,crlf no-prefix-cache fault=cut=0.05')).toEqual({
      model: 'sim-model', prefixCacheTokens: 4096, stepJitter: 0.1, quirks: ['reasoning', 'crlf'], prefixCache: false, faults: { cut: 0.05 },
    })
    expect(simulatorOptionsOf('--fixed-ttft-ms 150 --fixed-itl-ms 5 --lora-modules a,b')).toEqual({ model: 'sim-model', fixedTtftMs: 150, fixedItlMs: 5, loraModules: ['a', 'b'] })
  })

  it('refuses what the simulator would refuse, and where it listens, in one line', () => {
    expect(() => simulatorOptionsOf('bogus=3')).toThrow(/^--simulator-args: Unknown argument: bogus \(the flags of llmbench simulate --help/)
    expect(() => simulatorOptionsOf('fast')).toThrow(/^--simulator-args: Unknown argument: fast/)
    expect(() => simulatorOptionsOf('port=9000')).toThrow(/--port is not allowed/)
    expect(() => simulatorOptionsOf('--host 0.0.0.0')).toThrow(/--host is not allowed/)
    expect(() => simulatorOptionsOf('fixed-ttft-ms=40')).toThrow(/set both fixedTtftMs and fixedItlMs/)
    expect(() => simulatorOptionsOf('quirks=nope')).toThrow(/unknown quirk "nope"/)
  })

  it('starts the simulator with them: a fixed TTFT the run then measures', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'llmbench-simargs-')), 'result.json')
    // --model names the model the simulator serves.
    const r = await runCli(['run', '--simulator-args', 'fixed-ttft-ms=150 fixed-itl-ms=2', '--model', 'my-model', '--concurrency', '2', '--num-prompts', '4',
      '--input-len', '16', '--output-len', '8', '--no-history', '--output', out])
    expect(r.stderr).not.toMatch(/Error|at .*\.js/)
    expect(r.code).toBe(0)
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(result.levels[0].summary.requests.succeeded).toBe(4)
    const ttft = result.levels[0].summary.stats.ttft!
    expect(ttft.min).toBeGreaterThanOrEqual(150)
    expect(ttft.p50).toBeLessThan(1000)
  })

  it('a bad flag stops the run before anything starts, with exit code 2', async () => {
    const r = await runCli(['run', '--simulator-args=bogus=1', '--num-prompts', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toMatch(/^llmbench: --simulator-args: Unknown argument: bogus/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
