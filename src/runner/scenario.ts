/**
 * Runs one scenario: a preflight request, then each load level in turn — a fixed list of
 * concurrencies, rates or a ramp, or the levels a sweep chooses as it searches.
 */
import { getAdapter } from '../client/registry.js'
import { LlmClient } from '../client/http.js'
import { authHeaders } from '../client/adapter.js'
import { syntheticPrompts } from '../data/synthetic.js'
import type { LevelResult, PromptsSummary, RequestRecord, SloSet, SweepSummary, TelemetrySeries } from '../results/types.js'
import type { PromptSpec } from '../data/prompt.js'
import { describePrompts } from '../data/prompts.js'
import { calibrateSynthetic } from '../data/calibrate.js'
import { startTelemetry, type TelemetrySampler } from '../telemetry/sampler.js'
import { UsageError } from '../errors.js'
import { headerValueSecrets, rememberSecrets } from '../results/redact.js'
import { isConfigurationError, preflightMessage } from './preflight.js'
import { plannedLevels, type LevelPlan, type LoadOptions } from './levels.js'
import { levelRecordsLimit } from '../results/trim.js'
import { createContext, promptSpecOf, type LevelContext } from './level.js'
import { runAnyLevel, threadCount, ThreadPool } from './threads.js'
import { runSweep } from './sweep.js'
import { serverWentAway, type ServerGone } from './server-gone.js'
import { checkOpenFiles } from './fd-limit.js'
import type { RecordsWriter } from '../results/records-file.js'
import type { SweepOptions } from '../load/sweep.js'

export interface ScenarioOptions extends LoadOptions {
  server: string
  model: string
  endpoint: string
  stream: boolean
  inputLen: number
  outputLen: number
  ignoreEos: boolean
  includeUsage: boolean
  continuousUsage: boolean
  timeoutMs: number
  /** A response silent this long after its head ends as `timeout` (client/http.ts); default 60 s, or timeoutMs if smaller. */
  idleTimeoutMs?: number
  apiKey?: string
  headers: Record<string, string>
  body: Record<string, unknown>
  goodput?: SloSet
  /** `slo.goodput.min`: the share of good requests a level should reach (drawn and judged by reports). */
  goodputMin?: number
  /** Instead of fixed levels, search for the capacity or spread rates (load/sweep.ts). */
  sweep?: SweepOptions
  /** Server /metrics and GPU sampling during the run (docs/telemetry.md); on unless `enabled: false`. */
  telemetry?: TelemetrySettings
  /** Where prompts come from (docs/datasets.md); default: synthetic prompts of inputLen / outputLen tokens. */
  prompts?: PromptSpec
  /** Fit synthetic prompts to the server's /tokenize when it has one (default true). */
  calibrate?: boolean
  /** Records kept per level in the result (a seeded sample beyond it; all are in the records file). Default 100,000. */
  recordsLimit?: number
  /** Load threads: a number, or 'auto' (default) from the CPUs and the streams (threads.ts). */
  threads?: number | 'auto'
  /** Wall-clock time (epoch ms) at which the first level's measured part begins: shards start together. */
  startAt?: number
  seed: number
}

export interface TelemetrySettings {
  enabled?: boolean
  intervalMs?: number
  /** nvidia-smi on this machine (default: when the server is on this machine), or a DCGM exporter. */
  gpu?: boolean | { dcgmUrl: string }
}

export interface LevelStart {
  index: number
  plan: LevelPlan
  /** Measured requests, when the level is bounded by a count. */
  total?: number
  /** The measured part's length in seconds, when the level is bounded by time. */
  durationSec?: number
  warmup: number
}

export interface ScenarioListener {
  onLevelStart?(level: LevelStart): void
  onWarmupEnd?(level: LevelStart): void
  onRecord?(record: RequestRecord, level: LevelStart): void
  onLevelEnd?(level: LevelResult, start: LevelStart): void
  /** One line about the run itself, e.g. a telemetry source that is not available. */
  onNotice?(line: string): void
  /** The prompts are ready (and fitted to the server's tokenizer), before the first level. */
  onPrompts?(summary: PromptsSummary): void
}

