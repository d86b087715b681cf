/**
 * Goodput (METRICS.md, "Goodput"): service-level objectives, which requests meet them, and the
 * console block that reports it.
 */
import type { GoodputSummary, RequestRecord, SloKey, SloSet } from '../results/types.js'
import { e2e, isMeasured, isSuccess, maxTokenGap, tpot, ttfc, ttft } from './request.js'
import { SLO_KEYS } from '../options/vocabulary.js'

export { SLO_KEYS } from '../options/vocabulary.js'
export { parseSlo } from '../options/slo-text.js'

const LABELS: Record<SloKey, string> = { ttft: 'TTFT', ttfc: 'TTFC', tpot: 'TPOT', itl: 'ITL', e2e: 'E2E' }

/** Throws a clear Error when an objective needs streamed responses but requests are not streamed. */
export function checkSloApplicable(slo: SloSet, stream: boolean): void {
  if (stream) return
  const streamOnly = SLO_KEYS.filter((k) => k !== 'e2e' && slo[k] !== undefined)
  if (streamOnly.length === 0) return
  const names = streamOnly.join(', ')
  throw new Error(
    `Goodput SLO ${names} cannot be measured without streaming (non-streamed requests have no TTFT, TTFC, TPOT or ITL): enable streaming or keep only e2e`,
  )
}

/**
 * Whether a request meets one bound. The request must have succeeded. A TPOT bound is met when TPOT
 * is undefined because N < 2, an ITL bound when there is no gap (a single token-carrying event);
 * any other missing value (e.g. TTFC of a request that produced only reasoning, or any streaming
 * value of a non-streamed request) does not meet its bound.
 */
function meets(r: RequestRecord, key: SloKey, bound: number): boolean {
  let value: number | undefined
  switch (key) {
    case 'ttft':
      value = ttft(r)
      break
    case 'ttfc':
      value = ttfc(r)
      break
    case 'tpot':
      value = tpot(r)
      if (value === undefined) return r.stream && r.outputTokens < 2
      break
    case 'itl':
      value = maxTokenGap(r)
      if (value === undefined) return r.stream && (r.tokenTimes?.length ?? 0) < 2
      break
    case 'e2e':
      value = e2e(r)
      break
  }
  return value !== undefined && value <= bound
}

/** A request is good: it succeeded and meets every bound of `slo` (as evaluateGoodput counts it), and with `valid` its output was valid. */
export function isGood(r: RequestRecord, slo: SloSet): boolean {
  if (!isSuccess(r)) return false
  if (slo.valid && r.valid === false) return false
  for (const key of SLO_KEYS) {
    const bound = slo[key]
    if (bound !== undefined && !meets(r, key, bound)) return false
  }
  return true
}

/**
 * Goodput of a level: good = succeeded and every bound holds (value <= bound). Warm-up records are
 * ignored; ratio = good / all measured requests, rate = good / durationSec (req/s), met[key] = how
 * many measured requests met that bound (failed requests never do).
 */
export function evaluateGoodput(records: readonly RequestRecord[], slo: SloSet, durationSec: number): GoodputSummary {
  const keys = SLO_KEYS.filter((k) => slo[k] !== undefined)
  const bounds = keys.map((k) => slo[k] as number)
  const metCounts = new Array<number>(keys.length).fill(0)
  let total = 0
  let good = 0
  let valid = 0
  for (const r of records) {
    if (!isMeasured(r)) continue
    total++
    if (!isSuccess(r)) continue
    let all = true
    for (let i = 0; i < keys.length; i++) {
      if (meets(r, keys[i], bounds[i])) metCounts[i]++
      else all = false
    }
    if (slo.valid) {
      if (r.valid !== false) valid++
      else all = false
    }
    if (all) good++
  }
  return goodputSummary(keys, bounds, metCounts, good, total, durationSec, slo.valid ? valid : undefined)
}

/** The summary from the counts: `metCounts[i]` requests met bound `bounds[i]` of `keys[i]`; `valid`: how many gave valid output, when the bounds ask for it. */
export function goodputSummary(keys: readonly SloKey[], bounds: readonly number[], metCounts: readonly number[], good: number, total: number, durationSec: number, valid?: number): GoodputSummary {
  const met: GoodputSummary['met'] = {}
  const slo: SloSet = {}
  keys.forEach((k, i) => {
    met[k] = metCounts[i]
    slo[k] = bounds[i]
  })
  if (valid !== undefined) {
    slo.valid = true
    met.valid = valid
  }
  return { slo, good, total, ratio: total > 0 ? good / total : 0, rate: durationSec > 0 ? good / durationSec : 0, met }
}

/** The console block: `Goodput: 87.0% (87/100 requests met SLO)` then one line per objective. */
export function formatGoodput(summary: GoodputSummary): string {
  const lines = [
    `Goodput: ${(summary.ratio * 100).toFixed(1)}% (${summary.good}/${summary.total} requests met SLO)`,
  ]
  for (const key of SLO_KEYS) {
    const bound = summary.slo[key]
    if (bound === undefined) continue
    lines.push(`  - ${LABELS[key]} ≤ ${bound}ms: ${summary.met[key] ?? 0}/${summary.total}`)
  }
  if (summary.slo.valid) lines.push(`  - valid output: ${summary.met.valid ?? 0}/${summary.total}`)
  return lines.join('\n')
}

/**
 * A level's goodput under `bounds`: its summary's when the bounds are the scenario's (computed from
 * every request), else from its records (all of them, or the kept sample of a very large level).
 */
export function levelGoodput(level: { summary: { goodput?: GoodputSummary; durationSec: number }; records: readonly RequestRecord[] }, bounds: SloSet): GoodputSummary {
  const own = level.summary.goodput
  const same = own && SLO_KEYS.every((k) => own.slo[k] === bounds[k]) && !own.slo.valid === !bounds.valid
  return same ? own : evaluateGoodput(level.records, bounds, level.summary.durationSec)
}
