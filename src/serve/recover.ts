/**
 * A server killed mid-run (SIGKILL, a crash, the machine going down) leaves the run's records
 * file (queue.ts writes one as requests end, buffered at most 200 ms). On the next start the run
 * gets its result back from it, rebuilt as `llmbench report --from` rebuilds one (rebuild.ts), so
 * the requests it measured are not lost. Records files of runs that ended are removed.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { rebuildRunResult } from '../records/rebuild.js'
import { redactDeep } from '../results/redact.js'
import { isRunId, runOfResult, type ResultStore } from '../store/store.js'
import { recordsFileOf } from './queue.js'

export const REBUILT_AFTER_RESTART = 'llmbench serve stopped before the run finished: its result was rebuilt from the records written until then'
const SUFFIX = '.records.jsonl'

/** Rebuilds the results of `interrupted` runs from their records files in `dir`; returns the ids rebuilt. */
export async function recoverRuns(store: ResultStore, dir: string, interrupted: string[], log: (line: string) => void): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  const rebuilt: string[] = []
  for (const name of names) {
    const id = name.slice(0, -SUFFIX.length)
    if (!name.endsWith(SUFFIX) || !isRunId(id)) continue
    const path = recordsFileOf(dir, id)
    const run = await store.get(id)
    if (run && interrupted.includes(id) && !run.hasResult) {
      try {
        const { recordsFile: _gone, ...doc } = redactDeep(await rebuildRunResult(path))
        if (doc.levels.length > 0) {
          const extra = { createdAt: run.createdAt, ...(run.name ? { name: run.name } : {}), error: REBUILT_AFTER_RESTART }
          await store.save(runOfResult(id, { kind: 'run', doc }, run.origin, extra), { kind: 'run', doc })
          rebuilt.push(id)
        }
      } catch (err) {
        // Left where it is for a person to look at; the run stays interrupted without a result.
        log(`run ${id}: its records file ${join(dir, name)} could not be read (${(err as Error).message.split('\n')[0]}): it is left there`)
        continue
      }
    } else if (run && !run.hasResult && (run.status === 'queued' || run.status === 'running')) {
      continue // another server on the same store is running it
    }
    await rm(path, { force: true })
  }
  return rebuilt
}
