/** Number and date formatting shared by every table, axis and tooltip. */

const group = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** A figure with as many decimals as its size deserves: 0.123, 12.3, 1,234. */
export function num(v: number | undefined | null, digits?: number): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–'
  if (digits !== undefined) return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const a = Math.abs(v)
  if (a === 0) return '0'
  if (a >= 1000 || Number.isInteger(v)) return group.format(v)
  if (a >= 100) return v.toFixed(1)
  if (a >= 10) return v.toFixed(2)
  if (a >= 1) return v.toFixed(2)
  return v.toPrecision(2)
}

export function ms(v: number | undefined | null): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '–' : `${num(v)} ms`
}

export function pct(ratio: number | undefined | null, digits = 1): string {
  return ratio === undefined || ratio === null || !Number.isFinite(ratio) ? '–' : `${(ratio * 100).toFixed(digits)}%`
}

/** A share on an axis: 0.5%, 12%, 100%. */
export function pctTick(ratio: number): string {
  return `${+(ratio * 100).toFixed(2)}%`
}

export function signedPct(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return ''
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}%`
}

/** Axis ticks: short (1.2k, 0.5). */
export function tick(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`
  if (a >= 1) return `${+v.toPrecision(4)}`
  if (a === 0) return '0'
  return `${+v.toPrecision(2)}`
}

export function date(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function duration(fromIso: string, toIso: string): string {
  const s = (Date.parse(toIso) - Date.parse(fromIso)) / 1000
  if (!Number.isFinite(s)) return ''
  if (s < 120) return `${s.toFixed(1)} s`
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
  return `${(s / 3600).toFixed(1)} h`
}

export function loadLabel(kind: 'concurrency' | 'rate', value: number): string {
  return kind === 'rate' ? `${num(value)} req/s` : `concurrency ${value}`
}

export function loadAxis(kind: 'concurrency' | 'rate'): string {
  return kind === 'rate' ? 'request rate (req/s)' : 'concurrency'
}

/** Each statistic's name as a reader says it, and its unit. */
export const STAT_NAMES: Record<string, { label: string; unit: string }> = {
  ttft: { label: 'TTFT', unit: 'ms' },
  ttfc: { label: 'TTFC (first visible content)', unit: 'ms' },
  tpot: { label: 'TPOT', unit: 'ms' },
  itl: { label: 'ITL', unit: 'ms' },
  e2e: { label: 'E2E', unit: 'ms' },
  e2eWithQueue: { label: 'E2E incl. queue', unit: 'ms' },
  queueDelay: { label: 'Queue delay', unit: 'ms' },
  maxTokenGap: { label: 'Max token gap', unit: 'ms' },
  outputTokens: { label: 'Output tokens', unit: 'tokens' },
  inputTokens: { label: 'Input tokens', unit: 'tokens' },
  reasoningTokens: { label: 'Reasoning tokens', unit: 'tokens' },
  visibleTokens: { label: 'Visible output tokens', unit: 'tokens' },
}

/** `E2E incl. queue (ms)`: a statistic with its unit. */
export function statLabel(name: string): string {
  const s = STAT_NAMES[name]
  return s ? `${s.label} (${s.unit})` : name
}

/** Dates on a time axis: the day alone when the ticks fall on different days, else with the time (to the second within an hour). */
export function dateTick(times: number[]): (v: number) => string {
  const days = new Set(times.map((t) => date(new Date(t).toISOString()).slice(0, 10)))
  const span = times.length ? Math.max(...times) - Math.min(...times) : 0
  return (v: number) => {
    const iso = date(new Date(v).toISOString())
    if (days.size === times.length && times.length > 1) return iso.slice(5, 10)
    return span > 3_600_000 ? iso.slice(5, 16) : iso.slice(11, 19)
  }
}
