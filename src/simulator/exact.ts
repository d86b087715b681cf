/**
 * FixedEngine: exact timing for accuracy tests. Token event i (0-based) of every request is written
 * at receive + fixedTtftMs + i × fixedItlMs, whatever the load: no batching model. One timer serves
 * all requests (a min-heap of next write times); near a target it spins on setImmediate, so writes
 * are never early and rarely more than a fraction of a millisecond late.
 */
import { now } from '../clock.js'
import { clear, schedule, step, type Engine, type EngineStats, type Sequence } from './engine.js'
import type { ResolvedOptions } from './options.js'

interface FixedEntry { seq: Sequence; next: number }

export class FixedEngine implements Engine {
  private readonly heap: FixedEntry[] = []
  private live = 0
  private kv = 0
  private stopped = false
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  private armedFor = Infinity

  constructor(private readonly o: ResolvedOptions) {}

  get running(): number { return this.live }
  get waiting(): number { return 0 }
  get kvTokens(): number { return this.kv }
  stats(): EngineStats { return { steps: 0, meanModelStepMs: 0, meanStepMs: 0, meanLagMs: 0, maxLagMs: 0 } }

  submit(seq: Sequence, receivedAt: number): void {
    if (this.stopped) return
    seq.state = 'running'
    this.live++
    this.kv += seq.promptTokens
    try { seq.admit() } catch { seq.state = 'done' }
    if (seq.state !== 'running') return this.cancel(seq)
    this.push({ seq, next: receivedAt + this.o.fixedTtftMs! })
    this.arm()
  }

  cancel(seq: Sequence): void {
    if (seq.state === 'running') this.release(seq)
    seq.state = 'done' // its heap entry is dropped when it comes up
  }

  stop(): void {
    this.stopped = true
    clear(this.timer)
    this.timer = null
    for (const e of this.heap) e.seq.state = 'done'
    this.heap.length = 0
    this.live = 0
    this.kv = 0
  }

  private release(seq: Sequence): void {
    this.live--
    this.kv -= seq.promptTokens + seq.generated
  }

  private arm(): void {
    const top = this.heap[0]
    if (!top || top.next >= this.armedFor) return
    clear(this.timer)
    this.armedFor = top.next
    this.timer = schedule(top.next, this.fire)
  }

  private readonly fire = (): void => {
    this.timer = null
    this.armedFor = Infinity
    if (this.stopped) return
    const t = now()
    const h = this.heap
    while (h.length > 0 && h[0].next <= t) {
      const e = this.pop()
      const seq = e.seq
      if (seq.state !== 'running') continue
      const before = seq.generated
      if (step(seq)) {
        this.kv += seq.generated - before
        e.next += this.o.fixedItlMs!
        this.push(e)
      } else {
        this.kv += seq.generated - before
        this.release(seq)
      }
    }
    this.arm()
  }

  private push(e: FixedEntry): void {
    const h = this.heap
    let i = h.push(e) - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p].next <= e.next) break
      h[i] = h[p]
      i = p
    }
    h[i] = e
  }

  private pop(): FixedEntry {
    const h = this.heap
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= h.length) break
        const c = l + 1 < h.length && h[l + 1].next < h[l].next ? l + 1 : l
        if (h[c].next >= last.next) break
        h[i] = h[c]
        i = c
      }
      h[i] = last
    }
    return top
  }
}
