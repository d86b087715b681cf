/** NVIDIA GPUs through nvidia-smi's CSV query interface. No GPU or no driver: an empty list with the reason. */
import { execFile } from 'node:child_process'

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

export function queryGpus(binary = process.env.LLMBENCH_NVIDIA_SMI ?? 'nvidia-smi'): Promise<{ gpus: GpuInfo[]; reason?: string }> {
  return new Promise((resolve) => {
    execFile(binary, [`--query-gpu=${FIELDS}`, '--format=csv,noheader,nounits'], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code
        const reason = code === 'ENOENT'
          ? 'nvidia-smi was not found: no NVIDIA driver on this machine'
          : `nvidia-smi failed: ${(stderr || err.message).trim().split('\n')[0]}`
        resolve({ gpus: [], reason })
        return
      }
      const gpus = parseNvidiaSmi(stdout)
      resolve(gpus.length ? { gpus } : { gpus, reason: 'nvidia-smi lists no GPU' })
    })
  })
}
