/**
 * Pooling the parts of several level summaries into one (repeats.ts, docs/verdicts.md "Repeats"):
 * counts and sums add, rates are recomputed from the pooled counts, a Stats is pooled by
 * `pooledStats`, tables by turn, step or history length are merged by their key. A rate is
 * averaged only where the summaries hold no counts behind it (a server's hit-rate gauge). What
 * cannot be pooled honestly is dropped, or (energy) says why, rather than show one repeat's value.
 */
import type { CostSummary, EnergySummary, GroupFigures, LevelSummary, MediaSummary, PrefixCacheSummary, ReasoningSummary, SessionsSummary, Stats, ToolsSummary, ValiditySummary } from '../results/types.js'
import { levelTokens } from './cost.js'

export const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length
export const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0)
const defined = <T>(xs: Array<T | undefined | null>): T[] => xs.filter((x): x is T => x !== undefined && x !== null)

/** Per-key sums of count tables (errors, reasons, endedBy…): a key absent from one table counts 0 there. */
export function addCounts<K extends string>(tables: Array<Partial<Record<K, number>>>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {}
  for (const t of tables) for (const [k, n] of Object.entries(t) as Array<[K, number | undefined]>) out[k] = (out[k] ?? 0) + (n ?? 0)
  return out
}

/** Pooled mean and standard deviation (within and between parts), extremes, mean percentiles. */
export function pooledStats(each: Stats[]): Stats {
  const count = sum(each.map((s) => s.count))
  const m = count > 0 ? sum(each.map((s) => s.mean * s.count)) / count : Number.NaN
  const squares = sum(each.map((s) => (s.count - 1) * s.std ** 2 + s.count * (s.mean - m) ** 2))
  return {
    count,
    mean: m,
    std: count > 1 ? Math.sqrt(squares / (count - 1)) : 0,
    min: Math.min(...each.map((s) => s.min)),
    max: Math.max(...each.map((s) => s.max)),
    // A percentile of percentiles has no pooled form without the samples: their mean.
    p50: mean(each.map((s) => s.p50)),
    p90: mean(each.map((s) => s.p90)),
    p95: mean(each.map((s) => s.p95)),
    p99: mean(each.map((s) => s.p99)),
    p999: mean(each.map((s) => s.p999)),
  }
}

/** The pooled Stats of the parts that have one; undefined when none has. */
function maybeStats(each: Array<Stats | undefined>): Stats | undefined {
  const have = defined(each)
  return have.length ? pooledStats(have) : undefined
}

export function pooledMedia(each: Array<MediaSummary | undefined>): MediaSummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  return addCounts(have as unknown as Array<Record<keyof MediaSummary, number>>) as MediaSummary
}

export function pooledValidity(each: Array<ValiditySummary | undefined>): ValiditySummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  const checked = sum(have.map((v) => v.checked))
  const valid = sum(have.map((v) => v.valid))
  return { checked, valid, invalid: sum(have.map((v) => v.invalid)), rate: checked > 0 ? valid / checked : 0, reasons: addCounts(have.map((v) => v.reasons)) as Record<string, number> }
}

export function pooledReasoning(each: Array<ReasoningSummary | undefined>): ReasoningSummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  const reasoningTokens = sum(have.map((r) => r.reasoningTokens))
  const visibleTokens = sum(have.map((r) => r.visibleTokens))
  const total = reasoningTokens + visibleTokens
  return { requests: sum(have.map((r) => r.requests)), reasoningTokens, visibleTokens, share: total > 0 ? reasoningTokens / total : 0 }
}

/**
 * Energy over every repeat's window: joules and windows add, watts and joules per output token are
 * recomputed from the sums. When a repeat has none, a pooled figure would cover only part of the
 * load: the merged summary says why instead.
 */
