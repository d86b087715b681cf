/**
 * One scenario's load spread over worker threads when one event loop cannot keep up: thread i of
 * n runs shard i/n of each level (levels.ts shareOf: concurrency divided exactly, a rate split),
 * all threads start each level's measured part at the same moment, and their records stream into
 * one level collector (results/level-collector.ts) whose figures are computed from all of them.
 */
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import os from 'node:os'
import { now } from '../clock.js'
import { PACKAGE_ROOT } from '../version.js'
import { RuntimeError } from '../errors.js'
import { PromptsStopped } from '../data/turns.js'
import { responseBudget } from '../client/budget.js'
import type { LevelResult } from '../results/types.js'
import type { ServerSnapshot } from '../telemetry/sampler.js'
import { resetPrefixCache, serverAtEnd, serverAtStart } from './server-figures.js'
import type { LevelPlan } from '../load/levels.js'
import { meanValue } from '../load/profile.js'
import { levelCollector, levelStart, runLevel, sliceWindow, type LevelContext } from './level.js'
import { addLevelKinds } from './kinds.js'
import type { FromThread, ScenarioOptions, ToThread } from './types.js'

/**
 * Stream events a second one thread reads with its own figures still sharp: at 20,000 (2,000
 * streams at 100 ms) it adds under 2 / 3.5 ms at p99 to TTFT / ITL even with the server on the
 * same 2 cores (docs/performance.md).
 */
const EVENTS_PER_THREAD = 20_000
/** Without an event rate (no streaming, or no token times), the streams one thread carries. */
const STREAMS_PER_THREAD = 1000
/** Threads start a level's measured part together this long after the last is ready. */
const GO_DELAY_MS = 5

export interface ThreadDemand {
  /** Slots of the smallest level: each thread needs at least one of every level. */
  slots: number
  /** The most streams any level keeps open. */
  streams: number
  /** The server's inter-token latency measured before the run (the preflight), in ms. */
  itlMs?: number
  /** CPUs to count with (default: this machine's). */
  cpus?: number
}

/**
 * Threads for a scenario: as asked, or from the expected event rate (the most streams at the
 * server's unloaded inter-token latency, an upper bound since latency grows with load), one
 * thread per EVENTS_PER_THREAD, at most one less than the CPUs and never more than the smallest
 * level's slots.
 */
export function threadCount(opts: ScenarioOptions, d: ThreadDemand): number {
  const asked = opts.threads ?? 'auto'
  if (asked !== 'auto') return asked
  const wanted = d.itlMs !== undefined && d.itlMs > 0
    ? Math.ceil((d.streams * 1000) / d.itlMs / EVENTS_PER_THREAD)
    : Math.ceil(d.streams / STREAMS_PER_THREAD)
  // One core is left to the main thread (and often to a local server).
  return Math.max(1, Math.min((d.cpus ?? os.availableParallelism()) - 1, d.slots, wanted))
}

/** Runs a level in this thread, or across the scenario's threads when it has them. */
export function runAnyLevel(ctx: LevelContext, plan: LevelPlan, i: number): Promise<LevelResult> {
  return ctx.threads ? ctx.threads.run(ctx, plan, i) : runLevel(ctx, plan, i)
}

/** As runAnyLevel, but undefined when Ctrl-C stopped the level while its prompts were prepared (nothing was sent). */
export async function runLevelUnlessStopped(ctx: LevelContext, plan: LevelPlan, i: number): Promise<LevelResult | undefined> {
  try {
    return await runAnyLevel(ctx, plan, i)
  } catch (err) {
    if (err instanceof PromptsStopped && ctx.stopped()) return undefined
    throw err
  }
}

/** A rate level's mean target: the rate, or a ramp's average over its length. */
function meanRate(plan: LevelPlan): number {
  const ramp = plan.load.ramp
  return ramp && plan.profile ? meanValue(plan.profile, 0, ramp.overSec * 1000) : plan.load.value
}

export class ThreadPool {
  private readonly workers: Worker[]
  private readonly handlers = new Set<(m: FromThread, from: number) => void>()

