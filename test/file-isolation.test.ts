/**
 * A bench file cannot take the suite down with it: process.exit() at the top or in a callback, an
 * uncaught error in a timer, or a file past its fileTimeout each fail that file (exit 3) while the
 * other files run and the reports are written; and the simulators a file started with
 * spawnSimulator end with it, however it ended.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunResult } from '../src/results/types.js'
import { runCli, startCli } from './helpers/cli.js'
import { makeProject, simBench } from './helpers/project.js'
import type { SuiteResult } from '../src/results/suite.js'
import { suiteSchemaErrors } from './helpers/schema.js'

const run = (root: string, ...args: string[]) => runCli(['--root', root, ...args], {}, 120_000)

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
/** Children the tests started through the bench files: none may outlive a test. */
const started: number[] = []
afterAll(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL')
})

async function gone(pid: number, withinMs = 5_000): Promise<boolean> {
  const until = performance.now() + withinMs
  while (performance.now() < until) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !alive(pid)
}

describe('a bench file that ends its thread', () => {
  it('process.exit() at the top, process.exit() in a callback, an uncaught error: each file crashed, the others run, exit 3, reports written', async () => {
    const root = makeProject({
      'a-exit-top.bench.ts': `import { bench } from 'llmbench'\nprocess.exit(0)\nbench('never', { requests: 1 })\n`,
      'b-exit-later.bench.ts': `import { beforeAll, bench } from 'llmbench'
beforeAll(async () => {
  setTimeout(() => process.exit(5), 10)
  await new Promise((r) => setTimeout(r, 5000))
})
bench('never', { server: 'http://127.0.0.1:9', model: 'm', requests: 1 })
`,
      'c-throw-later.bench.ts': `import { beforeAll, bench } from 'llmbench'
beforeAll(async () => {
  setTimeout(() => { throw new Error('boom in a timer') }, 10)
  await new Promise((r) => setTimeout(r, 5000))
})
bench('never', { server: 'http://127.0.0.1:9', model: 'm', requests: 1 })
`,
      'd-good.bench.ts': simBench('good', `  bench('fine', OPTIONS)`),
    })
    const r = await run(root, '--reporter', 'console', '--reporter', 'json')
    expect(r.code).toBe(3)
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    expect(suiteSchemaErrors(suite)).toEqual([])
    expect(suite.exitCode).toBe(3)
    const byFile = Object.fromEntries(suite.files.map((f) => [f.file, f]))
    expect(byFile['a-exit-top.bench.ts'].error).toMatchObject({
      message: expect.stringMatching(/^the bench file called process\.exit\(0\): a bench file must not end the process/),
      location: { file: 'a-exit-top.bench.ts', line: 2 },
    })
    expect(byFile['b-exit-later.bench.ts'].error).toMatchObject({
      message: expect.stringMatching(/^the bench file called process\.exit\(5\)/),
      location: { file: 'b-exit-later.bench.ts', line: 3 },
    })
    expect(byFile['c-throw-later.bench.ts'].error?.message).toBe('the worker running this file crashed: boom in a timer')
    expect(byFile['d-good.bench.ts'].scenarios[0].status).toBe('passed')
    for (const file of ['a-exit-top.bench.ts', 'b-exit-later.bench.ts', 'c-throw-later.bench.ts']) expect(r.stdout).toContain(`${file} [crashed]`)
  }, 120_000)
})

