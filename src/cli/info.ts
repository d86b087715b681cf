/** `llmbench info`: what machine the numbers come from. */
import os from 'node:os'
import type { Argv } from 'yargs'
import Table from 'cli-table3'
import { VERSION } from '../version.js'
import { queryGpus } from '../telemetry/gpu.js'
import { EXIT } from '../exit-codes.js'

export function infoCommand(y: Argv) {
  return y.option('json', { type: 'boolean', describe: 'Print JSON' })
}

export async function machineInfo() {
  const cpus = os.cpus()
  const { gpus, reason } = await queryGpus()
  return {
    llmbench: VERSION,
    node: process.version,
    os: `${os.type()} ${os.release()} (${process.platform}-${process.arch})`,
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gpus: gpus.length ? gpus.map((g) => `${g.name} (${g.memoryTotalMiB} MiB)`) : [],
    gpuNote: reason,
  }
}

export async function infoHandler(a: { json?: boolean }): Promise<number> {
  const info = await machineInfo()
  if (a.json) {
    process.stdout.write(JSON.stringify(info, null, 2) + '\n')
    return EXIT.OK
  }
  const table = new Table({ style: { head: [], border: [] } })
  table.push(
    { llmbench: info.llmbench },
    { 'Node.js': info.node },
    { OS: info.os },
    { CPU: info.cpu },
    { Memory: `${info.memoryGiB} GiB` },
    { GPUs: info.gpus.length ? info.gpus.join('\n') : `none (${info.gpuNote})` },
  )
  process.stdout.write(table.toString() + '\n')
  return EXIT.OK
}
