/**
 * Console tables for `llmbench run`: one table per level as it ends, a summary across levels,
 * and the goodput block of METRICS.md. Reads only the result model.
 */
import { formatGoodput, isMeasured, summaryOfRepeats } from '../src/metrics/index.js'
import type { CheckOutcome, FailureKind, LevelSummary, OutputTokenSource, RequestRecord, StatName, Stats, SweepSummary } from '../src/results/types.js'
import { loadLabel } from '../src/results/labels.js'
import { redactSecrets } from '../src/results/redact.js'
import { terminalLine } from '../src/text/sanitize.js'
import { price, renderAdapters, renderKindLines } from './kinds.js'
import { renderWorkload } from './workload-console.js'
import { fmt, plain } from './format.js'

const LATENCY_ROWS: Array<[StatName, string]> = [
  ['ttft', 'TTFT (ms)'],
  ['ttfc', 'TTFC (ms)'],
  ['tpot', 'TPOT (ms)'],
  ['itl', 'ITL (ms)'],
  ['e2e', 'E2E (ms)'],
  ['queueDelay', 'Queue delay (ms)'],
]
const STAT_COLUMNS: Array<keyof Stats> = ['mean', 'std', 'min', 'p50', 'p90', 'p95', 'p99', 'max']

export function renderLevel(s: LevelSummary): string {
  const lines: string[] = []
  const r = s.requests
  const left = [r.warmup ? `${r.warmup} warm-up` : '', r.cooldown ? `${r.cooldown} cool-down` : '', r.interrupted ? `${r.interrupted} interrupted` : ''].filter(Boolean).join(', ')
  lines.push(`Level ${loadLabel(s.load)}: ${r.succeeded}/${r.total} succeeded in ${s.durationSec.toFixed(2)} s${left ? ` (${left} not counted)` : ''}`)
  const table = plain(['metric', ...STAT_COLUMNS])
  for (const [key, label] of LATENCY_ROWS) {
    const st = s.stats[key]
    // TTFC repeats TTFT unless reasoning tokens came first; queue delay is noise when zero.
    if (!st || (key === 'ttfc' && sameStats(st, s.stats.ttft))) continue
    table.push([label, ...STAT_COLUMNS.map((c) => fmt(st[c], c === 'std' ? 2 : 1))])
  }
  lines.push(table.toString())
  const t = s.throughput
  lines.push(
    `Throughput: ${fmt(t.requestsPerSec, 2)} req/s, output ${fmt(t.outputTokensPerSec)} tok/s, ` +
      `total ${fmt(t.totalTokensPerSec)} tok/s; achieved concurrency ${fmt(s.concurrency.achieved, 2)} (max in flight ${s.concurrency.maxInFlight})`,
  )
  if (s.schedule) {
    const c = s.schedule
    lines.push(
      `Schedule: target ${fmt(c.targetRate, 2)} req/s, drawn ${fmt(c.scheduledRate, 2)}, sent ${fmt(c.achievedRate, 2)}; ` +
        `client lateness p50 ${fmt(c.clientLag.p50, 2)} ms, p99 ${fmt(c.clientLag.p99, 2)} ms` +
        (c.waitedForSlot ? `; ${c.waitedForSlot} waited for a free slot` : '') + (c.behind ? ' (the client fell behind)' : ''),
    )
  }
  const tokens = s.stats.outputTokens
  if (tokens) lines.push(`Output tokens per request: mean ${fmt(tokens.mean)} (${tokenSources(s.outputTokensSource)}); ITL granularity: ${s.itlGranularity}`)
  const errors = renderErrors(s.errors)
  if (errors) lines.push(errors)
  // Request kinds: media, validity, reasoning, energy, cost, and the per-adapter table (reporters/kinds.ts).
  lines.push(...renderKindLines(s))
  const adapters = renderAdapters(s)
  if (adapters) lines.push(adapters)
  if (s.serverTtft) {
    const t = s.serverTtft
    const [lo, hi] = t.serverBucketsMs.p50
    lines.push(
      `Server TTFT (its own histogram, ${t.serverCount} requests): mean ${fmt(t.serverMeanMs)} ms against the client's ${fmt(t.clientMeanMs)} ms: ` +
        `network and client add ${fmt(t.differenceMeanMs)} ms on average (server percentiles only to its buckets: p50 in ${lo}–${hi ?? '∞'} ms)`,
    )
  }
  lines.push(...renderWorkload(s))
  if (s.goodput) lines.push(formatGoodput(s.goodput))
  if (s.stoppedEarly) lines.push(`Stopped early: ${s.stoppedEarly.message}`)
  for (const w of s.warnings) lines.push(`Warning: ${terminalLine(w)}`)
  return lines.join('\n')
}

