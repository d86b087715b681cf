/**
 * The built-in simulator in a child process (`llmbench simulate`), on a free port unless told
 * otherwise, so the server's work never shares the measuring client's event loop. Used by
 * `llmbench run --simulate`, by tests, and by bench files that start their own server.
 *
 * The child ends with the thread that started it, however that ends (a bench file's thread that
 * exits, crashes or times out; a process killed with SIGKILL): it holds its stdin pipe to that
 * thread, and the pipe's end when the thread's handles close tells it to stop (LLMBENCH_EXIT_WITH_PARENT).
 * So it can live in its own process group: Ctrl-C in a terminal reaches llmbench alone, which
 * ends the requests in flight as interrupted before it stops the server, instead of the server
 * closing their connections under it (they would count as failures).
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../version.js'
import { RuntimeError } from '../errors.js'
import type { SimulatorOptions } from './options.js'
import { simulatorArgs } from './flags.js'

/** Set for a simulator whose stdin is its parent's pipe: the pipe's end stops it (cli/simulate.ts). */
export const EXIT_WITH_PARENT = 'LLMBENCH_EXIT_WITH_PARENT'

export interface SpawnedSimulator {
  url: string
  model: string
  /** The child's process id. */
  pid: number
  /** Stops the child process. */
  close(): Promise<void>
}

const STARTUP_MS = 15_000

export function spawnSimulator(options: SimulatorOptions = {}): Promise<SpawnedSimulator> {
  const bin = join(PACKAGE_ROOT, 'bin', 'llmbench.js')
  const args = simulatorArgs({ port: 0, ...options })
  const child = spawn(process.execPath, [bin, 'simulate', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, [EXIT_WITH_PARENT]: '1' },
    detached: true,
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new RuntimeError(`the simulator did not start within ${STARTUP_MS / 1000} s`))
    }, STARTUP_MS)
    child.stderr.on('data', (d) => (err += d))
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening on (\S+) \(model (\S+)\)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout.removeAllListeners('data')
        child.stdout.resume()
        resolve({ url: m[1], model: m[2], pid: child.pid!, close: stop })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new RuntimeError(`the simulator exited (code ${code}) before it listened: ${err.trim().split('\n')[0] ?? ''}`))
    })
  })
}