export interface ScenarioOutcome {
  levels: LevelResult[]
  /** The server went away: the levels after the one where it happened were not run. */
  serverGone?: ServerGone
  sweep?: SweepSummary
  telemetry?: TelemetrySeries[]
  prompts?: PromptsSummary
}

/**
 * Runs the levels in turn. When `signal` aborts (the user pressed Ctrl-C), no new request is
 * sent, requests in flight end as `aborted`, and the levels measured so far are returned.
 */
export async function runScenario(given: ScenarioOptions, listener: ScenarioListener = {}, signal?: AbortSignal, recordsFile?: RecordsWriter): Promise<ScenarioOutcome> {
  const opts: ScenarioOptions = { ...given, recordsLimit: given.recordsLimit ?? levelRecordsLimit(levelsExpected(given)) }
  const stopped = () => signal?.aborted === true
  checkOpenFiles(connectionsFor(opts))
  const adapter = getAdapter(opts.endpoint)
  const headers: Record<string, string> = { ...opts.headers, ...authHeaders(adapter, opts.apiKey) }
  // Known in this thread too (a worker runs bench files), so failure messages are redacted at the source.
  rememberSecrets([opts.apiKey, ...Object.values(headers).flatMap(headerValueSecrets)])
  const client = new LlmClient({
    server: opts.server,
    connections: connectionsFor(opts),
    timeoutMs: opts.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    headers,
  })
  const ctx: LevelContext = createContext({ opts, client, adapter, listener, stopped, headers, spec: promptSpecOf(opts), recordsFile })
  const onAbort = () => {
    client.abortAll()
    ctx.threads?.abort()
  }
  signal?.addEventListener('abort', onAbort)
  try {
    const measuredBefore = await preflight(ctx)
    if (stopped()) return { levels: [] }
    const prompts = await preparePrompts(ctx)
    if (stopped()) return { levels: [], prompts }
    listener.onPrompts?.(prompts)
    ctx.telemetry = startSampler(opts, headers, listener)
    const trace = ctx.spec.kind === 'file' && ctx.spec.format === 'trace'
    // A sweep decides each level from all its requests, a trace replays in order: one thread each.
    const threads = trace || opts.sweep ? 1 : threadCount(opts, { slots: splitSlots(opts), streams: mostStreams(opts), itlMs: measuredBefore.itlMs })
    if (threads > 1) ctx.threads = new ThreadPool(opts, threads)
    const outcome: ScenarioOutcome = opts.sweep ? await runSweep(ctx, opts.sweep) : { levels: [] }
    outcome.prompts = prompts
    const plans = opts.sweep ? [] : plannedLevels({ ...opts, trace })
    for (let i = 0; i < plans.length && !stopped(); i++) {
      const level = await runAnyLevel(ctx, plans[i], i)
      outcome.levels.push(level)
      outcome.serverGone = serverWentAway(level, i === plans.length - 1)
      if (outcome.serverGone) break
    }
    if (opts.sweep) outcome.serverGone = outcome.levels.map((l, i, all) => serverWentAway(l, i === all.length - 1)).find(Boolean)
    const series = await ctx.telemetry?.stop()
    if (series?.length) outcome.telemetry = series
    return outcome
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await ctx.telemetry?.stop()
    await ctx.threads?.close()
    await client.close()
  }
}

/** The scenario's prompt source, fitted to the server's /tokenize when it has one. */
export async function preparePrompts(ctx: LevelContext): Promise<PromptsSummary> {
  const { opts } = ctx
  const summary: PromptsSummary = { source: describePrompts(ctx.spec) }
  const fittable = ctx.spec.kind === 'synthetic' || ctx.spec.format === 'trace'
  if (!fittable || opts.calibrate === false) return summary
  try {
    const chat = CHAT_ENDPOINTS.has(opts.endpoint)
    const found = await calibrateSynthetic(opts.server, opts.model, ctx.spec, { chat, headers: ctx.headers, seed: opts.seed })
    if (found) {
      ctx.calibration = found
      summary.calibration = found.report
    }
  } catch (err) {
    ctx.listener.onNotice?.(`prompt calibration skipped: ${(err as Error).message}`)
  }
  return summary
}