const SOURCE_NAMES: Record<OutputTokenSource, string> = {
  usage: "the server's usage",
  'usage-continuous': "the server's usage on every chunk",
  events: 'counting stream events',
  estimate: 'a tokenizer estimate',
}

/** Where each request's output token count came from: `counts from the server's usage for all 32 requests`. */
export function tokenSources(sources: Partial<Record<OutputTokenSource, number>>): string {
  const parts = Object.entries(sources).filter(([, n]) => (n ?? 0) > 0) as Array<[OutputTokenSource, number]>
  if (parts.length === 1) {
    const [[k, n]] = parts
    return `counts from ${SOURCE_NAMES[k]} for ${n === 1 ? 'the one request' : `all ${n} requests`}`
  }
  return `counts from ${parts.map(([k, n]) => `${SOURCE_NAMES[k]} for ${n} request${n === 1 ? '' : 's'}`).join(', ')}`
}

function sameStats(a: Stats, b: Stats | undefined): boolean {
  return !!b && a.count === b.count && a.mean === b.mean && a.max === b.max
}

export function renderErrors(errors: Partial<Record<FailureKind, number>>): string {
  const parts = Object.entries(errors).filter(([, n]) => (n ?? 0) > 0).map(([k, n]) => `${k}: ${n}`)
  return parts.length ? `Errors: ${parts.join(', ')}` : ''
}

/** Longest server message shown on an error line; the result file keeps the whole excerpt. */
const ERROR_EXCERPT_CHARS = 200

/**
 * One line per kind of failure among a level's measured requests: how many, and the first one's
 * message (a server's error body, a network error). Server text is redacted of the run's secrets
 * (an error body may echo the request's Authorization header) and stripped of terminal control
 * sequences, on one line.
 */
export function renderErrorSamples(records: RequestRecord[], secrets?: string[]): string {
  const first = new Map<FailureKind, { count: number; record: RequestRecord }>()
  for (const r of records) {
    if (!isMeasured(r) || r.outcome === 'ok') continue
    const seen = first.get(r.outcome)
    if (seen) seen.count++
    else first.set(r.outcome, { count: 1, record: r })
  }
  const lines: string[] = []
  for (const [kind, { count, record }] of first) {
    const status = record.error?.status !== undefined ? `HTTP ${record.error.status}: ` : ''
    const message = terminalLine(redactSecrets(record.error?.message ?? '', secrets), ERROR_EXCERPT_CHARS)
    lines.push(`  ${kind} (${count}${count > 1 ? ', first shown' : ''}): ${status}${message || '(no message)'}`)
  }
  return lines.join('\n')
}

/** Each level as run; after the last repeat of a load (`repeat`), a row of the repeats pooled (metrics/repeats.ts). */
function withRepeatMeans(levels: LevelSummary[]): { l: LevelSummary; label: string }[] {
  const out: { l: LevelSummary; label: string }[] = []
  for (let i = 0; i < levels.length; i++) {
    const r = levels[i].load.repeat
    if (!r) {
      out.push({ l: levels[i], label: '' })
      continue
    }
    out.push({ l: levels[i], label: ` #${r.index}` })
    if (r.index === r.of) {
      const group = levels.slice(Math.max(0, i - r.of + 1), i + 1).filter((x) => x.load.value === levels[i].load.value && x.load.repeat)
      out.push({ l: summaryOfRepeats(group), label: ` all ${group.length}` })
    }
  }
  return out
}

