/**
 * The samples of one distribution of a level, grouped by block, each taken from metrics/request.ts
 * exactly as the level summary takes it: latencies of succeeded requests, queue delay of every
 * measured request, ITL as the pooled gaps of succeeded requests.
 */
import { e2e, e2eWithQueue, isSuccess, itlSampleCount, maxTokenGap, queueDelay, tpot, ttfc, ttft, writeItlSamples } from '../metrics/request.js'
import type { RequestRecord, StatName } from '../results/types.js'
import type { Blocks } from './blocks.js'
import { reasoningTokens, visibleTokens } from '../metrics/kinds.js'
import { turnSamples, unitSamples, type WorkloadSource } from '../metrics/workload-figures.js'

/** Values grouped by block: block b's values are values[start[b]] .. values[start[b + 1] - 1]. */
export interface Blocked {
  values: Float64Array
  start: Uint32Array
}

/** Each per-request distribution's value (metrics/request.ts); undefined where the request has none. */
export const PER_REQUEST: Record<Exclude<StatName, 'itl'>, (r: RequestRecord) => number | undefined> = {
  ttft,
  ttfc,
  tpot,
  e2e,
  e2eWithQueue,
  queueDelay,
  maxTokenGap,
  outputTokens: (r) => r.outputTokens,
  inputTokens: (r) => r.inputTokens,
  reasoningTokens,
  visibleTokens,
}

export function statSamples(blocks: Blocks, stat: StatName): Blocked {
  const { records, start: recStart, count } = blocks
  const start = new Uint32Array(count + 1)
  if (stat === 'itl') {
    let total = 0
    for (const r of records) if (isSuccess(r)) total += itlSampleCount(r)
    const values = new Float64Array(total)
    let o = 0
    for (let b = 0; b < count; b++) {
      start[b] = o
      for (let i = recStart[b]; i < recStart[b + 1]; i++) if (isSuccess(records[i])) o = writeItlSamples(records[i], values, o)
    }
    start[count] = o
    return { values, start }
  }
  const read = PER_REQUEST[stat]
  const all = stat === 'queueDelay' // as the summary: queue delay of every measured request
  const values = new Float64Array(records.length)
  let o = 0
  for (let b = 0; b < count; b++) {
    start[b] = o
    for (let i = recStart[b]; i < recStart[b + 1]; i++) {
      const r = records[i]
      if (!all && !isSuccess(r)) continue
      const v = read(r)
      if (v !== undefined) values[o++] = v
    }
  }
  start[count] = o
  return { values: values.subarray(0, o), start }
}

/**
 * Samples of a session or tool-loop distribution (metrics/workload-figures.ts), each in the block
 * of the request that ended its unit: a session's or a task's one sample, and a turn figure's
 * samples of one session together (turns 2 and later of a session are alike: its user, its cached
 * history). Units are the independent samples; units that ran at the same time share blocks, and
 * the estimators measure how far that likeness reaches.
 */
export function workloadSamples(blocks: Blocks, source: WorkloadSource): Blocked {
  const { records, start: recStart, count } = blocks
  const start = new Uint32Array(count + 1)
  const { values, at } = source.of === 'turn' ? turnSamples(records, source) : unitSamples(records, source)
  let o = 0
  for (let b = 0; b < count; b++) {
    start[b] = o
    while (o < at.length && at[o] < recStart[b + 1]) o++
  }
  start[count] = values.length
  return { values: Float64Array.from(values), start }
}

/** A key naming a workload distribution, for caching its samples. */
export const sourceKey = (s: WorkloadSource): string => (s.of === 'turn' ? `turn:${s.turn}:${s.stat}` : `${s.of}:${s.what}`)