  constructor(opts: ScenarioOptions, readonly count: number) {
    const file = join(PACKAGE_ROOT, 'dist', 'src', 'runner', 'thread-worker.js')
    this.workers = Array.from({ length: count }, (_, index) => {
      // Threads send every record to this thread as it ends (thread-worker.ts) and keep none.
      const shardOpts: ScenarioOptions = { ...opts, shard: { index, count }, threads: 1, telemetry: { enabled: false }, recordsLimit: 0 }
      // The thread's responses count against this process's buffer budget; what it held is freed when it ends.
      const budget = responseBudget().forThread()
      const w = new Worker(file, { workerData: { opts: shardOpts, budget } })
      w.on('message', (m: FromThread) => this.handlers.forEach((h) => h(m, index)))
      w.on('error', (err) => this.handlers.forEach((h) => h({ type: 'failed', message: err.message }, index)))
      w.on('exit', () => responseBudget().release(budget))
      return w
    })
  }

  async run(ctx: LevelContext, plan: LevelPlan, i: number): Promise<LevelResult> {
    const start = levelStart(plan, i, ctx.opts.sessions !== undefined)
    ctx.listener.onLevelStart?.(start)
    // Threads stream their records here as they end: the level is collected exactly as one
    // thread's would be, and no thread or list holds all of them.
    const collect = levelCollector(ctx, plan, i)
    const done: Array<FromThread & { type: 'done' }> = []
    let ready = 0
    let serverBefore: ServerSnapshot | null | undefined
    // The server's prefix cache emptied before any thread sends, where asked and offered.
    const reset = ctx.opts.resetPrefixCache ? await resetPrefixCache(ctx.opts.server, ctx.headers) : undefined
    let cpuBefore: NodeJS.CpuUsage | undefined
    let wallBefore = 0
    const finished = new Promise<void>((resolve, reject) => {
      const handler = (m: FromThread, from: number) => {
        if (m.type === 'failed') {
          this.handlers.delete(handler)
          reject(m.stopped ? new PromptsStopped() : new RuntimeError(`a load thread failed: ${m.message}`))
        } else if (m.type === 'ready' && m.index === i && ++ready === this.count) {
          void (async () => {
            ctx.listener.onWarmupEnd?.(start)
            serverBefore = await serverAtStart(ctx.telemetry)
            cpuBefore = process.cpuUsage()
            wallBefore = performance.now()
            const at = now() + GO_DELAY_MS
            const slices = sliceWindow(plan, at)
            if (slices) collect.startSlices(slices)
            this.post({ type: 'go', at })
          })()
        } else if (m.type === 'records' && m.index === i) {
          for (const r of m.records) {
            // Thread t's request k is request k·n + t of the level, as its request id says.
            r.index = r.index * this.count + from
            collect.add(r)
            if (!r.warmup && !r.cooldown) ctx.listener.onRecord?.(r, start)
          }
        } else if (m.type === 'done' && m.index === i) {
          done.push(m)
          if (done.length === this.count) {
            this.handlers.delete(handler)
            resolve()
          }
        }
      }
      this.handlers.add(handler)
    })
    this.post({ type: 'level', index: i, load: plan.load })
    await finished
    const cpu = cpuBefore ? process.cpuUsage(cpuBefore) : { user: 0, system: 0 }
    const wall = performance.now() - wallBefore
    const summary = collect.summary(
      {
        // The worst thread's loop says whether any was a bottleneck; threads share the process's
        // CPU, counted against one core per thread.
        eventLoopDelayP99Ms: Math.max(...done.map((d) => d.eventLoopDelayP99Ms)),
        eventLoopDelayMaxMs: Math.max(...done.map((d) => d.eventLoopDelayMaxMs)),
        cpuPercent: wall > 0 ? ((cpu.user + cpu.system) / 1000 / wall / this.count) * 100 : 0,
      },
      meanRate(plan),
    )
    addLevelKinds(summary, ctx.opts, collect.window(), await ctx.telemetry?.gpuNow())
    await serverAtEnd(ctx.telemetry, serverBefore, summary)
    if (reset && summary.prefixCache) summary.prefixCache.reset = reset
    // Warnings only a thread could see (reused prompts or sessions), once each.
    for (const w of new Set(done.flatMap((d) => d.warnings))) if (/reused a (prompt|session)/.test(w) && !summary.warnings.includes(w)) summary.warnings.push(w)
    const level = collect.result(summary)
    ctx.listener.onLevelEnd?.(level, start)
    return level
  }

  abort(): void {
    this.post({ type: 'stop' })
  }

  async close(): Promise<void> {
    this.post({ type: 'close' })
    await Promise.all(this.workers.map((w) => new Promise((resolve) => w.once('exit', resolve))))
  }

  private post(m: ToThread): void {
    for (const w of this.workers) w.postMessage(m)
  }
}
