/**
 * The engines that decide when tokens come out.
 *
 * BatchEngine: continuous batching like vLLM. One step loop; each step admits waiting sequences
 * (up to maxNumSeqs, the step's token budget and the KV-cache capacity), prefills them, and decodes
 * one token (or tokensPerStep) for every running sequence. Step time = decodeBaseMs +
 * decodeMsPerSeq × running, plus prefillBaseMs + prefillMsPerToken × prompt tokens when the step
 * prefills (the tokens not found in the prefix cache, prefix-cache.ts). Steps are scheduled by
 * target time (next target = previous target + duration), so timer lateness never accumulates;
 * near a target the loop spins on setImmediate, never firing early.
 *
 * FixedEngine (exact.ts) is the exact-timing alternative.
 */
import { now } from '../clock.js'
import { mixSeed, mulberry32 } from '../random.js'
import type { ResolvedOptions } from './options.js'

/** What the engines drive; implemented by the request's stream. */
export interface Sequence {
  readonly promptTokens: number
  /** Tokens to generate in all. */
  readonly outputTokens: number
  /** Tokens per step/event (1, or k with the multi-token quirk). */
  readonly tokensPerStep: number
  /** Leading prompt tokens found in the prefix cache: they cost no prefill (prefix-cache.ts). */
  readonly cachedTokens?: number
  /** Set by the engine. */
  generated: number
  state: 'new' | 'waiting' | 'running' | 'done'
  /** Called when the sequence starts running (the role-only chunk goes out here). */
  admit(): void
  /** `count` more tokens are out (`generated` already includes them). Returns false when the
   * sequence must stop now (fault, client gone). */
  emit(count: number, last: boolean): boolean
}

export interface EngineStats {
  steps: number
  /** Mean of the model's step durations, ms. */
  meanModelStepMs: number
  /** Mean achieved interval between step ends, ms (equals the model's when the loop keeps up). */
  meanStepMs: number
  /** Mean and largest lateness of a step end behind its target, ms. */
  meanLagMs: number
  maxLagMs: number
}

export interface Engine {
  submit(seq: Sequence, receivedAt: number): void
  cancel(seq: Sequence): void
  stop(): void
  readonly running: number
  readonly waiting: number
  /** Tokens held by running sequences. */
  readonly kvTokens: number
  stats(): EngineStats
}

/** setTimeout towards a monotonic target; never fires before it (timers can be ~1 ms early). */
export function schedule(target: number, fn: () => void): NodeJS.Timeout | NodeJS.Immediate {
  const wait = target - now()
  return wait > 1 ? setTimeout(fn, Math.floor(wait)) : setImmediate(fn)
}

export function clear(t: NodeJS.Timeout | NodeJS.Immediate | null): void {
  if (t === null) return
  // Only a Timeout has refresh(); clearImmediate on a Timeout would corrupt Node's counts.
  if (typeof (t as NodeJS.Timeout).refresh === 'function') clearTimeout(t as NodeJS.Timeout)
  else clearImmediate(t as NodeJS.Immediate)
}

/** Generate the sequence's next token(s); false once it is done. */
export function step(seq: Sequence): boolean {
  const k = Math.min(seq.tokensPerStep, seq.outputTokens - seq.generated)
  seq.generated += k
  const last = seq.generated >= seq.outputTokens
  let go = false
  try {
    go = seq.emit(k, last)
  } catch {
    go = false
  }
  if (last || !go) seq.state = 'done'
  return seq.state !== 'done'
}

export class BatchEngine implements Engine {
  private queue: (Sequence | undefined)[] = []
  private qHead = 0
  private waitingLive = 0
  private runningSeqs: Sequence[] = []
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  private active = false // a step is in flight (its tokens come out at `target`)
  private target = 0
  private stopped = false
  private kv = 0
  private steps = 0
  private modelMsSum = 0
  private achievedMsSum = 0
  private stepBegan = 0
  private maxLag = 0
  private lagSum = 0

  private readonly rand: () => number

