/**
 * A result's scenario options, read in one place. The report data, the headline, the viewer and
 * the dashboard read `scenario` only through `scenarioFields`, so a change of its shape is a change
 * here. Results record the options as a bench file writes them (schemaVersion 2: requests,
 * input.tokens, output.tokens, timeout in ms, headers with their values redacted, slo.goodput,
 * durations as `60s`); results/read.ts upgrades version 1 on reading, but state kept by an older
 * `llmbench serve` may still hold version 1's names (numPrompts, inputLen, outputLen, timeoutMs,
 * headerNames, goodput), so those are read too. Plain data, no Node.js: the viewer imports this file.
 */
import { parseDuration } from '../options/duration.js'
import type { ScenarioOptionsPublic, SloKey, SloSet } from './types.js'

type Loose = Record<string, unknown>

export type LoadMode = 'concurrency' | 'rate' | 'ramp' | 'sweep'

/** The scenario's settings, whatever the shape it was written in. */
export interface ScenarioFields {
  server: string
  model: string
  endpoint: string
  stream: boolean
  /** Measured requests per level; absent for levels bounded by time. */
  requests?: number
  durationMs?: number
  /** Prompt and output lengths in tokens (synthetic prompts; a dataset sets its own). */
  inputTokens?: number
  outputTokens?: number
  /** The prompt source when it is not plain synthetic prompts, e.g. `file`. */
  prompts?: string
  timeoutMs?: number
  headerNames: string[]
  /** Goodput bounds in ms, and the least share of good requests a level must reach. */
  goodput?: { bounds: SloSet; min?: number }
  mode: LoadMode
  /** `concurrency` or `rate` levels as given (a sweep picks its own; a ramp has one). */
  kind: 'concurrency' | 'rate'
  loads: number[]
  maxConcurrency?: number
  arrival?: string
  /** A capacity sweep's goodput share to reach. */
  sweepMin?: number
  /** The ramp and the sweep as the result keeps them. */
  ramp?: { from: number; to: number; overMs: number; shape?: string }
  sweep?: Loose
  body?: Loose
  /** Sessions and tool loops, in words (`sessions of 4 turns, 2s think time`); the levels then count sessions. */
  workload?: string
}

const SLO: readonly SloKey[] = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e']

const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : num(v) !== undefined ? [v as number] : [])
/** Milliseconds of a time as written (`60s`, `1500ms`), or of version 1's ms figure. */
const ms = (written: unknown, v1?: unknown): number | undefined => {
  if (num(v1) !== undefined) return v1 as number
  if (typeof written !== 'string') return undefined
  try {
    return parseDuration(written)
  } catch {
    return undefined
  }
}

