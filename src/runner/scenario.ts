/**
 * Runs one scenario: a preflight request, then each load level in turn — a fixed list of
 * concurrencies, rates or a ramp, or the levels a sweep chooses as it searches.
 */
import { getAdapter } from '../client/registry.js'
import { LlmClient } from '../client/http.js'
import { authHeaders } from '../client/adapter.js'
import { syntheticPrompts } from '../data/synthetic.js'
import { checkPromptsFit } from '../data/prompt-memory.js'
import { startTelemetry, type TelemetrySampler } from '../telemetry/sampler.js'
import { UsageError } from '../errors.js'
import { rememberSecrets, requestSecrets } from '../results/redact.js'
import { isConfigurationError, preflightMessage } from './preflight.js'
import { plannedLevels, promptsNeeded } from '../load/levels.js'
import { levelRecordsLimit } from '../records/trim.js'
import { createContext, promptSpecOf, type LevelContext } from './level.js'
import { runLevelUnlessStopped, threadCount, ThreadPool } from './threads.js'
import { runSweep } from './sweep.js'
import { serverWentAway } from './server-gone.js'
import { checkOpenFiles } from './fd-limit.js'
import type { RecordsWriter } from '../records/records-file.js'
import { connectionsFor, preparePrompts } from './prepare.js'
import type { ScenarioListener, ScenarioOptions, ScenarioOutcome } from './types.js'
import { kindsRefusal } from '../client/kinds-check.js'
import { checkMediaFits, needsOneThread } from './kinds.js'
import { checkSessionEndpoint } from './session-level.js'
import { randomBytes } from 'node:crypto'

export type { ScenarioOptions, TelemetrySettings, LevelStart, ScenarioListener, ScenarioOutcome } from './types.js'
export { connectionsFor } from './prepare.js'

/**
 * Runs the levels in turn. When `signal` aborts (the user pressed Ctrl-C), no new request is
 * sent, requests in flight end as `aborted`, and the levels measured so far are returned.
 */
export async function runScenario(given: ScenarioOptions, listener: ScenarioListener = {}, signal?: AbortSignal, recordsFile?: RecordsWriter): Promise<ScenarioOutcome> {
  const opts: ScenarioOptions = { ...given, recordsLimit: given.recordsLimit ?? levelRecordsLimit(levelsExpected(given)) }
  // Session ids name the run too: a router's affinity table must not mix two runs' sessions.
  if (opts.sessions) opts.sessionTag ??= `llmbench-${randomBytes(4).toString('hex')}`
  const stopped = () => signal?.aborted === true
  checkOpenFiles(connectionsFor(opts))
  checkKinds(opts)
  const adapter = getAdapter(opts.endpoint)
  checkSessionEndpoint(opts)
  const headers: Record<string, string> = { ...opts.headers, ...authHeaders(adapter, opts.apiKey) }
  // Known in this thread too (a worker runs bench files), so failure messages are redacted at the source.
  rememberSecrets(requestSecrets({ ...opts, headers }))
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
  const trace = ctx.spec.kind === 'file' && ctx.spec.format === 'trace'
  const plans = opts.sweep ? [] : plannedLevels({ ...opts, trace })
  // Before any request: a dataset file that cannot be read, prompts that cannot fit in memory.
  const mostPrompts = Math.max(opts.numPrompts, ...plans.map((p) => promptsNeeded(p, opts.numPrompts)))
  checkPromptsFit(ctx.spec, mostPrompts)
  checkMediaFits(opts, mostPrompts)
  signal?.addEventListener('abort', onAbort)
  const outcome: ScenarioOutcome = { levels: [] }
  try {
    const measuredBefore = await preflight(ctx)
    if (stopped()) return outcome
    outcome.prompts = await preparePrompts(ctx)
    if (stopped()) return outcome
    listener.onPrompts?.(outcome.prompts)
    ctx.telemetry = startSampler(opts, headers, listener)
    // A sweep decides each level from all its requests, an early stop watches them all, a trace replays in order,
    // a validity function is code no thread can be handed: one thread each.
    const threads = trace || opts.sweep || opts.stopEarly || needsOneThread(opts) ? 1 : threadCount(opts, { slots: splitSlots(opts), streams: mostStreams(opts), itlMs: measuredBefore.itlMs })
    if (threads > 1) ctx.threads = new ThreadPool(opts, threads)
    if (opts.sweep) Object.assign(outcome, await runSweep(ctx, opts.sweep), { prompts: outcome.prompts })
    for (let i = 0; i < plans.length && !stopped(); i++) {
      const level = await runLevelUnlessStopped(ctx, plans[i], i)
      if (!level) break
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


/** A request kind the endpoint cannot send (known once `auto` found the endpoint): one line before any request. */
function checkKinds(opts: ScenarioOptions): void {
  const refused = kindsRefusal(opts.endpoint, opts)
  if (refused) throw new UsageError(`${refused.path.join('.')}: ${refused.message}`)
  // Both would be the request's `tools`: the tool loop's would silently win.
  if (opts.agent && opts.structured?.tools) {
    throw new UsageError('structured.tools: a tool loop offers its own tools (agent.tools, --tools) with every request: give the tools once, to the tool loop, or drop the tool loop')
  }
}

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

