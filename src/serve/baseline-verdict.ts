/**
 * A run's verdict against the baseline of its scenario (docs/verdicts.md): the dashboard shows it
 * beside every run that started after a run marked as baseline and shares one of its scenarios.
 * Computed when asked, from both results, and remembered: a finished result does not change.
 */
import { compareRuns } from '../report/compare.js'
import type { Verdict } from '../results/verdicts.js'
import type { ResultStore, StoredRun } from '../store/store.js'

export interface RunVerdict {
  /** The baseline's run id. */
  baseline: string
  counts: Record<Verdict, number>
  /** One line: regressions first, with their change and interval, then the counts. */
  headline: string
}

const remembered = new WeakMap<ResultStore, Map<string, RunVerdict>>()

/** The run marked as baseline of one of `run`'s scenarios that started before it, if any. */
export async function baselineOf(store: ResultStore, run: StoredRun): Promise<StoredRun | undefined> {
  const keys = new Set((run.digest ?? []).map((s) => s.key))
  const started = run.startedAt ?? run.createdAt
  if (keys.size === 0) return undefined
  for (let offset = 0; ; offset += 200) {
    const page = await store.list({ limit: 200, offset })
    const hit = page.runs.find((b) => b.baseline && b.id !== run.id && b.hasResult && (b.startedAt ?? b.createdAt) < started && (b.digest ?? []).some((s) => keys.has(s.key)))
    if (hit) return hit
    if (offset + page.runs.length >= page.total) return undefined
  }
}

/** `run`'s verdict against its scenario's baseline; null when it has none or either result is gone. */
export async function verdictAgainstBaseline(store: ResultStore, run: StoredRun): Promise<RunVerdict | null> {
  if (!run.hasResult || run.baseline) return null
  const base = await baselineOf(store, run)
  if (!base) return null
  const key = `${run.id}>${base.id}`
  const cache = remembered.get(store) ?? new Map<string, RunVerdict>()
  remembered.set(store, cache)
  const known = cache.get(key)
  if (known) return known
  const [b, r] = await Promise.all([store.result(base.id), store.result(run.id)])
  if (!b || !r) return null
  const doc = compareRuns([b, r]).against[0]
  const verdict: RunVerdict = { baseline: base.id, counts: doc.counts, headline: doc.headline }
  cache.set(key, verdict)
  return verdict
}
