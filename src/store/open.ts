/** The store a spec names: a folder (the history folder) or a PostgreSQL database. */
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { POSTGRES_URL, safeStoreName, type ResultStore } from './store.js'

/** `dir` (relative to `base`) for the history folder, or a `postgres://` URL. */
export async function openStore(spec: string, base = process.cwd()): Promise<ResultStore> {
  if (POSTGRES_URL.test(spec)) {
    const { PostgresStore } = await import('./postgres.js')
    return PostgresStore.open(spec)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new UsageError(`--store must be a folder or a postgres:// URL, got ${safeStoreName(spec)}`)
  const { FileStore } = await import('./file.js')
  return FileStore.open(resolve(base, spec))
}