describe('simulators a bench file started end with it', () => {
  /** A bench file that spawns a simulator in beforeAll, notes its pid beside itself, then ends as `end` says. */
  const spawning = (end: string) => `import { beforeAll, bench, spawnSimulator } from 'llmbench'
import { writeFileSync } from 'node:fs'
beforeAll(async () => {
  const sim = await spawnSimulator()
  writeFileSync(__filename + '.pid', String(sim.pid))
  ${end}
})
bench('never', { server: 'http://127.0.0.1:9', model: 'm', requests: 1 })
`

  it('when the file times out, calls process.exit(), crashes, or ends without closing it', async () => {
    const files: Record<string, [string, RegExp]> = {
      'a-timeout.bench.ts': ['await new Promise(() => {})', /^the file ran longer than fileTimeout \(8 s\)/],
      'b-exit.bench.ts': ['process.exit(0)', /^the bench file called process\.exit\(0\)/],
      'c-crash.bench.ts': ["setTimeout(() => { throw new Error('boom') }, 10); await new Promise(() => {})", /^the worker running this file crashed: boom$/],
      'd-unclosed.bench.ts': ['', /^beforeAll|connect|reach|127\.0\.0\.1:9/],
    }
    const root = makeProject({
      'llmbench.config.ts': 'export default { fileTimeout: 8 }\n',
      ...Object.fromEntries(Object.entries(files).map(([name, [end]]) => [name, spawning(end)])),
    })
    const r = await run(root, '--reporter', 'json')
    const pids = Object.keys(files).map((name) => Number(readFileSync(join(root, `${name}.pid`), 'utf8')))
    started.push(...pids)
    expect(r.code).toBe(3)
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    for (const [k, [name, [end, message]]] of Object.entries(files).entries()) {
      const pid = pids[k]
      expect(pid).toBeGreaterThan(0)
      const file = suite.files.find((f) => f.file === name)!
      if (end) expect(file.error?.message).toMatch(message)
      expect(await gone(pid), `${name}: simulator ${pid} still running`).toBe(true)
    }
  }, 120_000)

  it('and with llmbench itself when it is killed with SIGKILL', async () => {
    const root = makeProject({ 'sim.bench.ts': spawning('await new Promise(() => {})') })
    const cli = startCli(['--root', root, '--reporter', 'json'], {}, 60_000)
    try {
      const pidFile = join(root, 'sim.bench.ts.pid')
      const until = performance.now() + 30_000
      while (!existsSync(pidFile) && performance.now() < until) await new Promise((r) => setTimeout(r, 50))
      await new Promise((r) => setTimeout(r, 100)) // the pid is written whole
      const pid = Number(readFileSync(pidFile, 'utf8'))
      started.push(pid)
      expect(pid).toBeGreaterThan(0)
      expect(alive(pid)).toBe(true)
      cli.child.kill('SIGKILL')
      await cli.done
      expect(await gone(pid)).toBe(true)
    } finally {
      cli.child.kill('SIGKILL')
    }
  }, 60_000)
})

describe('Ctrl-C in a terminal', () => {
  /** The process group of `pid` (field 5 of /proc/PID/stat, after the command name in parentheses). */
  const groupOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[2])

  it('reaches llmbench alone, not the simulator it started: requests in flight end as interrupted, never cut by the server', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'llmbench-group-')), 'r.json')
    const bin = fileURLToPath(new URL('../bin/llmbench.js', import.meta.url))
    // Its own process group, as a shell gives a command; the terminal's Ctrl-C goes to the whole group.
    const cli = spawn(process.execPath, [bin, 'run', '--simulate', '--concurrency', '4', '--num-prompts', '8', '--input-len', '16', '--output-len', '4000',
      '--warmup', '0', '--no-calibrate', '--output', out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', LLMBENCH_HISTORY: '0' } })
    const exited = new Promise<number | null>((r) => cli.once('exit', r))
    try {
      let printed = ''
      await new Promise<void>((resolve, reject) => {
        const seen = (d: Buffer) => {
          printed += d
          if (/running 8 requests/.test(printed)) resolve()
        }
        cli.stdout!.on('data', seen)
        cli.stderr!.on('data', seen)
        void exited.then(() => reject(new Error(`llmbench exited early:\n${printed}`)))
      })
      await new Promise((r) => setTimeout(r, 700))
      const sims = spawnSync('ps', ['-o', 'pid=', '--ppid', String(cli.pid)]).stdout.toString().trim().split(/\s+/).map(Number)
      started.push(...sims)
      expect(sims).toHaveLength(1)
      expect(groupOf(sims[0])).not.toBe(groupOf(cli.pid!))
      process.kill(-cli.pid!, 'SIGINT')
      expect(await exited).toBe(130)
      const level = (JSON.parse(readFileSync(out, 'utf8')) as RunResult).levels[0]
      expect(level.summary.requests).toEqual({ total: 0, succeeded: 0, failed: 0, warmup: 0, interrupted: 4 })
      expect(level.summary.errors).toEqual({})
      expect(await gone(sims[0])).toBe(true)
    } finally {
      try {
        process.kill(-cli.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }, 60_000)
})
