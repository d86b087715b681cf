/**
 * Changes to the list of runs (queued, started, finished, uploaded, deleted, marked as baseline),
 * fanned out to every open `GET /api/v1/benchmark/events` stream so dashboards follow runs started
 * by any client without reloading.
 */
import type { StoredRun } from '../store/store.js'

export type Change = { type: 'run'; run: StoredRun } | { type: 'deleted'; id: string }

export class Changes {
  private readonly listeners = new Set<(change: Change) => void>()

  /** Calls `fn` with every change from now on; returns the unsubscribe. */
  subscribe(fn: (change: Change) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  emit(change: Change): void {
    for (const fn of this.listeners) {
      try {
        fn(change)
      } catch {
        // One broken stream must not keep the others, or the run that changed, from going on.
      }
    }
  }
}
