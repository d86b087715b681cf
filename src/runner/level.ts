/**
 * One level: its short warm-up, then the load (closed or open loop) through warm-up, measured and
 * cool-down phases, while the client's own event loop and CPU are watched so a level measured
 * while llmbench itself was the bottleneck says so.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { RequestTracker } from '../client/tracker.js'
import type { RequestSpec } from '../client/adapter.js'
import { loadPrompts } from '../data/prompts.js'
import { preloadTokenizer } from '../data/tokenizer.js'
import type { Prompt, PromptSpec } from '../data/prompt.js'
import type { LevelContext, SendablePrompt } from './level-context.js'
import { mulberry32, mixSeed } from '../random.js'
import { runClosedLoop, runPhasedClosedLoop } from '../load/closed-loop.js'
import { runOpenLoop } from '../load/open-loop.js'
import { gapSource } from '../load/arrivals.js'
import { meanValue } from '../load/profile.js'
import { PhaseClock, type Phase } from '../load/phases.js'
import type { LevelResult, LevelSummary, RequestRecord } from '../results/types.js'
import { promptsNeeded, type LevelPlan, type Shard } from '../load/levels.js'
import { waitUntil } from '../load/wait.js'
import { LevelCollector, type SliceWindow } from '../records/level-collector.js'
import { sliceWidth } from '../metrics/slices.js'
import { now } from '../clock.js'
import { StoppingRule } from '../verdicts/sequential.js'
import { REFUSED_IN_A_ROW } from './server-gone.js'
import type { LevelStart, ScenarioOptions } from './types.js'
import { DesignedReuse, repeatedOf } from './designed-reuse.js'
import { prepareSessionLevel, sessionsNeeded } from './session-level.js'
import { resetPrefixCache, serverAtEnd, serverAtStart } from './server-figures.js'
import { addLevelKinds, attachKinds, requestKinds, type RequestKinds } from './kinds.js'
import { ReplyCapture } from '../client/reply.js'

export type { LevelContext, LevelThreads, SendablePrompt, SendExtras } from './level-context.js'

/** The scenario's prompt source: as given, or synthetic prompts of its input and output lengths. */
export function promptSpecOf(opts: ScenarioOptions): PromptSpec {
  return opts.prompts ?? { kind: 'synthetic', input: { tokens: opts.inputLen }, output: { tokens: opts.outputLen } }
}

export function createContext(base: Omit<LevelContext, 'send'>): LevelContext {
  const { opts, adapter, client } = base
  // A protocol without a streamed form (embeddings) is measured whole.
  const stream = opts.stream && adapter.streams !== false
  // A whole response without usage is counted by our tokenizer (client/tracker.ts): its tables load
  // now rather than while the first measured requests wait.
  if (!stream && adapter.generates !== false) preloadTokenizer()
  // Request kinds (runner/kinds.ts): an adapter's model or lora_path, structured output fields, media, the answer's check.
  const kinds = requestKinds(opts)
  const spec = (prompt: SendablePrompt, maxTokens: number, k: ReturnType<RequestKinds['forPrompt']>): RequestSpec => ({
    model: k.model,
    prompt: prompt.text,
    ...(prompt.messages ? { messages: prompt.messages } : {}),
    promptTokens: prompt.tokens,
    maxTokens,
    stream,
    ignoreEos: opts.ignoreEos,
    includeUsage: opts.includeUsage,
    continuousUsage: opts.continuousUsage,
    body: k.body,
    ...(k.media ? { media: k.media } : {}),
  })
  return {
    ...base,
    send(tag, prompt, maxTokens, index, warmup, scheduledAt, extra) {
      const tracker = new RequestTracker(index, warmup, stream, scheduledAt, prompt.tokens, adapter.generates !== false)
      const k = kinds.forPrompt(prompt)
      if (kinds.validator) {
        // The check reads the answer's text and tool calls (a session's capture when it has one).
        tracker.validator = kinds.validator
        tracker.reply = extra?.reply ?? new ReplyCapture()
      }
      if (k.record) tracker.kinds = k.record
      // A shard's (or thread's) request k is request k·n + i of the whole level, as merging numbers it:
      // request ids stay unique across shards and match the merged records.
      const id = opts.shard ? index * opts.shard.count + opts.shard.index : index
      const s = spec(prompt, maxTokens, k)
      if (!extra) return client.send(adapter, adapter.buildRequest(s), tracker, `llmbench-${tag}-${id}`)
      if (extra.body) s.body = { ...s.body, ...extra.body }
      if (extra.tools) s.tools = extra.tools
      if (extra.mediaAt !== undefined && s.media) s.mediaAt = extra.mediaAt
      const req = adapter.buildRequest(s)
      if (extra.headers) Object.assign(req.headers, extra.headers)
      if (extra.reply) tracker.reply = extra.reply
      if (extra.validator && !tracker.validator) {
        tracker.validator = extra.validator
        tracker.reply ??= new ReplyCapture()
      }
      return client.send(adapter, req, tracker, `llmbench-${tag}-${id}`)
    },
  }
}