export function scenarioFields(options: ScenarioOptionsPublic | Loose): ScenarioFields {
  const o = options as Loose
  const slo = obj(obj(o.slo)?.goodput)
  const bounds: SloSet = {}
  for (const k of SLO) {
    const v = num(slo?.[k]) ?? num(obj(o.goodput)?.[k])
    if (v !== undefined) bounds[k] = v
  }
  // Good requests must also give valid output (docs/request-kinds.md).
  if (slo?.valid === true) bounds.valid = true
  const min = num(slo?.min)
  const sweep = obj(o.sweep)
  const ramp = obj(o.ramp)
  const rates = nums(o.rate)
  const rateSweep = sweep && (sweep.method === 'rates' || (sweep.kind ?? sweep.of) === 'rate')
  const kind: 'concurrency' | 'rate' = rateSweep || (ramp?.kind ?? ramp?.of) === 'rate' || (!sweep && !ramp && rates.length) ? 'rate' : 'concurrency'
  const mode: LoadMode = sweep ? 'sweep' : ramp ? 'ramp' : kind
  const loads = [...new Set(ramp ? nums(ramp.to) : sweep ? [] : kind === 'rate' ? rates : nums(o.concurrency))].sort((a, b) => a - b)
  const headers = obj(o.headers)
  const prompts = o.dataset !== undefined ? 'file' : str(obj(o.prompts)?.kind)
  const out: ScenarioFields = {
    server: str(o.server) ?? '',
    model: str(o.model) ?? '',
    endpoint: str(o.endpoint) ?? 'chat',
    stream: o.stream !== false,
    headerNames: headers ? Object.keys(headers).sort() : Array.isArray(o.headerNames) ? (o.headerNames as string[]) : [],
    mode,
    kind,
    loads,
  }
  const requests = num(o.requests) ?? num(o.numPrompts)
  const durationMs = ms(o.duration, o.durationMs)
  if (durationMs !== undefined) out.durationMs = durationMs
  else if (requests !== undefined) out.requests = requests
  const input = num(obj(o.input)?.tokens) ?? num(o.inputLen)
  const output = num(obj(o.output)?.tokens) ?? num(o.outputLen)
  if (prompts && prompts !== 'synthetic') out.prompts = prompts
  else {
    if (input !== undefined) out.inputTokens = input
    if (output !== undefined) out.outputTokens = output
  }
  const workload = workloadOf(obj(o.sessions), obj(o.agent))
  if (workload) out.workload = workload
  const timeout = num(o.timeout) ?? num(o.timeoutMs)
  if (timeout !== undefined) out.timeoutMs = timeout
  if (Object.keys(bounds).length) out.goodput = { bounds, ...(min !== undefined ? { min } : {}) }
  const maxConcurrency = num(o.maxConcurrency)
  if (maxConcurrency !== undefined) out.maxConcurrency = maxConcurrency
  const arrival = str(o.arrival)
  if (arrival !== undefined && kind === 'rate') out.arrival = arrival
  const sweepMin = num(sweep?.min)
  if (sweepMin !== undefined) out.sweepMin = sweepMin
  if (sweep) out.sweep = sweep
  const over = ms(ramp?.over, ramp?.overMs)
  if (ramp && over !== undefined) out.ramp = { from: num(ramp.from) ?? 0, to: num(ramp.to) ?? 0, overMs: over, ...(str(ramp.shape) ? { shape: str(ramp.shape) } : {}) }
  const body = obj(o.body)
  if (body && Object.keys(body).length) out.body = body
  return out
}

/** The goodput share a level must reach to pass: the scenario's `slo.goodput.min`, or its sweep's. */
export function goodputTarget(f: ScenarioFields): number | undefined {
  return f.goodput?.min ?? (f.mode === 'sweep' ? f.sweepMin : undefined)
}

const group = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 })

/** What was run, in one short line: `concurrency 1, 8, 32 · 256 in / 128 out · 100 requests a level · chat`. */
export function settingsLine(f: ScenarioFields): string {
  const load =
    f.mode === 'sweep' ? `${f.kind} sweep`
      : f.mode === 'ramp' ? `${f.kind} ramp to ${f.loads.map(group).join(', ')}`
        : `${f.kind} ${f.loads.map(group).join(', ')}${f.kind === 'rate' ? ' req/s' : ''}`
  const lengths = f.prompts ? `${f.prompts} prompts` : f.inputTokens !== undefined ? `${group(f.inputTokens)} in / ${group(f.outputTokens ?? 0)} out` : ''
  const unit = f.workload?.startsWith('sessions') ? 'sessions' : f.workload ? 'tasks' : 'requests'
  const size = f.durationMs !== undefined ? `${group(f.durationMs / 1000)} s a level` : f.requests !== undefined ? `${group(f.requests)} ${unit} a level` : ''
  return [load, lengths, size, f.workload ?? '', `${f.endpoint}${f.stream ? '' : ', not streamed'}`].filter(Boolean).join(' · ')
}

/** The same scenario over time: the model, lengths and protocol (the server's port may change between runs). */
export function trendName(f: ScenarioFields): string {
  const lengths = f.prompts ? `${f.prompts} prompts` : `${f.inputTokens ?? '?'} in / ${f.outputTokens ?? '?'} out`
  return `${f.model}, ${lengths} (${f.endpoint}${f.stream ? '' : ', not streamed'})`
}