export function pooledEnergy(repeats: LevelSummary[]): EnergySummary | undefined {
  const each = repeats.map((r) => r.energy)
  if (each.every((e) => e === undefined)) return undefined
  const measured = each.filter((e): e is Extract<EnergySummary, { joules: number }> => e !== undefined && 'joules' in e)
  if (measured.length < each.length) {
    const reasons = [...new Set(each.map((e) => (e && 'missing' in e ? e.missing : e ? undefined : 'no energy figure')).filter((m) => m !== undefined))]
    if (!measured.length && reasons.length === 1) return { missing: reasons[0]! }
    return { missing: `${each.length - measured.length} of ${each.length} repeats have no energy figure (${reasons.join('; ')}): a pooled figure would cover only part of the load` }
  }
  const joules = sum(measured.map((e) => e.joules))
  const windowSec = sum(measured.map((e) => e.windowSec))
  const output = sum(repeats.map((r) => levelTokens(r).output))
  return { joules, perOutputToken: joules / output, watts: joules / windowSec, gpus: Math.max(...measured.map((e) => e.gpus)), samples: sum(measured.map((e) => e.samples)), windowSec }
}

/** The cost of every repeat: totals add; per token and per request over the pooled tokens and requests. */
export function pooledCost(repeats: LevelSummary[]): CostSummary | undefined {
  const have = defined(repeats.map((r) => r.cost))
  if (!have.length || new Set(have.map((c) => c.basis)).size > 1) return undefined
  // A repeat without a cost had no succeeded request: no tokens, nothing to divide among.
  const total = sum(have.map((c) => c.total))
  const output = sum(repeats.map((r) => levelTokens(r).output))
  const input = sum(repeats.map((r) => levelTokens(r).input))
  const succeeded = sum(repeats.map((r) => r.requests.succeeded))
  return {
    basis: have[0].basis,
    total,
    ...(output > 0 ? { perMillionOutput: (total / output) * 1e6 } : {}),
    ...(input > 0 ? { perMillionInput: (total / input) * 1e6 } : {}),
    perRequest: total / succeeded,
  }
}

/** Group figures (by turn, step or history length) of several parts with the same key. */
function pooledGroup(each: GroupFigures[]): GroupFigures {
  const out: GroupFigures = { count: sum(each.map((g) => g.count)) }
  const ttft = maybeStats(each.map((g) => g.ttft))
  if (ttft) out.ttft = ttft
  const e2e = maybeStats(each.map((g) => g.e2e))
  if (e2e) out.e2e = e2e
  return out
}

/** Rows of several tables grouped by `key`, in key order. */
function byKey<T>(rows: T[], key: (row: T) => number): Array<[number, T[]]> {
  const groups = new Map<number, T[]>()
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row])
  return [...groups.entries()].sort((a, b) => a[0] - b[0])
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * History-length groups of several parts. Each part chose its own round width from its longest
 * history; rows are moved into groups of the least common multiple of the widths, which holds
 * every row of every part whole (both bounds of a row are multiples of its part's width).
 */
function pooledHistory(each: SessionsSummary['byHistory'][]): SessionsSummary['byHistory'] {
  const rows = each.flat()
  if (!rows.length) return []
  const width = each.filter((t) => t.length).map((t) => t[0].to - t[0].from).reduce((a, w) => (a * w) / gcd(a, w))
  return byKey(rows, (r) => Math.floor(r.from / width)).map(([g, group]) => ({ from: g * width, to: (g + 1) * width, ...pooledGroup(group) }))
}

export function pooledSessions(each: Array<SessionsSummary | undefined>): SessionsSummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  const out: SessionsSummary = {
    ended: sum(have.map((s) => s.ended)),
    endedBy: addCounts(have.map((s) => s.endedBy)),
    truncated: sum(have.map((s) => s.truncated)),
    byTurn: byKey(have.flatMap((s) => s.byTurn), (r) => r.turn).map(([turn, rows]) => {
      const g = pooledGroup(rows)
      // Each row's mean weighted by its requests: the mean over every request of that turn.
      return { turn, ...g, historyTokensMean: g.count ? sum(rows.map((r) => r.historyTokensMean * r.count)) / g.count : 0 }
    }),
    byHistory: pooledHistory(have.map((s) => s.byHistory)),
  }
  const later = defined(have.map((s) => s.laterTurns))
  if (later.length) out.laterTurns = pooledGroup(later)
  const duration = maybeStats(have.map((s) => s.duration))
  if (duration) out.duration = duration
  const turns = maybeStats(have.map((s) => s.turns))
  if (turns) out.turns = turns
  return out
}