/** Endpoints whose server counts the prompt with its chat template. */
const CHAT_ENDPOINTS = new Set(['chat', 'responses', 'anthropic', 'ollama'])

function startSampler(opts: ScenarioOptions, headers: Record<string, string>, listener: ScenarioListener): TelemetrySampler | undefined {
  const t = opts.telemetry ?? {}
  if (t.enabled === false) return undefined
  // A local nvidia-smi says nothing about a server on another machine.
  const gpu = t.gpu ?? isLoopback(opts.server)
  return startTelemetry({ server: opts.server, intervalMs: t.intervalMs, gpu, headers, onNotice: (line) => listener.onNotice?.(line) })
}

function isLoopback(server: string): boolean {
  const host = new URL(server).hostname
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.')
}

/**
 * A first small request: an unknown model or a refused connection is a usage error, before any
 * level. Its token times give the server's unloaded inter-token latency, when it streamed.
 */
async function preflight(ctx: LevelContext): Promise<{ itlMs?: number }> {
  const { opts } = ctx
  const [probe] = syntheticPrompts(1, Math.min(opts.inputLen, 16), opts.seed + 7919)
  const check = await ctx.send('preflight', probe, 4, 0, true, 0)
  if (ctx.stopped()) return {}
  if (isConfigurationError(check)) throw new UsageError(preflightMessage(opts.server, opts.model, check))
  const t = check.tokenTimes
  return t && t.length >= 2 ? { itlMs: (t[t.length - 1] - t[0]) / (t.length - 1) } : {}
}

const OPEN_LOOP_CONNECTIONS = 1024

/** The smallest level's slots: what threads divide. Uncapped rates have none to divide. */
function splitSlots(o: ScenarioOptions): number {
  if (o.ramp) return o.ramp.kind === 'concurrency' ? Math.min(o.ramp.from, o.ramp.to) : (o.maxConcurrency ?? 1)
  if (o.rate?.length || o.sweep) return o.maxConcurrency ?? 1
  return Math.min(...o.concurrency)
}

/** The levels a scenario runs: its planned ones, or the most a sweep may run. */
function levelsExpected(o: ScenarioOptions): number {
  if (!o.sweep) return plannedLevels(o).length
  return o.sweep.method === 'capacity' ? o.sweep.maxLevels : o.sweep.levels + 2
}

/** The most streams any level keeps open (threads carry them); an uncapped rate has no bound, so 1. */
function mostStreams(o: ScenarioOptions): number {
  if (o.ramp) return o.ramp.kind === 'concurrency' ? Math.max(o.ramp.from, o.ramp.to) : (o.maxConcurrency ?? 1)
  if (o.rate?.length || o.sweep) return o.maxConcurrency ?? 1
  return Math.max(...o.concurrency)
}

/**
 * The pool's size: the most requests ever in flight, or for open loops without a cap a bound on
 * sockets (a request past it waits for a connection, and that wait counts as the client's lateness).
 */
export function connectionsFor(o: ScenarioOptions): number {
  if (o.maxConcurrency !== undefined) return o.maxConcurrency
  if (o.prompts?.kind === 'file' && o.prompts.format === 'trace') return OPEN_LOOP_CONNECTIONS
  if (o.sweep?.method === 'capacity') return o.sweep.kind === 'concurrency' ? o.sweep.max : OPEN_LOOP_CONNECTIONS
  if (o.sweep?.method === 'rates') return Math.max(o.sweep.saturation, OPEN_LOOP_CONNECTIONS)
  if (o.ramp) return o.ramp.kind === 'concurrency' ? Math.max(o.ramp.from, o.ramp.to) : OPEN_LOOP_CONNECTIONS
  if (o.rate?.length) return OPEN_LOOP_CONNECTIONS
  return Math.max(...o.concurrency)
}