  constructor(private readonly o: ResolvedOptions) {
    this.rand = mulberry32(mixSeed(o.seed, 0x57e9))
  }

  /** A lognormal factor of mean 1: exp(σZ − σ²/2), Z standard normal (Box–Muller). */
  private jitter(): number {
    const sigma = this.o.stepJitter
    const z = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand())
    return Math.exp(sigma * z - (sigma * sigma) / 2)
  }

  get running(): number { return this.runningSeqs.length }
  get waiting(): number { return this.waitingLive }
  get kvTokens(): number { return this.kv }

  submit(seq: Sequence): void {
    if (this.stopped) return
    seq.state = 'waiting'
    this.queue.push(seq)
    this.waitingLive++
    if (!this.active && this.timer === null) {
      // Idle: start a step on the next turn, so requests arriving together are batched together.
      this.timer = setImmediate(() => {
        this.timer = null
        this.target = now()
        this.loop()
      })
    }
  }

  cancel(seq: Sequence): void {
    if (seq.state === 'waiting') this.waitingLive--
    seq.state = 'done' // a running one leaves the batch at the next step end
  }

  stop(): void {
    this.stopped = true
    clear(this.timer)
    this.timer = null
    for (const s of this.runningSeqs) s.state = 'done'
    this.runningSeqs = []
    this.queue = []
    this.waitingLive = 0
  }

  stats(): EngineStats {
    const n = this.steps
    return {
      steps: n,
      meanModelStepMs: n ? this.modelMsSum / n : 0,
      meanStepMs: n ? this.achievedMsSum / n : 0,
      meanLagMs: n ? this.lagSum / n : 0,
      maxLagMs: this.maxLag,
    }
  }

  private readonly tick = (): void => {
    this.timer = null
    if (this.stopped) return
    if (now() < this.target) {
      this.timer = schedule(this.target, this.tick)
      return
    }
    this.loop()
  }

  private loop(): void {
    const o = this.o
    const run = this.runningSeqs
    const t = now()
    // 1. The step that ends now: every running sequence gets its tokens.
    if (this.active) {
      this.maxLag = Math.max(this.maxLag, t - this.target)
      this.lagSum += t - this.target
      this.achievedMsSum += t - this.stepBegan
      let w = 0
      let kv = 0
      for (let i = 0; i < run.length; i++) {
        const s = run[i]
        if (s.state !== 'running' || !step(s)) continue
        run[w++] = s
        kv += s.promptTokens + s.generated
      }
      run.length = w
      this.kv = kv
    }
    // 2. Admit waiting sequences; they are prefilled in the next step.
    let prefill = 0
    let admitted = 0
    let budget = o.maxNumBatchedTokens - run.length // one decode token per running sequence
    while (run.length < o.maxNumSeqs && this.qHead < this.queue.length) {
      const s = this.queue[this.qHead]!
      if (s.state !== 'waiting') { this.queue[this.qHead++] = undefined; continue }
      if (run.length > 0 && this.kv + s.promptTokens > o.kvCacheTokens) break
      // Cached tokens need no compute: only the rest counts against the step and its time.
      const fresh = s.promptTokens - (s.cachedTokens ?? 0)
      if (admitted > 0 && fresh > budget) break
      budget -= fresh
      this.queue[this.qHead++] = undefined
      this.waitingLive--
      s.state = 'running'
      run.push(s)
      this.kv += s.promptTokens
      prefill += fresh
      admitted++
      try { s.admit() } catch { s.state = 'done' }
    }
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead)
      this.qHead = 0
    }
    // 3. The next step, from the previous target (no drift).
    if (run.length === 0) {
      this.active = false
      this.kv = 0
      return
    }
    let ms = o.decodeBaseMs + o.decodeMsPerSeq * run.length
    if (admitted > 0) ms += o.prefillBaseMs + o.prefillMsPerToken * prefill
    if (o.stepJitter > 0) ms *= this.jitter()
    this.active = true
    this.stepBegan = t
    this.steps++
    this.modelMsSum += ms
    this.target += ms
    this.timer = schedule(this.target, this.tick)
  }
}
