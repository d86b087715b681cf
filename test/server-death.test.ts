/**
 * The server dies in the middle of a run (SIGKILL of the simulator's process): the level ends at
 * once (requests in flight as `disconnect`, the rest refused as `connect`), the remaining levels
 * are not run, what was measured is kept in the result file, and `llmbench run` says so in one
 * line and exits 3.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunResult } from '../src/results/types.js'
import { serverWentAway } from '../src/runner/server-gone.js'
import { startCli } from './helpers/cli.js'
import { schemaErrors, suiteSchemaErrors } from './helpers/schema.js'
import { makeProject } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'

const BIN = fileURLToPath(new URL('../bin/llmbench.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'llmbench-death-'))
let simulator: ChildProcess | undefined

afterEach(() => {
  if (simulator && simulator.exitCode === null && simulator.signalCode === null) simulator.kill('SIGKILL')
  simulator = undefined
})

/** `llmbench simulate --port 0` in its own process; resolves to its URL once it listens. */
function spawnSim(args: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'simulate', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    simulator = child
    let out = ''
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${out}`)), 10_000)
    child.stdout!.on('data', (d) => {
      out += d
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1] })
      }
    })
    child.stderr!.on('data', (d) => (out += d))
    child.on('exit', (code) => reject(new Error(`the simulator exited (${code}): ${out}`)))
  })
}

describe('the server dies during `llmbench run`', () => {
  it('ends the level fast, keeps the figures, skips the remaining levels, says so and exits 3', async () => {
    const sim = await spawnSim()
    const out = join(dir, 'death.json')
    // Long outputs (~18 ms per token: over a minute per request) so requests are in flight when it dies.
    const run = startCli(['run', '--server', sim.url, '--model', 'sim-model', '--input-len', '16', '--output-len', '4000',
      '--num-prompts', '12', '--concurrency', '4,8', '--warmup', '0', '--output', out], {}, 25_000)
    await run.printed(/concurrency 4: running 12 requests/)
    await new Promise((r) => setTimeout(r, 700))
    const killedAt = performance.now()
    sim.child.kill('SIGKILL')
    const r = await run.done
    const afterKill = performance.now() - killedAt
    expect(afterKill).toBeLessThan(10_000)

    expect(r.code).toBe(3)
    const gone = r.stderr.split('\n').filter((l) => l.includes('went away'))
    expect(gone).toHaveLength(1)
    expect(gone[0]).toMatch(new RegExp(`^llmbench: the server at ${sim.url.replace(/[.:/]/g, '\\$&')} went away during the run: at concurrency 4, 12 of 12 requests could not connect or were cut off \\(connect: 8, disconnect: 4\\); the remaining levels were not run; the figures measured so far are in .*death\\.json$`))
    expect(r.stdout).toContain('Level concurrency 4: 0/12 succeeded')
    expect(r.stdout).not.toContain('Level concurrency 8')

    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult
    expect(schemaErrors(result)).toEqual([])
    expect(result.interrupted).toBe(false)
    expect(result.levels).toHaveLength(1)
    const level = result.levels[0]
    expect(level.summary.requests).toMatchObject({ total: 12, succeeded: 0, failed: 12 })
    expect(level.summary.errors).toEqual({ disconnect: 4, connect: 8 })
    const inFlight = level.records.filter((x) => x.outcome === 'disconnect')
    // The four in flight had streamed tokens before the server died: their arrival times are kept.
    expect(inFlight.every((x) => (x.tokenTimes?.length ?? 0) > 0)).toBe(true)
    // The others were refused at once.
    const refused = level.records.filter((x) => x.outcome === 'connect')
    expect(refused.every((x) => x.endAt - x.sentAt < 1000)).toBe(true)
  }, 40_000)
})

describe('the server dies during a bench file', () => {
  it('ends that scenario as an error with its figures kept, skips its remaining levels, and fails the run', async () => {
    const sim = await spawnSim()
    const root = makeProject({
      'death.bench.ts': `import { bench } from 'llmbench'
bench('dies', { server: '${sim.url}', model: 'sim-model', concurrency: [4, 8], requests: 12, warmup: 0, input: { tokens: 16 }, output: { tokens: 4000 } })
`,
    })
    const out = join(root, 'suite.json')
    const run = startCli(['--root', root, '--reporter', 'console', '--reporter', 'json', `--outputFile.json=${out}`], {}, 25_000)
    await run.printed(/concurrency 4: running 12 requests/)
    await new Promise((r) => setTimeout(r, 700))
    sim.child.kill('SIGKILL')
    const r = await run.done
    expect(r.code).not.toBe(0)
    const suite = JSON.parse(readFileSync(out, 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    const scenario = suite.files[0].scenarios[0]
    expect(scenario.status).toBe('error')
    expect(scenario.error?.message).toMatch(/went away during the run: at concurrency 4, 12 of 12 requests .*; the remaining levels were not run/)
    expect(scenario.levels).toHaveLength(1)
    expect(scenario.levels[0].summary.errors).toEqual({ disconnect: 4, connect: 8 })
  }, 40_000)
})

describe('the rule that a server went away', () => {
  const level = (value: number, total: number, errors: Record<string, number>) => ({
    summary: { load: { kind: 'concurrency' as const, value }, requests: { total, succeeded: 0, failed: 0, warmup: 0 }, errors },
    records: [],
  }) as unknown as Parameters<typeof serverWentAway>[0]

  it('needs refused connections and more than half of the level failed that way (or all of the last level)', () => {
    expect(serverWentAway(level(4, 10, { connect: 5, disconnect: 1 }), false)).toMatchObject({ failed: 6, connect: 5, disconnect: 1 })
    expect(serverWentAway(level(4, 10, { connect: 2, disconnect: 3 }), false)).toBeUndefined()
    expect(serverWentAway(level(4, 10, { connect: 1, http: 9 }), true)).toBeUndefined()
    // A server that cuts streams but accepts connections is being measured, not gone.
    expect(serverWentAway(level(4, 10, { disconnect: 10 }), true)).toBeUndefined()
    expect(serverWentAway(level(4, 0, {}), true)).toBeUndefined()
  })
})
