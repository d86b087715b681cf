/** `llmbench gpu`: the machine's NVIDIA GPUs as a table, or JSON; `--watch` refreshes it. */
import Table from 'cli-table3'
import type { Argv } from 'yargs'
import { queryGpus, type GpuInfo } from '../telemetry/gpu.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'

export interface GpuArgs {
  json?: boolean
  watch?: boolean
  /** Seconds between refreshes with --watch. */
  interval?: number
  /** Refreshes before --watch ends by itself. */
  count?: number
}

export function gpuCommand(y: Argv) {
  return y
    .option('json', { type: 'boolean', describe: 'Print JSON (with --watch: one line per refresh)' })
    .option('watch', { type: 'boolean', describe: 'Refresh the table until Ctrl-C' })
    .option('interval', { type: 'number', describe: 'Seconds between refreshes with --watch (default 1)' })
    .option('count', { type: 'number', describe: 'Stop --watch after N refreshes' })
}

/** Cursor home and clear screen: the table redraws in place on a terminal. */
const CLEAR = '\x1b[H\x1b[2J'

function table(gpus: GpuInfo[]): string {
  const t = new Table({ head: ['#', 'name', 'memory used / total (MiB)', 'util %', 'temp °C', 'power W'], style: { head: [], border: [] } })
  for (const g of gpus) t.push([g.index, g.name, `${g.memoryUsedMiB} / ${g.memoryTotalMiB}`, g.utilizationPercent, g.temperatureC, g.powerW])
  return t.toString()
}

export async function gpuHandler(a: GpuArgs): Promise<number> {
  if (a.watch) return watch(a)
  if (a.interval !== undefined || a.count !== undefined) throw new UsageError('--interval and --count go with --watch')
  const { gpus, reason } = await queryGpus()
  if (!gpus.length) {
    process.stderr.write(`llmbench: no NVIDIA GPU found (${reason}).\n`)
    return EXIT.RUNTIME
  }
  process.stdout.write((a.json ? JSON.stringify(gpus, null, 2) : table(gpus)) + '\n')
  return EXIT.OK
}

async function watch(a: GpuArgs): Promise<number> {
  const intervalSec = a.interval ?? 1
  if (!Number.isFinite(intervalSec) || intervalSec < 0.1) throw new UsageError(`--interval must be a number of seconds, at least 0.1 (got ${a.interval})`)
  if (a.count !== undefined && !(Number.isInteger(a.count) && a.count > 0)) throw new UsageError(`--count must be a positive whole number (got ${a.count})`)
  const tty = !a.json && process.stdout.isTTY === true

  let interrupted = false
  let wake: () => void = () => {}
  const onSigint = () => {
    interrupted = true
    wake()
  }
  process.on('SIGINT', onSigint)
  try {
    for (let n = 1; ; n++) {
      const { gpus, reason } = await queryGpus()
      if (interrupted) break
      if (n === 1 && !gpus.length) {
        process.stderr.write(`llmbench: no NVIDIA GPU found (${reason}).\n`)
        return EXIT.RUNTIME
      }
      const at = new Date().toISOString()
      if (a.json) {
        process.stdout.write(JSON.stringify({ at, gpus }) + '\n')
      } else {
        const body = gpus.length ? table(gpus) : `no NVIDIA GPU found (${reason})`
        const head = `${at}  every ${intervalSec} s${tty ? ', Ctrl-C to stop' : ''}`
        process.stdout.write(tty ? `${CLEAR}${head}\n${body}\n` : `${n > 1 ? '\n' : ''}${head}\n${body}\n`)
      }
      if (a.count !== undefined && n >= a.count) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalSec * 1000)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      if (interrupted) break
    }
  } finally {
    process.off('SIGINT', onSigint)
  }
  return EXIT.OK
}
