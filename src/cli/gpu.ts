/** `llmbench gpu`: the machine's NVIDIA GPUs as a table, or JSON. */
import Table from 'cli-table3'
import { queryGpus } from '../telemetry/gpu.js'
import { EXIT } from '../exit-codes.js'

export async function gpuHandler(a: { json?: boolean }): Promise<number> {
  const { gpus, reason } = await queryGpus()
  if (!gpus.length) {
    process.stderr.write(`llmbench: no NVIDIA GPU found (${reason}).\n`)
    return EXIT.RUNTIME
  }
  if (a.json) {
    process.stdout.write(JSON.stringify(gpus, null, 2) + '\n')
    return EXIT.OK
  }
  const table = new Table({ head: ['#', 'name', 'memory used / total (MiB)', 'util %', 'temp °C', 'power W'], style: { head: [], border: [] } })
  for (const g of gpus) {
    table.push([g.index, g.name, `${g.memoryUsedMiB} / ${g.memoryTotalMiB}`, g.utilizationPercent, g.temperatureC, g.powerW])
  }
  process.stdout.write(table.toString() + '\n')
  return EXIT.OK
}
