/**
 * The Prometheus text exposition format (0.0.4, and the OpenMetrics lines servers mix in), read
 * as a scraper that must never be the slow or failing part of a load test: bad lines are
 * skipped, the body is capped, and lines of metrics nobody asked for are dropped after a look at
 * their name, so a 50 kB vLLM page costs microseconds. Written here rather than taken from npm:
 * the parsers there are unmaintained or pull in more than these ~100 lines.
 */

export interface Sample {
  /** As written, with any _bucket / _sum / _count / _total suffix. */
  name: string
  labels: Record<string, string>
  value: number
  timestampMs?: number
}

export interface Exposition {
  samples: Sample[]
  /** `# TYPE` declarations of the accepted families, by family name. */
  types: Map<string, string>
  /** Lines that looked like samples (accepted or not); 0 means the body was not Prometheus text. */
  sampleLines: number
  /** Lines skipped as malformed. */
  badLines: number
  /** The body was longer than the cap (or had more than maxSamples accepted samples): only its start was read. */
  truncated: boolean
}

export interface ParseOptions {
  /** Keep only samples whose name passes; the rest are never tokenised. */
  accept?: (name: string) => boolean
  /** Characters read at most (default MAX_EXPOSITION_BYTES). */
  maxChars?: number
  /** Accepted samples kept at most (default MAX_SAMPLES); the rest of the body is not read. */
  maxSamples?: number
}

export const MAX_EXPOSITION_BYTES = 4 * 1024 * 1024
/** A server page has tens of the known samples; a page with more is hostile or broken. */
export const MAX_SAMPLES = 10_000
/** More label pairs make the line bad: a hostile line must not build a huge object. */
const MAX_LABELS = 64

/** A family's samples are named as it is, or with one of these suffixes (histograms, summaries, counters). */
const FAMILY_SUFFIXES = ['', '_total', '_bucket', '_count', '_sum']

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57)
const isSpace = (c: number) => c === 32 || c === 9

export function parseValue(s: string): number | undefined {
  if (s === '+Inf' || s === 'Inf' || s === '+inf') return Infinity
  if (s === '-Inf' || s === '-inf') return -Infinity
  if (s === 'NaN' || s === 'nan') return NaN
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined
  return Number(s)
}

export function parsePrometheus(body: string, opts: ParseOptions = {}): Exposition {
  const max = opts.maxChars ?? MAX_EXPOSITION_BYTES
  const maxSamples = opts.maxSamples ?? MAX_SAMPLES
  let text = body
  let truncated = false
  if (text.length > max) {
    truncated = true
    text = text.slice(0, Math.max(0, text.lastIndexOf('\n', max)))
  }
  const out: Exposition = { samples: [], types: new Map(), sampleLines: 0, badLines: 0, truncated }
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)
    start = end + 1
    let i = 0
    while (i < line.length && isSpace(line.charCodeAt(i))) i++
    if (i === line.length) continue
    if (line.charCodeAt(i) === 35) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line.slice(i))
      if (m && (!opts.accept || FAMILY_SUFFIXES.some((x) => opts.accept!(m[1] + x)))) out.types.set(m[1], m[2])
      continue
    }
    const nameStart = i
    if (!isNameStart(line.charCodeAt(i))) { out.badLines++; continue }
    while (i < line.length && isNameChar(line.charCodeAt(i))) i++
    const name = line.slice(nameStart, i)
    const next = line.charCodeAt(i)
    if (i < line.length && next !== 123 && !isSpace(next)) { out.badLines++; continue }
    out.sampleLines++
    if (opts.accept && !opts.accept(name)) continue
    const sample = parseRest(line, i, name)
    if (!sample) { out.badLines++; continue }
    out.samples.push(sample)
    if (out.samples.length >= maxSamples) {
      out.truncated = start < text.length
      break
    }
  }
  return out
}

/** Labels, value and timestamp after the name; undefined when malformed. */
function parseRest(line: string, i: number, name: string): Sample | undefined {
  const labels: Record<string, string> = {}
  let count = 0
  // The next backslash at or after i (-1: none): found once, so a long line is scanned once.
  let slash = -2
  if (line.charCodeAt(i) === 123) {
    i++
    for (;;) {
      while (i < line.length && (isSpace(line.charCodeAt(i)) || line.charCodeAt(i) === 44)) i++
      if (line.charCodeAt(i) === 125) { i++; break }
      const ks = i
      if (!isNameStart(line.charCodeAt(i))) return undefined
      while (i < line.length && isNameChar(line.charCodeAt(i))) i++
      const key = line.slice(ks, i)
      while (isSpace(line.charCodeAt(i))) i++
      if (line.charCodeAt(i) !== 61) return undefined
      i++
      while (isSpace(line.charCodeAt(i))) i++
      if (line.charCodeAt(i) !== 34) return undefined
      i++
      let value = ''
      for (;;) {
        const quote = line.indexOf('"', i)
        if (quote < 0) return undefined
        if (slash !== -1 && slash < i) slash = line.indexOf('\\', i)
        if (slash < 0 || slash > quote) {
          value += line.slice(i, quote)
          i = quote + 1
          break
        }
        const e = line[slash + 1]
        value += line.slice(i, slash) + (e === 'n' ? '\n' : e ?? '')
        i = slash + 2
      }
      if (++count > MAX_LABELS) return undefined
      // A label named __proto__ must stay a label, not become the object's prototype.
      if (key === '__proto__') Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true })
      else labels[key] = value
    }
  }
  // Exemplars and comments after the value (OpenMetrics) start with '#'.
  const hash = line.indexOf('#', i)
  const fields = (hash < 0 ? line.slice(i) : line.slice(i, hash)).trim().split(/[ \t]+/)
  if (fields.length < 1 || fields.length > 2) return undefined
  const value = parseValue(fields[0])
  if (value === undefined) return undefined
  const sample: Sample = { name, labels, value }
  if (fields.length === 2) {
    const ts = parseValue(fields[1])
    if (ts === undefined || !Number.isFinite(ts)) return undefined
    sample.timestampMs = ts
  }
  return sample
}

/** The stable identity of a label set (sorted pairs), for grouping samples into series. */
export function labelKey(labels: Record<string, string>, omit?: string): string {
  return Object.keys(labels).filter((k) => k !== omit).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')
}
