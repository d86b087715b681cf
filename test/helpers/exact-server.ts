/**
 * bench/exact-server.js in its own process: a scripted streaming server with exact delays that
 * records when it actually wrote each event (the truth accuracy is measured against).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'

const SCRIPT = fileURLToPath(new URL('../../bench/exact-server.js', import.meta.url))

export interface ExactTrace {
  recv: number
  writes: number[]
  targets: number[]
}

export interface ExactServer {
  url: string
  model: string
  /** The write records since the last call, by x-request-id. */
  trace(): Promise<Record<string, ExactTrace>>
  stop(): Promise<void>
}

export function startExactServer(ttftMs: number, itlMs: number): Promise<ExactServer> {
  const child = spawn(process.execPath, [SCRIPT, '--port', '0', '--ttft', String(ttftMs), '--itl', String(itlMs), '--model', 'exact'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exact-server exited with ${code}`)))
    child.stdout!.on('data', (d) => {
      const m = /LISTENING (\d+)/.exec(String(d))
      if (!m) return
      const url = `http://127.0.0.1:${m[1]}`
      resolve({
        url,
        model: 'exact',
        async trace() {
          const body = (await (await request(`${url}/trace`)).body.json()) as { records: Record<string, ExactTrace> }
          return body.records
        },
        async stop() {
          child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}