/** Warm-up requests ask for few tokens: they open connections and wake the server, no more. */
const WARMUP_MAX_TOKENS = 16
const LOOP_SAMPLE_MS = 10

/** What a level's listeners are told when it starts. */
export function levelStart(plan: LevelPlan, i: number, sessions = false): LevelStart {
  const { measured } = plan.phases
  return {
    index: i,
    plan,
    warmup: plan.shortWarmup.count,
    ...('count' in measured ? { total: measured.count } : { durationSec: measured.ms / 1000 }),
    ...(sessions ? { sessions: true } : {}),
  }
}

export async function runLevel(ctx: LevelContext, plan: LevelPlan, i: number): Promise<LevelResult> {
  const { opts, listener, stopped } = ctx
  const start = levelStart(plan, i, opts.sessions !== undefined)
  listener.onLevelStart?.(start)
  // Each record is written out and counted as it ends, then dropped: a level of any length keeps
  // a bounded sample (results/trim.ts) and a few numbers per request, never every token time.
  const collect = levelCollector(ctx, plan, i)
  const take = (r: RequestRecord) => collect.add(r)

  // Before anything of the level is sent: the server's prefix cache emptied, where asked and offered.
  const reset = opts.resetPrefixCache && !ctx.loadThread ? await resetPrefixCache(opts.server, ctx.headers) : undefined

  // Prompts are built before the clock starts: tokenizing must not slow the load.
  const warmCount = plan.shortWarmup.count
  const seed = shardSeed(opts, opts.seed + (plan.seedIndex ?? i) * 1_000_003)
  const reuse = new DesignedReuse()
  const sessions = opts.sessions ? await prepareSessionLevel(ctx, i, sessionsNeeded(plan, opts), warmCount, seed, reuse, (r) => onRecord(r)) : undefined
  const poolSize = sessions ? sessions.env.scripts.length : promptsNeeded(plan, opts.numPrompts)
  const prompts = sessions ? [] : await loadPrompts(ctx.spec, poolSize + warmCount, seed, { tokenize: ctx.calibration?.tokenize, offset: ctx.calibration?.offset, stopped })
  // Request kinds (images, audio, LoRA adapters) per prompt; a session's come with its script (session-level.ts).
  attachKinds(prompts, opts, seed)
  const warmPrompt = (k: number) => (sessions ? sessions.warmup[k].first : prompts[poolSize + k])
  const warm = await runClosedLoop({
    concurrency: plan.shortWarmup.concurrency,
    total: warmCount,
    stopped,
    send: (k, at) => {
      // The server has seen them: a prefix they share is no longer new to it.
      reuse.prompt(warmPrompt(k).segments, `warmup:${k}`, warmPrompt(k).tokens)
      return ctx.send(`L${i}-warmup`, warmPrompt(k), Math.min(opts.outputLen, WARMUP_MAX_TOKENS), k, true, at)
    },
  })
  warm.forEach(take)
  if (i === 0 && opts.startAt !== undefined) await waitForStart(ctx, opts.startAt)
  const startAt = await ctx.beforeMeasure?.(i)
  listener.onWarmupEnd?.(start)

  let reused = 0
  const send = sessions ? sessions.run : (k: number, at: number, phase: Phase) => {
    if (k >= poolSize) reused++
    const prompt = prompts[k % poolSize]
    const repeated = reuse.prompt(prompt.segments, `prompt:${k % poolSize}`, prompt.tokens)
    return ctx.send(`L${i}`, prompt, prompt.maxTokens ?? opts.outputLen, k, phase === 'warmup', at).then((r) => {
      if (phase === 'cooldown') r.cooldown = true
      r.repeatedTokens = repeatedOf(repeated, prompt.tokens, r.inputTokens)
      return r
    })
  }
  // Connections refused again and again: the server is gone, and a closed loop would spin.
  let refused = 0
  const phases = new PhaseClock(plan.phases)
  const early = earlyStop(ctx, plan, phases)
  const stoppedHere = () => stopped() || refused >= REFUSED_IN_A_ROW || early?.decision?.reason === 'over-saturated'
  const onRecord = (r: RequestRecord) => {
    refused = r.outcome === 'connect' ? refused + 1 : 0
    take(r)
    if (!r.warmup && !r.cooldown) {
      listener.onRecord?.(r, start)
      early?.add(r)
    }
  }
  if (sessions) sessions.env.stopped = stoppedHere

  // A 1 ms resolution would wake an idle client 1,000 times a second.
  const monitor = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS })
  monitor.enable()
  const serverBefore = await serverAtStart(ctx.telemetry)
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const slices = sliceWindow(plan, now())
  if (slices) collect.startSlices(slices)
  const keep = false
  // A level bounded by time ends its sessions too: none starts a turn past it.
  const length = PhaseClock.deadline(plan.phases)
  if (sessions && length !== undefined) sessions.env.deadline = (plan.load.kind === 'concurrency' ? now() : (startAt ?? now())) + length
  plan.load.kind === 'concurrency'
    ? await runPhasedClosedLoop({ slots: slotsOf(plan), profile: plan.load.ramp ? plan.profile : undefined, phases, send, onRecord, stopped: stoppedHere, keep })
    : await runOpenLoop({ scheduleAt: plan.trace ? traceSchedule(plan, prompts.slice(0, poolSize)) : arrivalSchedule(plan, shardSeed(opts, opts.seed + (plan.seedIndex ?? i)), opts.shard), phases, send, maxConcurrency: plan.load.maxConcurrency, onRecord, stopped: stoppedHere, keep, startAt })
  monitor.disable()
  const cpu = process.cpuUsage(cpuBefore)
  const wall = performance.now() - wallBefore

  const summary = collect.summary(
    {
      // The histogram holds whole intervals between samples; the delay is what exceeds one.
      eventLoopDelayP99Ms: Math.max(0, monitor.percentile(99) / 1e6 - LOOP_SAMPLE_MS),
      eventLoopDelayMaxMs: Math.max(0, monitor.max / 1e6 - LOOP_SAMPLE_MS),
      cpuPercent: wall > 0 ? ((cpu.user + cpu.system) / 1000 / wall) * 100 : 0,
    },
    meanTarget(plan, phases),
  )
  addLevelKinds(summary, opts, collect.window(), await ctx.telemetry?.gpuNow())
  // Load threads leave the server's side to the main thread (threads.ts).
  if (!ctx.loadThread) await serverAtEnd(ctx.telemetry, serverBefore, summary)
  if (reset && summary.prefixCache) summary.prefixCache.reset = reset
  if (early?.decision) summary.stoppedEarly = early.decision
  if (early?.note) summary.warnings.push(early.note)
  if (reused > 0) {
    summary.warnings.push(`${reused} requests reused a prompt of this level (${poolSize} were prepared): a server's prefix cache may have served them; raise the number of prompts (requests / --num-prompts)`)
  }
  if (sessions) {
    const again = sessions.reused()
    if (again > 0) summary.warnings.push(`${again} sessions reused a session of this level (${poolSize} were prepared): a server's prefix cache may have served their first turns; raise the number of sessions (requests / --num-prompts)`)
    summary.warnings.push(...sessions.warnings())
  }
  const level = collect.result(summary)
  listener.onLevelEnd?.(level, start)
  return level
}

