/** Runs the built CLI (bin/llmbench.js) as a user would and collects what it printed. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/llmbench.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return startCli(args, env, timeoutMs).done
}

/** Starts the CLI and hands back the child too, for tests that signal it. */
export function startCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  let child!: ReturnType<typeof spawn>
  let printed = ''
  const watchers: Array<() => void> = []
  const done = new Promise<CliResult>((resolve, reject) => {
    child = spawn(process.execPath, [BIN, ...args], {
      // History off unless a test asks for it: runs in the repository's folder would keep their results in .llmbench/.
      env: { ...process.env, CI: '1', LLMBENCH_HISTORY: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    const seen = () => {
      printed = stdout + stderr
      for (const w of [...watchers]) w()
    }
    child.stdout!.on('data', (d) => {
      stdout += d
      seen()
    })
    child.stderr!.on('data', (d) => {
      stderr += d
      seen()
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`llmbench ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
  /** Resolves once stdout or stderr has printed text matching `pattern` (rejects if the CLI exits first). */
  const printedMatch = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(printed)) return
        watchers.splice(watchers.indexOf(check), 1)
        resolve()
      }
      watchers.push(check)
      check()
      done.then(() => reject(new Error(`llmbench exited before printing ${pattern}:\n${printed}`)), reject)
    })
  return { child, done, printed: printedMatch }
}