export function pooledTools(each: Array<ToolsSummary | undefined>): ToolsSummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  const tasks = sum(have.map((t) => t.tasks))
  const endedBy = { answer: 0, 'max-steps': 0, failed: 0, ...addCounts(have.map((t) => t.endedBy)) }
  const out: ToolsSummary = {
    tasks,
    endedBy,
    answeredShare: tasks > 0 ? endedBy.answer / tasks : 0,
    byStep: byKey(have.flatMap((t) => t.byStep), (r) => r.step).map(([step, rows]) => ({ step, ...pooledGroup(rows) })),
  }
  for (const k of ['timeToAnswer', 'steps', 'toolCalls'] as const) {
    const s = maybeStats(have.map((t) => t[k]))
    if (s) out[k] = s
  }
  return out
}

/**
 * Designed reuse adds up over the repeats that counted it. The server's share: counters add (hits
 * over queries); a hit-rate gauge holds only a rate, so the mean of the repeats' rates. Readings
 * that differ in source, or a repeat without one, leave no honest pooled share: null, and the note
 * says why. `also` lines are one repeat's readings each: left out. The reset is done only when it
 * was before every repeat.
 */
export function pooledPrefixCache(each: Array<PrefixCacheSummary | undefined>): PrefixCacheSummary | undefined {
  const have = defined(each)
  if (!have.length) return undefined
  const designed = defined(have.map((p) => p.designed))
  const notes = new Set(defined(have.map((p) => p.note)))
  const out: PrefixCacheSummary = {
    designed: designed.length
      ? (() => {
          const repeatedTokens = sum(designed.map((d) => d.repeatedTokens))
          const promptTokens = sum(designed.map((d) => d.promptTokens))
          return { share: promptTokens > 0 ? repeatedTokens / promptTokens : 0, repeatedTokens, promptTokens, requests: sum(designed.map((d) => d.requests)) }
        })()
      : null,
    measured: null,
  }
  const readings = have.map((p) => p.measured)
  const got = defined(readings)
  if (got.length === each.length && new Set(got.map((m) => `${m.kind} ${m.source}`)).size === 1) {
    const { kind, source } = got[0]
    if (kind === 'counters' && got.every((m) => m.hits !== undefined && m.queries !== undefined)) {
      const hits = sum(got.map((m) => m.hits!))
      const queries = sum(got.map((m) => m.queries!))
      out.measured = { share: queries > 0 ? hits / queries : 0, source, kind, hits, queries }
    } else out.measured = { share: mean(got.map((m) => m.share)), source, kind }
  } else if (got.length) {
    notes.add(`the server's prefix-cache readings differ between repeats (${got.length} of ${each.length} read, from ${[...new Set(got.map((m) => m.source))].join(', ')}): no pooled share`)
  }
  if (notes.size) out.note = [...notes].join('; ')
  const resets = have.map((p) => p.reset)
  if (have.length === each.length && resets.every((r) => r !== undefined)) {
    const notDone = resets.filter((r) => !r!.done)
    out.reset = notDone.length
      ? { done: false, note: `not before ${notDone.length} of ${resets.length} repeats: ${notDone[0]!.note ?? ''}`.replace(/: $/, '') }
      : { done: true, ...(resets[0]!.via ? { via: resets[0]!.via } : {}) }
  }
  return out
}