/**
 * The early stop of a level (`stopEarly`): the scenario's objectives on this level watched as
 * records end (verdicts/sequential.ts). Settled: the measured phase ends at the next request and
 * the requests in flight finish as measured. Over-saturated: nothing more is sent and the requests
 * in flight, which the server may not answer for minutes, end as interrupted (left out of the
 * figures, as with Ctrl-C). Ramps and trace replays change their load as they run: they never stop early.
 */
function earlyStop(ctx: LevelContext, plan: LevelPlan, phases: PhaseClock) {
  const { opts } = ctx
  const stop = opts.stopEarly
  if (!stop || plan.load.ramp || plan.trace) return undefined
  const objectives = stop.objectives.filter((o) => o.level === undefined || o.level === plan.load.value).map(({ level: _, ...o }) => o)
  const planned = 'count' in plan.phases.measured ? plan.phases.measured.count : undefined
  const rule = new StoppingRule({
    objectives,
    minRequests: stop.minRequests,
    load: plan.load,
    // A second's arrivals per batch, but at most 20: a saturated server answers a fraction of
    // them, and the ten batches the trend needs must not take minutes to end.
    ...(plan.load.kind === 'rate' ? { batchSize: Math.max(10, Math.min(20, Math.ceil(plan.load.value))) } : {}),
    ...(planned ? { plannedRequests: planned } : {}),
    ...(stop.goodput ?? opts.goodput ? { goodput: stop.goodput ?? opts.goodput } : {}),
  })
  const state = {
    decision: undefined as LevelSummary['stoppedEarly'],
    note: stop.untracked > 0 ? 'stopEarly: a second goodput objective with other bounds is checked at the level\'s end only: this level ran all its requests' : objectives.length === 0 && plan.load.kind !== 'rate' ? 'stopEarly: no objective names this level, and over-saturation is watched on rate levels only: it ran all its requests' : undefined,
    add(r: RequestRecord) {
      rule.add(r)
      if (state.decision) return
      const d = rule.check()
      if (d.stop && d.reason && (d.reason === 'over-saturated' || stop.untracked === 0)) {
        const decided = d.objectives.flatMap(({ figure, op, bound, state: s }) => (s === 'met' || s === 'missed' ? [{ figure, op, bound, state: s }] : []))
        state.decision = { reason: d.reason, message: d.message, requests: d.requests, ...(d.reason === 'settled' && decided.length ? { objectives: decided } : {}) }
        phases.endMeasured()
        // Asynchronously: this runs inside a request's own completion.
        if (d.reason === 'over-saturated') queueMicrotask(() => ctx.client.abortAll('the level stopped early: the server is over-saturated'))
      }
    },
  }
  return state
}

