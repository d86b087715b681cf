/**
 * The console's lines of the request kinds (docs/request-kinds.md): media sent, validity of
 * structured outputs, reasoning against visible tokens, energy and cost, and the table of every
 * LoRA adapter's figures. Reads only the level summary.
 */
import type { LevelSummary } from '../src/results/types.js'
import { terminalLine } from '../src/text/sanitize.js'
import { fmt, plain } from './format.js'

const n = (x: number) => x.toLocaleString('en-US')

function bytes(b: number): string {
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(1)} MB`
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KB`
  return `${b} B`
}

/** A small price: enough significant digits to compare ($0.000123). */
export function price(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-'
  if (x === 0) return '0'
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3)
}

/** The lines of a level's kinds, after its throughput; empty when it has none. */
export function renderKindLines(s: LevelSummary): string[] {
  const lines: string[] = []
  const m = s.media
  if (m) {
    const parts: string[] = []
    if (m.images) {
      const px = m.pixels && m.images > m.urls ? `, ${n(Math.round(m.pixels / (m.images - m.urls)))} px each on average` : ''
      parts.push(`${n(m.images)} images (${fmt(m.images / m.requests, 1)} a request${px}, ${bytes(m.imageBytes)})`)
    }
    if (m.audio) parts.push(`${n(m.audio)} audio clips (${fmt(m.audioSeconds, 1)} s, ${bytes(m.audioBytes)})`)
    if (m.urls) parts.push(`${n(m.urls)} of them by URL`)
    lines.push(`Media sent: ${parts.join(', ')}`)
  }
  const v = s.validity
  if (v) {
    const reasons = Object.entries(v.reasons).sort((a, b) => b[1] - a[1]).map(([k, c]) => `${terminalLine(k, 60)}: ${c}`).join(', ')
    lines.push(`Valid outputs: ${(v.rate * 100).toFixed(1)}% (${v.valid}/${v.checked}); invalid: ${v.invalid}${reasons ? ` (${reasons})` : ''}`)
  }
  const r = s.reasoning
  if (r) {
    const rt = s.stats.reasoningTokens
    const vt = s.stats.visibleTokens
    lines.push(
      `Reasoning: ${(r.share * 100).toFixed(1)}% of output tokens (per request: reasoning mean ${fmt(rt?.mean)} p50 ${fmt(rt?.p50)}, visible mean ${fmt(vt?.mean)} p50 ${fmt(vt?.p50)})` +
      (s.stats.ttfc && s.stats.ttft ? `; TTFC p50 ${fmt(s.stats.ttfc.p50)} ms against TTFT p50 ${fmt(s.stats.ttft.p50)} ms` : ''),
    )
  }
  const e = s.energy
  if (e) {
    lines.push('joules' in e
      ? `Energy: ${fmt(e.perOutputToken, 3)} J per output token (${fmt(e.joules, 0)} J over ${fmt(e.windowSec, 2)} s, ${fmt(e.watts, 0)} W mean over ${e.gpus} GPU${e.gpus === 1 ? '' : 's'}, ${e.samples} samples)`
      : `Energy: not measured: ${terminalLine(e.missing, 200)}`)
  }
  const c = s.cost
  if (c) {
    const basis = c.basis === 'gpu-hours' ? 'GPU-hours at the price given' : 'per-token prices given'
    lines.push(`Cost: ${price(c.perMillionOutput)} per million output tokens, ${price(c.perMillionInput)} per million input tokens, ${price(c.perRequest)} per request (${price(c.total)} for the level, ${basis})`)
  }
  return lines
}

/** Every adapter's figures in one table (rows: adapters), when the level spread requests over LoRA adapters. */
export function renderAdapters(s: LevelSummary): string | undefined {
  const by = s.byAdapter
  if (!by || Object.keys(by).length === 0) return undefined
  const goodput = Object.values(by).some((a) => a.goodput)
  const valid = Object.values(by).some((a) => a.validity)
  const head = ['adapter', 'ok/total', 'share', 'req/s', 'out tok/s', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'E2E p50']
  if (goodput) head.push('goodput')
  if (valid) head.push('valid')
  const t = plain(head)
  const total = s.requests.total
  for (const [name, a] of Object.entries(by)) {
    const row = [
      terminalLine(name, 60),
      `${a.requests.succeeded}/${a.requests.total}`,
      total > 0 ? `${((a.requests.total / total) * 100).toFixed(1)}%` : '-',
      fmt(a.throughput.requestsPerSec, 2),
      fmt(a.throughput.outputTokensPerSec),
      fmt(a.stats.ttft?.p50),
      fmt(a.stats.ttft?.p99),
      fmt(a.stats.tpot?.p50, 2),
      fmt(a.stats.e2e?.p50),
    ]
    if (goodput) row.push(a.goodput ? `${(a.goodput.ratio * 100).toFixed(1)}%` : '-')
    if (valid) row.push(a.validity ? `${(a.validity.rate * 100).toFixed(1)}%` : '-')
    t.push(row)
  }
  return `Per LoRA adapter (latencies in ms; every figure is in the result's byAdapter)\n${t.toString()}`
}
