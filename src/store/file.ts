/**
 * The history folder as a store: each result is `<id>.json` (`<startedAt>-<6 hex>.json`, what
 * `llmbench run` and `npx llmbench` have always written there), so runs from the command line,
 * from CI uploads and from the API are one list. Runs known to `llmbench serve` also have
 * `.runs/<id>.json`: their state (queued, running, an error) and where they came from.
 */
import { existsSync, readdirSync } from 'node:fs'
import { readFile, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../write-file.js'
import { UsageError } from '../errors.js'
import { unwritableDir } from '../dirs.js'
import { classifyResult, readResultFile, type AnyResult } from '../results/read.js'
import type { SuiteResult } from '../results/suite.js'
import type { RunResult } from '../results/types.js'
import {
  isRunId, matchesQuery, newestFirst, newRunId, runOfResult, searchText,
  type Describe, type ListPage, type ListQuery, type ResultStore, type StoredRun,
} from './store.js'

const META_DIR = '.runs'

export interface HistoryRun {
  file: string
  result: AnyResult
}

interface Known {
  /** mtime and size of the files it was read from: unchanged files are not read again. */
  stamp: string
  run: StoredRun
  search: string
}

export class FileStore implements ResultStore {
  readonly kind = 'file'
  private readonly known = new Map<string, Known>()

  describe?: Describe

  constructor(readonly dir: string) {}

  /** The folder as a store, refused with one line when it is a file or cannot be written (before anything listens). */
  static open(dir: string): FileStore {
    const why = unwritableDir(dir) ?? unwritableDir(join(dir, META_DIR))
    if (why) throw new UsageError(`the store ${dir} cannot be used: ${why}. Pass --store a folder llmbench may write into (it is created if missing), or a postgres:// URL`)
    return new FileStore(dir)
  }

  get where(): string {
    return this.dir
  }

  /** Writes a result under a new id; returns the file's path. Synchronous for reporters that end the process. */
  saveResultSync(doc: RunResult | SuiteResult, id = newRunId(doc.startedAt)): string {
    return writeFileAtomic(this.resultFile(id), JSON.stringify(doc) + '\n')
  }

  /** Every result in the folder, oldest first, and the `.json` files that are not results (with why). */
  readAllSync(): { runs: HistoryRun[]; skipped: Array<{ file: string; reason: string }> } {
    let names: string[]
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json')).sort()
    } catch {
      return { runs: [], skipped: [] }
    }
    const runs: HistoryRun[] = []
    const skipped: Array<{ file: string; reason: string }> = []
    for (const name of names) {
      const file = join(this.dir, name)
      try {
        runs.push({ file, result: readResultFile(file) })
      } catch (err) {
        skipped.push({ file: name, reason: (err as Error).message })
      }
    }
    runs.sort((a, b) => Date.parse(a.result.doc.startedAt) - Date.parse(b.result.doc.startedAt))
    return { runs, skipped }
  }

  async save(given: StoredRun, result?: AnyResult): Promise<void> {
    const run = result && this.describe && !given.digest ? { ...given, ...this.describe(result) } : given
    if (result) writeFileAtomic(this.resultFile(run.id), JSON.stringify(result.doc) + '\n')
    // The result first: a crash between the two leaves a result whose state says running, which markInterrupted settles.
    writeFileAtomic(this.metaFile(run.id), JSON.stringify({ ...run, hasResult: run.hasResult || !!result }) + '\n')
  }

  async get(id: string): Promise<StoredRun | undefined> {
    return isRunId(id) ? (await this.load(id))?.run : undefined
  }

  async result(id: string): Promise<AnyResult | undefined> {
    if (!isRunId(id)) return undefined
    const text = await readFile(this.resultFile(id), 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    return classifyResult(JSON.parse(text), `${id}.json`)
  }

  async list(query: ListQuery): Promise<ListPage> {
    const ids = new Set<string>()
    for (const dir of [this.dir, join(this.dir, META_DIR)]) {
      const names = await readdir(dir).catch(() => [] as string[])
      for (const n of names) if (n.endsWith('.json') && isRunId(n.slice(0, -5))) ids.add(n.slice(0, -5))
    }
    const all: Known[] = []
    for (const id of ids) {
      const k = await this.load(id)
      if (k) all.push(k)
    }
    for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id)
    const runs = all.filter((k) => matchesQuery(k.run, k.search, query)).map((k) => k.run).sort(newestFirst)
    return { runs: runs.slice(query.offset, query.offset + query.limit), total: runs.length, limit: query.limit, offset: query.offset }
  }

  async delete(id: string): Promise<boolean> {
    if (!isRunId(id)) return false
    const files = [this.resultFile(id), this.metaFile(id)]
    const existed = files.some((f) => existsSync(f))
    await Promise.all(files.map((f) => rm(f, { force: true })))
    this.known.delete(id)
    return existed
  }

  async markInterrupted(reason: string): Promise<string[]> {
    const names = await readdir(join(this.dir, META_DIR)).catch(() => [] as string[])
    const ids: string[] = []
    for (const n of names) {
      const id = n.slice(0, -5)
      if (!n.endsWith('.json') || !isRunId(id)) continue
      const meta = await this.readMeta(id)
      if (!meta || (meta.status !== 'queued' && meta.status !== 'running')) continue
      const result = await this.result(id).catch(() => undefined)
      const settled: StoredRun = result
        ? runOfResult(id, result, meta.origin, { name: meta.name, createdAt: meta.createdAt, ...this.describe?.(result) })
        : { ...meta, status: 'interrupted', finishedAt: new Date().toISOString(), error: reason }
      await this.save(settled)
      ids.push(id)
    }
    return ids
  }

  async close(): Promise<void> {}

  /** The run `id`: its state file over what its result says; cached while neither file changes. */
  private async load(id: string): Promise<Known | undefined> {
    const [r, m] = await Promise.all([stat(this.resultFile(id)).catch(() => undefined), stat(this.metaFile(id)).catch(() => undefined)])
    if (!r && !m) return undefined
    const stamp = `${r?.mtimeMs}:${r?.size}:${m?.mtimeMs}:${m?.size}`
    const cached = this.known.get(id)
    if (cached?.stamp === stamp) return cached
    const meta = m ? await this.readMeta(id) : undefined
    let result: AnyResult | undefined
    if (r) result = await this.result(id).catch(() => undefined)
    if (!meta && !result) return undefined
    const fresh = result ? runOfResult(id, result, 'cli', this.describe?.(result)) : undefined
    // The state file says where the run came from and what was done with it; the result says what it measured.
    const run = fresh ? { ...fresh, ...meta, ...(fresh.digest ? { digest: fresh.digest } : {}), hasResult: true } : (meta as StoredRun)
    const known = { stamp, run, search: searchText(run, result) }
    this.known.set(id, known)
    return known
  }

  private async readMeta(id: string): Promise<StoredRun | undefined> {
    try {
      const run = JSON.parse(await readFile(this.metaFile(id), 'utf8')) as StoredRun
      return run && typeof run === 'object' && run.id === id ? run : undefined
    } catch {
      return undefined
    }
  }

  private resultFile(id: string): string {
    return join(this.dir, `${checkedId(id)}.json`)
  }

  private metaFile(id: string): string {
    return join(this.dir, META_DIR, `${checkedId(id)}.json`)
  }
}

/** Every path is built from a checked id: nothing outside the folder can be named. */
function checkedId(id: string): string {
  if (!isRunId(id)) throw new UsageError(`not a run id: ${JSON.stringify(id.slice(0, 40))}`)
  return id
}
