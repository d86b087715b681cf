/** Flags of `llmbench run` for the load's shape (rates, arrivals, durations, phases, ramps, sweeps) and telemetry. */
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { ARRIVALS, LoadInputError, toLoadOptions, type LoadInput, type RampInput, type SweepInput } from '../load/options.js'
import type { Arrival } from '../results/types.js'
import { parseDuration } from '../load/duration.js'
import { MIN_INTERVAL_MS } from '../telemetry/sampler.js'
import type { TelemetrySettings } from '../runner/scenario.js'
import type { Shard } from '../load/levels.js'
import { serverUrl } from './parse.js'

export function loadFlags<T>(y: Argv<T>) {
  return y
    .option('request-rate', { type: 'string', describe: 'Open-loop request rates in req/s, e.g. 5,10,20 (each a level; replaces --concurrency levels)' })
    .option('arrival', { type: 'string', choices: ARRIVALS, describe: 'How arrivals are spaced at a request rate (default poisson)' })
    .option('burstiness', { type: 'number', describe: 'Gamma arrivals with this shape: 1 is Poisson, below 1 burstier, above 1 more regular (as vLLM)' })
    .option('max-concurrency', { type: 'number', describe: 'At a request rate: most requests in flight; the others wait and keep their scheduled time' })
    .option('duration', { type: 'string', describe: 'Length of each level by time, e.g. 60s or 2m (instead of --num-prompts)' })
    .option('warmup', { type: 'string', describe: 'Warm-up per level: N short requests (default one per slot), or a time such as 10s at full load' })
    .option('cooldown', { type: 'string', describe: 'Cool-down per level after the measured requests: N requests or a time, left out of the figures' })
    .option('ramp', { type: 'string', describe: 'One level whose load grows: concurrency:FROM:TO:OVER or rate:FROM:TO:OVER[:exponential], e.g. concurrency:1:50:2m' })
    .option('sweep', { type: 'string', choices: ['concurrency', 'rate', 'rates'], describe: 'Find the highest concurrency or rate meeting --goodput (capacity search), or run rates evenly between 1-at-a-time and saturated throughput (rates)' })
    .option('sweep-min', { type: 'number', describe: 'Goodput ratio a sweep level must reach to pass (default 0.9)' })
    .option('sweep-start', { type: 'number', describe: 'First load a capacity sweep probes (default 1)' })
    .option('sweep-max', { type: 'number', describe: 'Highest load a capacity sweep probes (default 1024 concurrency / 1000 req/s)' })
    .option('sweep-factor', { type: 'number', describe: 'Growth between capacity probes while they pass (default 2)' })
    .option('sweep-resolution', { type: 'number', describe: 'Stop bisecting when pass and failure are this close (default 1 concurrency / start÷10 req/s)' })
    .option('sweep-levels', { type: 'number', describe: 'Capacity: most levels in all (default 12); rates: rates between the ends (default 10)' })
    .option('sweep-time', { type: 'string', describe: 'Capacity: start no new level after this long, e.g. 10m' })
    .option('sweep-saturation', { type: 'number', describe: 'Rates sweep: concurrency of the saturated level (default 256)' })
}

/** Flag names by the LoadInput key they set, for error messages. */
const FLAG_OF: Record<string, string> = {
  rate: '--request-rate', arrival: '--arrival', burstiness: '--burstiness', maxConcurrency: '--max-concurrency',
  duration: '--duration', warmup: '--warmup', cooldown: '--cooldown', ramp: '--ramp', sweep: '--sweep',
  'sweep.min': '--sweep-min', 'sweep.start': '--sweep-start', 'sweep.max': '--sweep-max', 'sweep.factor': '--sweep-factor',
  'sweep.resolution': '--sweep-resolution', 'sweep.levels': '--sweep-levels', 'sweep.maxTime': '--sweep-time',
  'sweep.saturation': '--sweep-saturation',
}

type Args = Record<string, unknown>

export function loadFromFlags(a: Args, goodput: boolean) {
  try {
    return toLoadOptions(toLoadInput(a), goodput)
  } catch (err) {
    if (!(err instanceof LoadInputError)) throw err
    const flag = FLAG_OF[err.path] ?? (err.path.startsWith('ramp') ? '--ramp' : `--${err.path}`)
    throw new UsageError(`${flag} ${err.message}`)
  }
}

function toLoadInput(a: Args): LoadInput {
  const input: LoadInput = {}
  if (a.requestRate !== undefined) input.rate = numberList('--request-rate', a.requestRate)
  if (a.arrival !== undefined) input.arrival = a.arrival as Arrival
  if (a.burstiness !== undefined) input.burstiness = a.burstiness as number
  if (a.maxConcurrency !== undefined) input.maxConcurrency = a.maxConcurrency as number
  if (a.duration !== undefined) input.duration = String(a.duration)
  if (a.warmup !== undefined) input.warmup = String(a.warmup)
  if (a.cooldown !== undefined) input.cooldown = String(a.cooldown)
  if (a.ramp !== undefined) input.ramp = rampFlag(String(a.ramp))
  if (a.sweep !== undefined) {
    const s: SweepInput = a.sweep === 'rates' ? { method: 'rates' } : { method: 'capacity', of: a.sweep as 'concurrency' | 'rate' }
    const pick = (flag: string, key: keyof SweepInput) => {
      if (a[flag] !== undefined) (s as Record<string, unknown>)[key] = a[flag]
    }
    pick('sweepMin', 'min')
    pick('sweepStart', 'start')
    pick('sweepMax', 'max')
    pick('sweepFactor', 'factor')
    pick('sweepResolution', 'resolution')
    pick('sweepLevels', 'levels')
    pick('sweepTime', 'maxTime')
    pick('sweepSaturation', 'saturation')
    input.sweep = s
  } else {
    const stray = Object.keys(a).find((k) => /^sweep[A-Z]/.test(k) && a[k] !== undefined)
    if (stray) throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} only applies with --sweep concurrency|rate|rates`)
  }
  return input
}

function numberList(flag: string, value: unknown): number[] {
  const parts = String(value).split(/[,\s]+/).filter(Boolean)
  if (parts.length === 0) throw new UsageError(`${flag} needs at least one value, e.g. ${flag} 5,10,20`)
  return parts.map((p) => {
    const n = Number(p)
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} values must be numbers above 0 (requests per second), got "${p}"`)
    return n
  })
}

