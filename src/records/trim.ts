/**
 * A result must stay readable when a level has a million records (a gigabyte of JSON): past a
 * limit, a level keeps a seeded uniform sample of its records, names how many it left out
 * (`LevelResult.recordsOmitted`) and the run names the JSONL file that has them all
 * (`RunResult.recordsFile`, records-file.ts). Summaries are always computed from every record.
 *
 * The sample is drawn as records arrive, holding at most `limit` of them: failures and successes
 * are each a uniform sample of their kind (bottom-k of seeded random keys), each kind is sure of
 * half the slots and takes what the other leaves, so failures — usually the few records one wants
 * to read — are all kept whenever they are at most half the limit.
 */
import { mixSeed, mulberry32 } from '../random.js'
import type { LevelResult, LevelSummary, RequestRecord } from '../results/types.js'

export const DEFAULT_RECORDS_LIMIT = 100_000
/** Records a run keeps in its result over all its levels when not told otherwise; its records file has every one. */
export const RUN_RECORDS_BUDGET = 300_000
const MIN_LEVEL_RECORDS = 10_000

/**
 * The records each level keeps by default: 100,000, less when many levels share the run's budget
 * (10 levels of a million requests would otherwise hold a million records until the result is
 * written), never under 10,000.
 */
export function levelRecordsLimit(levels: number): number {
  return Math.min(DEFAULT_RECORDS_LIMIT, Math.max(MIN_LEVEL_RECORDS, Math.floor(RUN_RECORDS_BUDGET / Math.max(1, levels))))
}

export interface RecordSamplerOptions {
  /** Records kept per level; default 100,000. */
  limit?: number
  seed?: number
}

/** The records with the smallest keys, as a max-heap so the largest is evicted first. */
class SmallestKeys {
  private keys: number[] = []
  private seqs: number[] = []
  private recs: RequestRecord[] = []

  get size(): number {
    return this.keys.length
  }

  /** Keeps (key, record) if it is among the `cap` smallest keys seen; evicts down to `cap`. */
  offer(key: number, seq: number, rec: RequestRecord, cap: number): void {
    if (this.size < cap) this.push(key, seq, rec)
    else if (this.size > 0 && key < this.keys[0]) {
      this.popMax()
      this.push(key, seq, rec)
    }
    this.shrink(cap)
  }

  shrink(cap: number): void {
    while (this.size > cap) this.popMax()
  }

  entries(): Array<[number, RequestRecord]> {
    return this.seqs.map((s, i) => [s, this.recs[i]])
  }

  private push(key: number, seq: number, rec: RequestRecord): void {
    let i = this.keys.length
    this.keys.push(key)
    this.seqs.push(seq)
    this.recs.push(rec)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.keys[parent] >= this.keys[i]) break
      this.swap(i, parent)
      i = parent
    }
  }

  private popMax(): void {
    const last = this.keys.length - 1
    this.swap(0, last)
    this.keys.pop()
    this.seqs.pop()
    this.recs.pop()
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let top = i
      if (l < last && this.keys[l] > this.keys[top]) top = l
      if (r < last && this.keys[r] > this.keys[top]) top = r
      if (top === i) return
      this.swap(i, top)
      i = top
    }
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a]
    this.keys[a] = this.keys[b]
    this.keys[b] = k
    const s = this.seqs[a]
    this.seqs[a] = this.seqs[b]
    this.seqs[b] = s
    const r = this.recs[a]
    this.recs[a] = this.recs[b]
    this.recs[b] = r
  }
}

/** Takes a level's records one at a time and keeps at most `limit`: all of them, or the sample. */
export class RecordSampler {
  readonly limit: number
  private readonly random: () => number
  private readonly failures = new SmallestKeys()
  private readonly successes = new SmallestKeys()
  private failed = 0
  private succeeded = 0

  constructor(opts: RecordSamplerOptions = {}) {
    this.limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_RECORDS_LIMIT))
    this.random = mulberry32(opts.seed ?? 0x5eed)
  }

  /** Records offered so far. */
  get seen(): number {
    return this.failed + this.succeeded
  }

  /** Records offered and not kept. */
  get omitted(): number {
    return this.seen - this.failures.size - this.successes.size
  }

  add(r: RequestRecord): void {
    const seq = this.seen
    const key = this.random()
    if (r.outcome === 'ok') this.succeeded++
    else this.failed++
    // Each kind is sure of half the slots; the caps only fall, so each heap stays the bottom-k.
    const capFailures = this.limit - Math.min(this.succeeded, Math.floor(this.limit / 2))
    const capSuccesses = this.limit - Math.min(this.failed, Math.ceil(this.limit / 2))
    if (r.outcome === 'ok') this.successes.offer(key, seq, r, capSuccesses)
    else this.failures.offer(key, seq, r, capFailures)
    this.failures.shrink(capFailures)
    this.successes.shrink(capSuccesses)
  }

  /** The kept records in the order they were added. */
  records(): RequestRecord[] {
    return [...this.failures.entries(), ...this.successes.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])
  }
}

/** The sampler seed of a level: a run and its rebuild from the records file draw the same sample. */
export function levelSampleSeed(scenarioSeed: number, levelIndex: number): number {
  return mixSeed(scenarioSeed, levelIndex)
}

/** A level's result from its summary and sampler: `recordsOmitted` only when some were left out. */
export function levelResultOf(summary: LevelSummary, sampler: RecordSampler): LevelResult {
  const omitted = sampler.omitted
  return { summary, records: sampler.records(), ...(omitted > 0 ? { recordsOmitted: omitted } : {}) }
}

/** `records` trimmed to `limit` (the same array when it fits). */
export function trimRecords(records: readonly RequestRecord[], opts: RecordSamplerOptions = {}): { records: RequestRecord[]; recordsOmitted?: number } {
  const limit = opts.limit ?? DEFAULT_RECORDS_LIMIT
  if (records.length <= limit) return { records: records as RequestRecord[] }
  const sampler = new RecordSampler(opts)
  for (const r of records) sampler.add(r)
  return { records: sampler.records(), recordsOmitted: sampler.omitted }
}
