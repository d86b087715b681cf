/**
 * Runs one scenario: a preflight request, then each load level in turn (warm-up first, then
 * the measured requests), watching the client's own event loop and CPU so a level measured
 * while llmbench itself was the bottleneck says so.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getAdapter } from '../client/registry.js'
import { LlmClient } from '../client/http.js'
import { RequestTracker } from '../client/tracker.js'
import { authHeaders, type RequestSpec } from '../client/adapter.js'
import { syntheticPrompts, type SyntheticPrompt } from '../data/synthetic.js'
import { runClosedLoop } from '../load/closed-loop.js'
import { summarizeLevel } from '../metrics/index.js'
import type { LevelResult, RequestRecord, SloSet } from '../results/types.js'
import { UsageError } from '../errors.js'
import { headerValueSecrets, rememberSecrets } from '../results/redact.js'
import { isConfigurationError, preflightMessage } from './preflight.js'

export interface ScenarioOptions {
  server: string
  model: string
  endpoint: string
  stream: boolean
  concurrency: number[]
  numPrompts: number
  /** Warm-up requests per level; default: one per concurrent slot, so every connection is open. */
  warmup?: number
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
  seed: number
}

export interface LevelStart {
  index: number
  concurrency: number
  total: number
  warmup: number
}

export interface ScenarioListener {
  onLevelStart?(level: LevelStart): void
  onWarmupEnd?(level: LevelStart): void
  onRecord?(record: RequestRecord, level: LevelStart): void
  onLevelEnd?(level: LevelResult, start: LevelStart): void
}

/** Warm-up requests ask for few tokens: they open connections and wake the server, no more. */
const WARMUP_MAX_TOKENS = 16
const LOOP_SAMPLE_MS = 10

/**
 * Runs the levels in turn. When `signal` aborts (the user pressed Ctrl-C), no new request is
 * sent, requests in flight end as `aborted`, and the levels measured so far are returned.
 */
export async function runScenario(
  opts: ScenarioOptions,
  listener: ScenarioListener = {},
  signal?: AbortSignal,
): Promise<LevelResult[]> {
  const stopped = () => signal?.aborted === true
  const adapter = getAdapter(opts.endpoint)
  // A protocol without a streamed form (embeddings) is measured whole.
  const stream = opts.stream && adapter.streams !== false
  const headers: Record<string, string> = { ...opts.headers, ...authHeaders(adapter, opts.apiKey) }
  // Known in this thread too (a worker runs bench files), so failure messages are redacted at the source.
  rememberSecrets([opts.apiKey, ...Object.values(headers).flatMap(headerValueSecrets)])
  const client = new LlmClient({
    server: opts.server,
    connections: Math.max(...opts.concurrency),
    timeoutMs: opts.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    headers,
  })
  const spec = (prompt: SyntheticPrompt, maxTokens: number): RequestSpec => ({
    model: opts.model,
    prompt: prompt.text,
    promptTokens: prompt.tokens,
    maxTokens,
    stream,
    ignoreEos: opts.ignoreEos,
    includeUsage: opts.includeUsage,
    continuousUsage: opts.continuousUsage,
    body: opts.body,
  })
  const send = (tag: string, prompt: SyntheticPrompt, maxTokens: number, index: number, warmup: boolean, scheduledAt: number) => {
    const tracker = new RequestTracker(index, warmup, stream, scheduledAt, prompt.tokens, adapter.generates !== false)
    return client.send(adapter, adapter.buildRequest(spec(prompt, maxTokens)), tracker, `llmbench-${tag}-${index}`)
  }

  const onAbort = () => client.abortAll()
  signal?.addEventListener('abort', onAbort)
  try {
    const [probe] = syntheticPrompts(1, Math.min(opts.inputLen, 16), opts.seed + 7919)
    const check = await send('preflight', probe, 4, 0, true, 0)
    if (stopped()) return []
    if (isConfigurationError(check)) throw new UsageError(preflightMessage(opts.server, opts.model, check))

    const levels: LevelResult[] = []
    for (let i = 0; i < opts.concurrency.length && !stopped(); i++) {
      const concurrency = opts.concurrency[i]
      const warmupCount = opts.warmup ?? concurrency
      const start: LevelStart = { index: i, concurrency, total: opts.numPrompts, warmup: warmupCount }
      listener.onLevelStart?.(start)
      // Prompts are built before the clock starts: tokenizing must not slow the load.
      const prompts = syntheticPrompts(opts.numPrompts + warmupCount, opts.inputLen, opts.seed + i * 1_000_003)
      const warm = await runClosedLoop({
        concurrency,
        total: warmupCount,
        stopped,
        send: (k, at) => send(`L${i}-warmup`, prompts[opts.numPrompts + k], Math.min(opts.outputLen, WARMUP_MAX_TOKENS), k, true, at),
      })
      listener.onWarmupEnd?.(start)

      // A 1 ms resolution would wake an idle client 1,000 times a second.
      const monitor = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS })
      monitor.enable()
      const cpuBefore = process.cpuUsage()
      const wallBefore = performance.now()
      const measured = await runClosedLoop({
        concurrency,
        total: opts.numPrompts,
        stopped,
        send: (k, at) => send(`L${i}`, prompts[k], opts.outputLen, k, false, at),
        onRecord: (r) => listener.onRecord?.(r, start),
      })
      monitor.disable()
      const cpu = process.cpuUsage(cpuBefore)
      const wall = performance.now() - wallBefore
      const records = [...warm, ...measured]
      const summary = summarizeLevel(records, {
        load: { kind: 'concurrency', value: concurrency },
        slo: opts.goodput,
        client: {
          // The histogram holds whole intervals between samples; the delay is what exceeds one.
          eventLoopDelayP99Ms: Math.max(0, monitor.percentile(99) / 1e6 - LOOP_SAMPLE_MS),
          cpuPercent: wall > 0 ? ((cpu.user + cpu.system) / 1000 / wall) * 100 : 0,
        },
      })
      const level: LevelResult = { summary, records }
      levels.push(level)
      listener.onLevelEnd?.(level, start)
    }
    return levels
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await client.close()
  }
}
