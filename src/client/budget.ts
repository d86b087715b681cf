/**
 * One budget for the response bytes the load holds at once, across all requests and all threads
 * of the process: unfinished stream lines and joined event data (sse.ts, ndjson.ts) and
 * non-streamed bodies (http.ts). Each request's own bounds (16 MiB a line, 64 MiB a body) keep one
 * request in check; this keeps all of them together in check, so a server that sends endless
 * lines to every stream costs at most the budget at any concurrency. A request that needs more
 * while the budget is spent fails (`parse`) with a line that says so, and gives back what it held.
 *
 * Default 256 MiB; `LLMBENCH_BUFFER_BUDGET_MB` sets another (at most 1536). Bytes are only
 * counted when a buffer grows, once per split line or body read, never per stream event.
 *
 * Shared memory: one total and one cell per thread. A thread started by llmbench gets its own
 * cell (`forThread`, then `adoptBudget` in the thread); when the thread ends, however it ends, its
 * starter frees what that cell still holds (`release`), so a crashed bench file leaks nothing.
 */

const SLOTS = 256
const MiB = 1024 * 1024
export const DEFAULT_BUFFER_BUDGET = 256 * MiB
const MAX_BUFFER_BUDGET = 1536 * MiB

/** What a new thread needs to share its starter's budget. */
export interface BudgetShare {
  buffer: SharedArrayBuffer
  slot: number
  limit: number
}

export class BufferBudget {
  /** [0]: bytes held in all; [1 + s]: held by slot s; [1 + SLOTS + s]: 1 while slot s is taken. */
  private readonly cells: Int32Array

  constructor(
    readonly limit: number,
    share?: Omit<BudgetShare, 'limit'>,
  ) {
    this.cells = new Int32Array(share?.buffer ?? new SharedArrayBuffer(4 * (1 + 2 * SLOTS)))
    this.slot = share?.slot ?? 0
    if (!share) Atomics.store(this.cells, 1 + SLOTS, 1)
  }

  private readonly slot: number

  /** Bytes held now, by every thread sharing the budget. */
  get used(): number {
    return Atomics.load(this.cells, 0)
  }

  /** Counts `bytes` more as held; false (nothing counted) when that would pass the limit. */
  take(bytes: number): boolean {
    if (bytes <= 0) return true
    if (Atomics.add(this.cells, 0, bytes) + bytes > this.limit) {
      Atomics.sub(this.cells, 0, bytes)
      return false
    }
    Atomics.add(this.cells, 1 + this.slot, bytes)
    return true
  }

  /** `bytes` taken earlier are free again. */
  give(bytes: number): void {
    if (bytes <= 0) return
    Atomics.sub(this.cells, 0, bytes)
    Atomics.sub(this.cells, 1 + this.slot, bytes)
  }

  /** A cell for a thread about to start (undefined when all are taken: that thread then has a budget of its own). */
  forThread(): BudgetShare | undefined {
    for (let s = 1; s < SLOTS; s++) {
      if (Atomics.compareExchange(this.cells, 1 + SLOTS + s, 0, 1) === 0) return { buffer: this.cells.buffer as SharedArrayBuffer, slot: s, limit: this.limit }
    }
    return undefined
  }

  /** The thread of `share` has ended: what it still held is free, and its cell can be given again. */
  release(share: BudgetShare | undefined): void {
    if (!share || share.buffer !== this.cells.buffer) return
    Atomics.sub(this.cells, 0, Atomics.exchange(this.cells, 1 + share.slot, 0))
    Atomics.store(this.cells, 1 + SLOTS + share.slot, 0)
  }
}

function limitFromEnv(): number {
  const mb = Number(process.env.LLMBENCH_BUFFER_BUDGET_MB)
  return Number.isFinite(mb) && mb > 0 ? Math.min(MAX_BUFFER_BUDGET, Math.round(mb * MiB)) : DEFAULT_BUFFER_BUDGET
}

let processBudget: BufferBudget | undefined

/** The budget of this thread: the process's, once adopted in a thread llmbench started. */
export function responseBudget(): BufferBudget {
  return (processBudget ??= new BufferBudget(limitFromEnv()))
}

/** In a thread llmbench started: count against the starter's budget (its `forThread()`), not a budget of the thread's own. */
export function adoptBudget(share: BudgetShare | undefined): void {
  if (share) processBudget = new BufferBudget(share.limit, share)
}

/** `256 MB` */
export function budgetText(bytes: number): string {
  return `${+(bytes / MiB).toFixed(1)} MB`
}

/** Why a request that needed more failed: the shared budget, and what this request held. */
export function budgetMessage(budget: BufferBudget, held: number, what: string): string {
  return `the client's buffer budget for all responses (${budgetText(budget.limit)}) is used up: this request held ${budgetText(held)} of ${what}`
}