const RAMP_FORMAT = 'concurrency:FROM:TO:OVER or rate:FROM:TO:OVER, optionally :exponential (e.g. concurrency:1:50:2m)'

function rampFlag(text: string): RampInput {
  const [of, from, to, over, shape, ...rest] = text.split(':')
  if (rest.length || over === undefined || (of !== 'concurrency' && of !== 'rate') || (shape !== undefined && shape !== 'linear' && shape !== 'exponential')) {
    throw new UsageError(`--ramp must be ${RAMP_FORMAT}, got "${text}"`)
  }
  const num = (s: string) => {
    const n = Number(s)
    if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--ramp must be ${RAMP_FORMAT}, got "${text}"`)
    return n
  }
  return { of, from: num(from), to: num(to), over, ...(shape ? { shape } : {}) }
}

export function telemetryFlags<T>(y: Argv<T>) {
  return y
    .option('telemetry', { type: 'boolean', default: true, describe: "Sample the server's /metrics (and local GPUs) during the run; --no-telemetry to skip" })
    .option('telemetry-interval', { type: 'string', default: '1s', describe: 'How often telemetry is sampled, e.g. 500ms or 2s' })
    .option('gpu-telemetry', { type: 'boolean', describe: 'Sample this machine\'s GPUs with nvidia-smi (default: when the server is on this machine)' })
    .option('dcgm-url', { type: 'string', describe: "An NVIDIA DCGM exporter to sample instead (e.g. http://gpu-host:9400)" })
}

export function telemetryFromFlags(a: Args): TelemetrySettings {
  if (a.telemetry === false) return { enabled: false }
  let intervalMs: number
  try {
    intervalMs = parseDuration(String(a.telemetryInterval ?? '1s'))
  } catch (err) {
    throw new UsageError(`--telemetry-interval ${(err as Error).message}`)
  }
  if (intervalMs < MIN_INTERVAL_MS) throw new UsageError(`--telemetry-interval must be at least ${MIN_INTERVAL_MS}ms, got "${a.telemetryInterval}"`)
  const gpu = a.dcgmUrl !== undefined ? { dcgmUrl: serverUrl('--dcgm-url', a.dcgmUrl) } : (a.gpuTelemetry as boolean | undefined)
  return { enabled: true, intervalMs, ...(gpu !== undefined ? { gpu } : {}) }
}

export function shardFlags<T>(y: Argv<T>) {
  return y
    .option('shard', { type: 'string', describe: 'Run shard I of N (e.g. 0/4): this process applies its share of every level; merge the shards with llmbench merge' })
    .option('threads', { type: 'string', default: 'auto', describe: 'Load-generating threads: N, or auto (one per 20,000 stream events a second, from the server\'s inter-token latency before the run; leaving a core free)' })
    .option('start-at', { type: 'string', describe: 'Wall-clock time the first level starts (ISO 8601 or epoch ms), so shards begin together' })
}

/** `--shard i/n`, `--threads` and `--start-at`, checked against the levels they split. */
export function shardFromFlags(a: Args, o: { concurrency: number[]; numPrompts: number; rate?: number[]; sweep?: unknown }): { shard?: Shard; startAt?: number; threads?: number } {
  const out: { shard?: Shard; startAt?: number; threads?: number } = {}
  if (a.shard !== undefined) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(a.shard))
    const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN]
    if (!m || count < 1 || index >= count) throw new UsageError(`--shard must be I/N with 0 <= I < N, e.g. 0/4, got "${a.shard}"`)
    if (o.sweep) throw new UsageError('--shard cannot split a sweep: a sweep decides its levels from all of their requests')
    const small = o.rate?.length ? undefined : o.concurrency.find((c) => c < count)
    if (small !== undefined) throw new UsageError(`--shard ${index}/${count}: concurrency ${small} cannot be split over ${count} shards (each needs at least one slot)`)
    if (o.numPrompts < count) throw new UsageError(`--shard ${index}/${count}: --num-prompts ${o.numPrompts} cannot be split over ${count} shards`)
    out.shard = { index, count }
  }
  if (a.threads !== undefined && a.threads !== 'auto') {
    const n = Number(a.threads)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be a whole number of at least 1, or auto, got "${a.threads}"`)
    if (n > 1 && o.sweep) throw new UsageError('--threads cannot split a sweep: run it with --threads 1 (or auto)')
    const small = o.rate?.length ? undefined : o.concurrency.find((c) => c < n)
    if (small !== undefined) throw new UsageError(`--threads ${n}: concurrency ${small} cannot be split over ${n} threads (each needs at least one slot)`)
    out.threads = n
  }
  if (a.startAt !== undefined) {
    const text = String(a.startAt).trim()
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
    if (!Number.isFinite(ms)) throw new UsageError(`--start-at must be a time such as 2026-12-01T10:00:00Z or epoch milliseconds, got "${text}"`)
    out.startAt = ms
  }
  return out
}