export function renderSummary(levels: LevelSummary[]): string {
  const hasGoodput = levels.some((l) => l.goodput)
  const hasValid = levels.some((l) => l.validity)
  const hasEnergy = levels.some((l) => l.energy && 'joules' in l.energy)
  const hasCost = levels.some((l) => l.cost?.perMillionOutput !== undefined)
  const kinds = new Set(levels.map((l) => (l.load.ramp ? 'ramp' : l.load.kind)))
  const first = kinds.size > 1 || kinds.has('ramp') ? 'load' : kinds.has('rate') ? 'rate (req/s)' : 'concurrency'
  const head = [first, 'ok/total', 'req/s', 'out tok/s', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'ITL p99', 'E2E p50']
  if (hasGoodput) head.push('goodput')
  if (hasValid) head.push('valid')
  if (hasEnergy) head.push('J/out tok')
  if (hasCost) head.push('cost/M out')
  const table = plain(head)
  for (const { l, label } of withRepeatMeans(levels)) {
    const row = [
      first === 'load' ? loadLabel(l.load) + (l.load.repeat ? '' : label) : `${l.load.value}${label}`,
      `${l.requests.succeeded}/${l.requests.total}`,
      fmt(l.throughput.requestsPerSec, 2),
      fmt(l.throughput.outputTokensPerSec),
      fmt(l.stats.ttft?.p50),
      fmt(l.stats.ttft?.p99),
      fmt(l.stats.tpot?.p50, 2),
      fmt(l.stats.tpot?.p99, 2),
      fmt(l.stats.itl?.p99, 2),
      fmt(l.stats.e2e?.p50),
    ]
    if (hasGoodput) row.push(l.goodput ? `${(l.goodput.ratio * 100).toFixed(1)}%` : '-')
    if (hasValid) row.push(l.validity ? `${(l.validity.rate * 100).toFixed(1)}%` : '-')
    if (hasEnergy) row.push(l.energy && 'joules' in l.energy ? fmt(l.energy.perOutputToken, 3) : '-')
    if (hasCost) row.push(price(l.cost?.perMillionOutput))
    table.push(row)
  }
  return `Summary (latencies in ms)\n${table.toString()}`
}

/** A sweep's answer in one block: the capacity found, and every probe in the order run. */
export function renderSweep(s: SweepSummary): string {
  const unit = s.kind === 'rate' ? ' req/s' : ''
  const why = { resolution: `within the resolution of ${s.resolution}${unit}`, budget: 'the level or time budget ran out', max: 'the highest load allowed passed' }[s.stoppedBy]
  const answer =
    s.capacity === null
      ? `no ${s.kind} met the objectives (the lowest probed, ${s.firstFailing}${unit}, failed)`
      : `${s.capacity}${unit}` + (s.firstFailing !== null ? ` (${s.firstFailing}${unit} failed)` : '')
  const probes = s.probes.map((p) => `${p.load}${p.passed ? ' ✓' : ' ✗'}`).join(', ')
  return `Capacity (${s.kind}): ${answer}; stopped: ${why}\nProbes in order: ${probes}`
}

/** `llmbench run --expect`: each objective on each level, one line apiece (× missed, ~ marginal, ✓ met). */
export function renderChecks(checks: readonly CheckOutcome[], o: { color: boolean }): string {
  const paint = (code: number, text: string) => (o.color ? `\u001b[${code}m${text}\u001b[39m` : text)
  const missed = checks.filter((c) => !c.passed).length
  const lines = [`Objectives: ${checks.length - missed} of ${checks.length} met${missed ? `, ${missed} missed` : ''}`]
  for (const c of checks) {
    const mark = !c.passed ? paint(31, '×') : c.marginal ? paint(33, '~') : paint(32, '✓')
    lines.push(`  ${mark} ${terminalLine(c.message ?? c.name)}`)
  }
  return lines.join('\n')
}
