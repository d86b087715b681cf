/**
 * Runs and results in PostgreSQL, for a team's `llmbench serve`: one row per run, the result as
 * JSONB beside the columns lists filter and sort on. The schema is created and moved forward by
 * numbered migrations, run on start under an advisory lock so two servers starting at once do
 * not race; a database migrated by a newer llmbench is refused rather than misread.
 */
import pg from 'pg'
import { RuntimeError, UsageError } from '../errors.js'
import { classifyResult, type AnyResult } from '../results/read.js'
import { rememberSecrets } from '../results/redact.js'
import { isRunId, runTime, safeStoreName, searchText, type Describe, type ListPage, type ListQuery, type ResultStore, type StoredRun } from './store.js'

interface Migration {
  version: number
  name: string
  sql: string
}

/** Append only: a released migration is never edited, a change is a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs',
    sql: `
      create table llmbench_runs (
        id text primary key,
        status text not null,
        origin text not null,
        kind text not null,
        name text,
        created_at timestamptz not null,
        started_at timestamptz,
        finished_at timestamptz,
        sort_at timestamptz not null,
        servers text[] not null default '{}',
        models text[] not null default '{}',
        search text not null default '',
        run jsonb not null,
        result jsonb
      );
      create index llmbench_runs_sort on llmbench_runs (sort_at desc, id desc);
      create index llmbench_runs_status on llmbench_runs (status);
      create index llmbench_runs_models on llmbench_runs using gin (models);
      create index llmbench_runs_servers on llmbench_runs using gin (servers);
    `,
  },
]

/** Any constant shared by every llmbench: the lock that serialises migrations. */
const MIGRATION_LOCK = 0x6c6c6d62

export class PostgresStore implements ResultStore {
  readonly kind = 'postgres'

  private constructor(private readonly pool: pg.Pool, readonly where: string) {}

  static async open(url: string): Promise<PostgresStore> {
    const where = safeStoreName(url)
    try {
      const password = new URL(url).password
      if (password) rememberSecrets([decodeURIComponent(password)])
    } catch {
      throw new UsageError(`--store ${where} is not a valid postgres:// URL`)
    }
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 })
    // An idle client losing its connection must not crash the server: the next query reconnects.
    pool.on('error', () => {})
    const store = new PostgresStore(pool, where)
    try {
      await migrate(pool)
    } catch (err) {
      await pool.end().catch(() => {})
      if (err instanceof UsageError) throw err
      throw new UsageError(`cannot use the PostgreSQL store ${where}: ${(err as Error).message}`)
    }
    return store
  }

  describe?: Describe

  async save(given: StoredRun, result?: AnyResult): Promise<void> {
    const run = result && this.describe && !given.digest ? { ...given, ...this.describe(result) } : given
    const stored = { ...run, hasResult: run.hasResult || !!result }
    await this.pool.query(
      `insert into llmbench_runs (id, status, origin, kind, name, created_at, started_at, finished_at, sort_at, servers, models, search, run, result)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       on conflict (id) do update set status = excluded.status, origin = excluded.origin, kind = excluded.kind, name = excluded.name,
         created_at = excluded.created_at, started_at = excluded.started_at, finished_at = excluded.finished_at, sort_at = excluded.sort_at,
         servers = excluded.servers, models = excluded.models, search = excluded.search, run = excluded.run,
         result = coalesce(excluded.result, llmbench_runs.result)`,
      [
        run.id, run.status, run.origin, run.kind, run.name ?? null, run.createdAt, run.startedAt ?? null, run.finishedAt ?? null,
        runTime(run), run.servers, run.models, searchText(run, result), JSON.stringify(stored), result ? JSON.stringify(result.doc) : null,
      ],
    )
  }

  async get(id: string): Promise<StoredRun | undefined> {
    if (!isRunId(id)) return undefined
    const { rows } = await this.pool.query('select run from llmbench_runs where id = $1', [id])
    return rows[0]?.run as StoredRun | undefined
  }

  async result(id: string): Promise<AnyResult | undefined> {
    if (!isRunId(id)) return undefined
    const { rows } = await this.pool.query('select result from llmbench_runs where id = $1 and result is not null', [id])
    return rows[0] ? classifyResult(rows[0].result, id) : undefined
  }

  async list(q: ListQuery): Promise<ListPage> {
    const where: string[] = []
    const params: unknown[] = []
    const add = (sql: string, value: unknown) => {
      params.push(value)
      where.push(sql.replace('?', `$${params.length}`))
    }
    if (q.status) add('status = ?', q.status)
    if (q.model) add('? = any(models)', q.model)
    if (q.server) add('? = any(servers)', q.server)
    if (q.q) add('strpos(search, ?) > 0', q.q.toLowerCase())
    if (q.from) add('sort_at >= ?', q.from)
    if (q.to) add('sort_at <= ?', q.to)
    const clause = where.length ? `where ${where.join(' and ')}` : ''
    const total = await this.pool.query(`select count(*)::int as n from llmbench_runs ${clause}`, params)
    const page = await this.pool.query(
      `select run from llmbench_runs ${clause} order by sort_at desc, id desc limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, q.limit, q.offset],
    )
    return { runs: page.rows.map((r) => r.run as StoredRun), total: total.rows[0].n, limit: q.limit, offset: q.offset }
  }

  async delete(id: string): Promise<boolean> {
    if (!isRunId(id)) return false
    const { rowCount } = await this.pool.query('delete from llmbench_runs where id = $1', [id])
    return (rowCount ?? 0) > 0
  }

  async markInterrupted(reason: string): Promise<string[]> {
    const { rows } = await this.pool.query(
      `update llmbench_runs set status = 'interrupted', finished_at = $2::timestamptz,
         run = run || jsonb_build_object('status', 'interrupted', 'finishedAt', $2::text, 'error', $1::text)
       where status in ('queued', 'running') returning id`,
      [reason, new Date().toISOString()],
    )
    return rows.map((r) => r.id as string)
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(`create table if not exists llmbench_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`)
    const { rows } = await client.query('select version from llmbench_migrations')
    const applied = new Set(rows.map((r) => r.version as number))
    const newest = Math.max(0, ...applied)
    const known = MIGRATIONS[MIGRATIONS.length - 1].version
    if (newest > known) {
      throw new RuntimeError(`the database was migrated by a newer llmbench (schema version ${newest}, this one knows ${known}): upgrade llmbench`)
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue
      await client.query(m.sql)
      await client.query('insert into llmbench_migrations (version, name) values ($1, $2)', [m.version, m.name])
    }
    await client.query('commit')
  } catch (err) {
    await client.query('rollback').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
