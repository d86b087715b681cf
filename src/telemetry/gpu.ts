/** NVIDIA GPUs through nvidia-smi's CSV query interface. No GPU or no driver: an empty list with the reason. */
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

export interface GpuInfo {
  index: number
  name: string
  memoryUsedMiB: number
  memoryTotalMiB: number
  utilizationPercent: number
  temperatureC: number
  powerW: number
}

const FIELDS = 'index,name,memory.used,memory.total,utilization.gpu,temperature.gpu,power.draw'

export function parseNvidiaSmi(csv: string): GpuInfo[] {
  const num = (s: string) => {
    const n = Number(s.trim())
    return Number.isFinite(n) ? n : NaN
  }
  return csv
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [index, name, used, total, util, temp, power] = line.split(',').map((s) => s.trim())
      return {
        index: num(index),
        name,
        memoryUsedMiB: num(used),
        memoryTotalMiB: num(total),
        utilizationPercent: num(util),
        temperatureC: num(temp),
        powerW: num(power),
      }
    })
}

/**
 * Whether a bare command name is an executable on PATH (a name with a slash: assumed so). Asked
 * before spawning: a spawn that fails still forks the whole process, which costs a run about a
 * tenth of a second of CPU on a machine without NVIDIA's driver, every run.
 */
function onPath(binary: string, path = process.env.PATH ?? ''): boolean {
  if (binary.includes('/')) return true
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, binary), constants.X_OK)
      return true
    } catch {
      // not in this folder
    }
  }
  return false
}

const NOT_FOUND = 'nvidia-smi was not found: no NVIDIA driver on this machine'

export function queryGpus(binary = process.env.LLMBENCH_NVIDIA_SMI ?? 'nvidia-smi'): Promise<{ gpus: GpuInfo[]; reason?: string }> {
  if (!onPath(binary)) return Promise.resolve({ gpus: [], reason: NOT_FOUND })
  return new Promise((resolve) => {
    execFile(binary, [`--query-gpu=${FIELDS}`, '--format=csv,noheader,nounits'], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code
        const reason = code === 'ENOENT'
          ? NOT_FOUND
          : `nvidia-smi failed: ${(stderr || err.message).trim().split('\n')[0]}`
        resolve({ gpus: [], reason })
        return
      }
      const gpus = parseNvidiaSmi(stdout)
      resolve(gpus.length ? { gpus } : { gpus, reason: 'nvidia-smi lists no GPU' })
    })
  })
}
