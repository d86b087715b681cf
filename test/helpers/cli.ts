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
  const done = new Promise<CliResult>((resolve, reject) => {
    child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`llmbench ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
  return { child, done }
}
