/**
 * GPU readings for the sampler: nvidia-smi on this machine (one short process per sample), or
 * an NVIDIA DCGM exporter's Prometheus page for GPUs elsewhere. Series are labelled by GPU index.
 */
import { now } from '../clock.js'
import { queryGpus, type GpuInfo } from './gpu.js'
import { parsePrometheus } from './prometheus.js'
import type { Scraper } from './scrape.js'
import type { Reading } from './series.js'
import type { KnownMetric } from './server-metrics.js'

export class SourceError extends Error {}

const gauge = (name: string, label: string, unit: string): KnownMetric => ({ name, label, unit, kind: 'gauge' })

/** nvidia-smi's query fields, as the metric names. */
const SMI: Array<[KnownMetric, (g: GpuInfo) => number]> = [
  [gauge('utilization.gpu', 'GPU utilisation', '%'), (g) => g.utilizationPercent],
  [gauge('memory.used', 'GPU memory used', 'MiB'), (g) => g.memoryUsedMiB],
  [gauge('power.draw', 'GPU power', 'W'), (g) => g.powerW],
  [gauge('temperature.gpu', 'GPU temperature', '°C'), (g) => g.temperatureC],
]

export const DCGM_METRICS = new Map<string, KnownMetric>([
  ['DCGM_FI_DEV_GPU_UTIL', gauge('DCGM_FI_DEV_GPU_UTIL', 'GPU utilisation', '%')],
  ['DCGM_FI_DEV_FB_USED', gauge('DCGM_FI_DEV_FB_USED', 'GPU memory used', 'MiB')],
  ['DCGM_FI_DEV_POWER_USAGE', gauge('DCGM_FI_DEV_POWER_USAGE', 'GPU power', 'W')],
  ['DCGM_FI_DEV_GPU_TEMP', gauge('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature', '°C')],
])

export async function readNvidiaSmi(): Promise<{ at: number; readings: Reading[] }> {
  const { gpus, reason } = await queryGpus()
  const at = now()
  if (!gpus.length) throw new SourceError(reason ?? 'nvidia-smi lists no GPU')
  const readings: Reading[] = []
  for (const g of gpus) {
    const labels = { gpu: String(g.index) }
    for (const [metric, value] of SMI) readings.push({ metric, labels, value: value(g) })
  }
  return { at, readings }
}

export async function readDcgm(page: Scraper): Promise<{ at: number; readings: Reading[] }> {
  const { at, text } = await page.get()
  const exp = parsePrometheus(text, { accept: (name) => DCGM_METRICS.has(name) })
  if (!exp.sampleLines) throw new SourceError('not Prometheus text')
  if (!exp.samples.length) throw new SourceError('no DCGM_FI_DEV_* GPU metrics')
  const readings = exp.samples.map((s) => ({ metric: DCGM_METRICS.get(s.name)!, labels: { gpu: s.labels.gpu ?? '0' }, value: s.value }))
  return { at, readings }
}