/**
 * The body of `POST /api/v1/benchmark/run` that runs the scenario again, with `server` the
 * configured name when one has its URL. A version-2 scenario is its options as run: sent back as
 * they are. Header values and API keys were never kept (a named server brings its own); a shard
 * and its start time belonged to that run only.
 */
export function runBody(options: ScenarioOptionsPublic | Loose, servers: Array<{ name?: string; url: string }> = []): Loose {
  const o = options as Loose
  const f = scenarioFields(o)
  const named = servers.find((s) => s.name && sameUrl(s.url, f.server))
  const server = named?.name ?? f.server
  if (!('numPrompts' in o) && !('inputLen' in o)) {
    const { headers: _h, apiKey: _k, shard: _s, startAt: _t, ...rest } = o
    return { ...rest, server }
  }
  const body: Loose = { server, model: f.model, endpoint: f.endpoint }
  if (!f.stream) body.stream = false
  if (f.sweep) body.sweep = sweepInput(f.sweep)
  else if (f.ramp) body.ramp = { of: f.kind, from: f.ramp.from, to: f.ramp.to, over: `${f.ramp.overMs / 1000}s`, ...(f.ramp.shape ? { shape: f.ramp.shape } : {}) }
  else body[f.kind] = f.loads
  if (f.kind === 'rate' && f.arrival) body.arrival = f.arrival
  if (f.maxConcurrency !== undefined) body.maxConcurrency = f.maxConcurrency
  if (f.durationMs !== undefined) body.duration = `${f.durationMs / 1000}s`
  else if (f.requests !== undefined) body.requests = f.requests
  if (f.inputTokens !== undefined) body.input = { tokens: f.inputTokens }
  if (f.outputTokens !== undefined) body.output = { tokens: f.outputTokens }
  if (f.goodput) body.slo = { goodput: { ...f.goodput.bounds, ...(f.goodput.min ?? f.sweepMin) !== undefined ? { min: f.goodput.min ?? f.sweepMin } : {} } }
  if (f.body) body.body = f.body
  return body
}

/** A sweep as the result keeps it (the runner's options) back to the bench option. */
/** `sessions of 4 turns, 2s think time`, `tool loops of up to 8 steps`, or nothing. */
function workloadOf(sessions: Loose | undefined, agent: Loose | undefined): string | undefined {
  const parts: string[] = []
  if (sessions) {
    const t = sessions.turns
    const turns = typeof t === 'number' ? `${t} turns` : t === 'dataset' ? "each conversation's turns" : obj(t) ? `${num(obj(t)!.min)}–${num(obj(t)!.max)} turns` : '4 turns'
    const think = sessions.thinkTime === undefined ? '' : `, ${typeof sessions.thinkTime === 'object' ? 'drawn' : String(sessions.thinkTime)} think time`
    parts.push(`sessions of ${turns}${think}`)
  }
  if (agent) parts.push(`tool loops of up to ${num(agent.maxSteps) ?? 8} steps`)
  return parts.length ? parts.join(', ') : undefined
}

function sweepInput(s: Loose): Loose {
  if (s.method === 'rates') return { method: 'rates', levels: s.levels, saturation: s.saturation }
  const out: Loose = { method: 'capacity', of: s.kind ?? s.of }
  for (const k of ['min', 'start', 'max', 'factor', 'resolution']) if (s[k] !== undefined) out[k] = s[k]
  if (s.maxLevels !== undefined || s.levels !== undefined) out.levels = s.maxLevels ?? s.levels
  if (typeof s.maxTimeMs === 'number') out.maxTime = `${s.maxTimeMs / 1000}s`
  return out
}

function sameUrl(a: string, b: string): boolean {
  const clean = (u: string) => u.replace(/\/+$/, '').replace(/\/v1$/, '')
  return clean(a) === clean(b)
}