/** The collector of a level's records (results/level-collector.ts), for its whole load. */
export function levelCollector(ctx: LevelContext, plan: LevelPlan, i: number): LevelCollector {
  const { opts } = ctx
  return new LevelCollector({ index: i, load: plan.load, slo: opts.goodput, recordsLimit: opts.recordsLimit, seed: opts.seed, ...(opts.lora ? { adapters: { base: opts.model } } : {}) }, ctx.recordsFile)
}

/** Ramps and timed levels keep figures over time, from the loop's start (`loopStart`, monotonic ms). */
export function sliceWindow(plan: LevelPlan, loopStart: number): SliceWindow | undefined {
  const measured = plan.phases.measured
  if (!plan.load.ramp && !('ms' in measured)) return undefined
  const warmMs = 'ms' in plan.phases.warmup ? plan.phases.warmup.ms : 0
  const lengthMs = 'ms' in measured ? measured.ms : plan.load.ramp!.overSec * 1000
  const profile = plan.profile
  return { origin: loopStart + warmMs, width: sliceWidth(lengthMs), levelStart: loopStart, loadAt: (t) => (profile ? profile.valueAt(t) : plan.load.value) }
}

function slotsOf(plan: LevelPlan): number {
  const ramp = plan.load.ramp
  return Math.max(1, Math.ceil(ramp ? Math.max(ramp.from, plan.load.value) : plan.load.value))
}

/** Each shard draws its own prompts and arrivals; an unsharded run keeps the plain seed. */
function shardSeed(opts: ScenarioOptions, seed: number): number {
  return opts.shard && opts.shard.count > 1 ? mixSeed(seed, opts.shard.index + 1) : seed
}

/** The first level's measured part waits for the agreed wall-clock time, so shards start together. */
async function waitForStart(ctx: LevelContext, startAt: number): Promise<void> {
  const late = Date.now() - startAt
  if (late > 1000) ctx.listener.onNotice?.(`the start time passed ${(late / 1000).toFixed(1)} s ago: starting now, not with the other shards`)
  await waitUntil(now() - late)
}

/**
 * Arrival times of a rate level: seeded gaps with mean 1, mapped onto the clock by its profile.
 * Constant arrivals of shard i of n are offset by i gaps of the whole rate, so the shards together
 * keep the whole rate's even spacing.
 */
function arrivalSchedule(plan: LevelPlan, seed: number, shard?: Shard): (i: number) => number {
  const arrival = plan.load.arrival ?? 'poisson'
  const gap = gapSource(arrival, plan.load.burstiness ?? 1, mulberry32(mixSeed(seed, 0x5eed)))
  const profile = plan.profile!
  let s = arrival === 'constant' && shard && !plan.load.ramp ? shard.index / shard.count : 0
  let computed = -1
  let last = 0
  return (i) => {
    // Called in order; the first arrival is at the level's start.
    while (computed < i) {
      if (computed >= 0) s += gap()
      computed++
      last = profile.timeAt(s)
    }
    return last
  }
}

/**
 * A trace replays its own arrival times: prompt i at its `at`; past the end of the prepared
 * prompts it starts over, shifted by the trace's span. The level's rate becomes the trace's mean.
 */
function traceSchedule(plan: LevelPlan, prompts: Prompt[]): (i: number) => number {
  const at = prompts.map((p) => p.at ?? 0)
  const first = at[0] ?? 0
  const span = (at[at.length - 1] ?? 0) - first
  const gap = at.length > 1 ? span / (at.length - 1) : 1000
  plan.load.value = at.length > 1 && span > 0 ? Math.round(((at.length - 1) * 1000 * 1000) / span) / 1000 : 1
  return (i) => at[i % at.length] - first + Math.floor(i / at.length) * (span + gap)
}

/** The mean target rate over the measured part: the rate itself, or a ramp's average over it. */
function meanTarget(plan: LevelPlan, phases: PhaseClock): number {
  if (!plan.load.ramp || !plan.profile) return plan.load.value
  const from = phases.measuredStart
  return meanValue(plan.profile, from, Math.min(phases.measuredEnd, from + plan.load.ramp.overSec * 1000))
}
