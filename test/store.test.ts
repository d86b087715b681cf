// One suite for every store behind `llmbench serve`: the history folder, and PostgreSQL when
// LLMBENCH_TEST_PG names a database (.ci/run starts one; without it the PostgreSQL half is skipped
// and says so). Each store is reopened mid-suite, as a restarted server would.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { historyData, saveToHistory } from '../src/report/history.js'
import type { AnyResult } from '../src/results/read.js'
import { FileStore } from '../src/store/file.js'
import { MIGRATIONS, PostgresStore } from '../src/store/postgres.js'
import { newRunId, runOfResult, type ListQuery, type ResultStore } from '../src/store/store.js'
import { openStore } from '../src/store/open.js'

const PG_URL = process.env.LLMBENCH_TEST_PG
if (!PG_URL) console.warn('test/store.test.ts: LLMBENCH_TEST_PG is not set, so the PostgreSQL store tests are skipped (.ci/run sets it)')

const page = (q: Partial<ListQuery> = {}): ListQuery => ({ limit: 50, offset: 0, ...q })

function runResult(model: string, server: string, day: number): AnyResult {
  return { kind: 'run', doc: syntheticRunResult({ requests: 8, concurrency: [1, 2], model, server, seed: day, startedAt: `2026-05-0${day}T10:00:00.000Z` }) }
}

interface Harness {
  open(): Promise<ResultStore>
  /** Extra checks of what the store wrote, where it wrote it. */
  after?(store: ResultStore, ids: Record<string, string>): Promise<void>
}

function storeSuite(name: string, harness: () => Harness, skip = false) {
  describe.skipIf(skip)(`${name} store`, () => {
    let store: ResultStore
    const ids: Record<string, string> = {}

    beforeAll(async () => {
      store = await harness().open()
    })
    afterAll(async () => {
      await store?.close()
    })

    it('saves runs with and without results, and gets them back', async () => {
      const days: Array<[string, string, string, number]> = [['a', 'llama', 'http://h1:8000', 1], ['b', 'qwen', 'http://h2:8000', 2], ['c', 'qwen', 'http://h1:8000', 3]]
      for (const [key, model, server, day] of days) {
        const result = runResult(model, server, day)
        ids[key] = newRunId(result.doc.startedAt)
        await store.save(runOfResult(ids[key], result, key === 'a' ? 'upload' : 'api', { name: `run ${key}`, createdAt: result.doc.finishedAt }), result)
      }
      const suite: AnyResult = { kind: 'suite', doc: syntheticSuiteResult({ requests: 8, concurrency: [2], model: 'llama', startedAt: '2026-05-04T10:00:00.000Z' }) }
      ids.suite = newRunId(suite.doc.startedAt)
      await store.save(runOfResult(ids.suite, suite, 'upload'), suite)
      ids.queued = newRunId('2026-05-05T10:00:00.000Z')
      await store.save({ id: ids.queued, status: 'queued', origin: 'api', kind: 'run', createdAt: '2026-05-05T10:00:00.000Z', servers: ['http://h1:8000'], models: ['qwen'], scenarios: 1, levels: 0, hasResult: false })
      ids.running = newRunId('2026-05-06T10:00:00.000Z')
      await store.save({ id: ids.running, status: 'running', origin: 'api', kind: 'run', createdAt: '2026-05-06T10:00:00.000Z', startedAt: '2026-05-06T10:00:01.000Z', servers: ['http://h2:8000'], models: ['llama'], scenarios: 1, levels: 0, hasResult: false })

      const b = await store.get(ids.b)
      expect(b).toMatchObject({ id: ids.b, status: 'measured', origin: 'api', kind: 'run', name: 'run b', models: ['qwen'], servers: ['http://h2:8000'], levels: 2, hasResult: true })
      expect(b!.options?.model).toBe('qwen')
      const doc = await store.result(ids.b)
      expect(doc?.kind).toBe('run')
      expect(doc?.doc.startedAt).toBe('2026-05-02T10:00:00.000Z')
      expect((await store.result(ids.suite))?.kind).toBe('suite')
      expect(await store.get(ids.queued)).toMatchObject({ status: 'queued', hasResult: false })
      expect(await store.result(ids.queued)).toBeUndefined()
      expect(await store.get('2026-01-01T00-00-00-000Z-ffffff')).toBeUndefined()
      for (const bad of ['../../etc/passwd', '..', '.hidden', 'a/b', '']) {
        expect(await store.get(bad)).toBeUndefined()
        expect(await store.result(bad)).toBeUndefined()
        expect(await store.delete(bad)).toBe(false)
      }
    })

    it('lists newest first, filters by model, server, status, text and dates, and pages', async () => {
      const all = await store.list(page())
      expect(all.total).toBe(6)
      expect(all.runs.map((r) => r.id)).toEqual([ids.running, ids.queued, ids.suite, ids.c, ids.b, ids.a])
      const idsOf = async (q: Partial<ListQuery>) => (await store.list(page(q))).runs.map((r) => r.id)
      expect(await idsOf({ model: 'qwen' })).toEqual([ids.queued, ids.c, ids.b])
      expect(await idsOf({ server: 'http://h1:8000' })).toEqual([ids.queued, ids.c, ids.a])
      expect(await idsOf({ status: 'measured' })).toEqual([ids.c, ids.b, ids.a])
      expect(await idsOf({ status: 'passed' })).toEqual([ids.suite])
      expect(await idsOf({ q: 'RUN B' })).toEqual([ids.b])
      expect(await idsOf({ q: 'chat under load' })).toEqual([ids.suite])
      expect(await idsOf({ q: ids.c.slice(-6) })).toEqual([ids.c])
      expect(await idsOf({ from: '2026-05-02T00:00:00.000Z', to: '2026-05-04T23:59:59.000Z' })).toEqual([ids.suite, ids.c, ids.b])
      expect(await idsOf({ model: 'qwen', server: 'http://h2:8000', status: 'measured' })).toEqual([ids.b])
      expect(await idsOf({ model: 'mistral' })).toEqual([])
      const second = await store.list(page({ limit: 2, offset: 2 }))
      expect(second).toMatchObject({ total: 6, limit: 2, offset: 2 })
      expect(second.runs.map((r) => r.id)).toEqual([ids.suite, ids.c])
      expect((await store.list(page({ limit: 2, offset: 6 }))).runs).toEqual([])
    })

    it('replaces a run on save and keeps its result when the new save has none', async () => {
      const before = (await store.get(ids.c))!
      await store.save({ ...before, name: 'renamed' })
      expect(await store.get(ids.c)).toMatchObject({ name: 'renamed', hasResult: true })
      expect((await store.result(ids.c))?.doc.startedAt).toBe('2026-05-03T10:00:00.000Z')
      expect((await store.list(page({ q: 'renamed' }))).runs.map((r) => r.id)).toEqual([ids.c])
    })

    it('after a restart, marks runs that were queued or running as interrupted and keeps finished ones', async () => {
      await store.close()
      store = await harness().open()
      const marked = await store.markInterrupted('llmbench serve stopped before the run finished')
      expect(marked.sort()).toEqual([ids.queued, ids.running].sort())
      const running = (await store.get(ids.running))!
      expect(running).toMatchObject({ status: 'interrupted', error: 'llmbench serve stopped before the run finished', hasResult: false })
      expect(Date.parse(running.finishedAt!)).toBeGreaterThan(Date.parse('2026-05-06T10:00:01.000Z'))
      expect(await store.get(ids.b)).toMatchObject({ status: 'measured', hasResult: true })
      expect(await store.markInterrupted('again')).toEqual([])
      expect((await store.list(page({ status: 'interrupted' }))).total).toBe(2)
    })

    it('deletes a run and its result', async () => {
      expect(await store.delete(ids.b)).toBe(true)
      expect(await store.get(ids.b)).toBeUndefined()
      expect(await store.result(ids.b)).toBeUndefined()
      expect(await store.delete(ids.b)).toBe(false)
      expect(await store.delete(ids.queued)).toBe(true)
      expect((await store.list(page())).total).toBe(4)
      await harness().after?.(store, ids)
    })
  })
}

const fileDir = mkdtempSync(join(tmpdir(), 'llmbench-store-'))
afterAll(() => rmSync(fileDir, { recursive: true, force: true }))

storeSuite('file', () => ({
  open: async () => new FileStore(fileDir),
  async after(_store, ids) {
    // Results stay plain history files (a, c and the suite); every run's state sits apart in .runs/.
    expect(readdirSync(fileDir).sort()).toEqual(['.runs', ...[ids.a, ids.c, ids.suite].map((id) => `${id}.json`).sort()])
    expect(readdirSync(join(fileDir, '.runs'))).toHaveLength(4)
  },
}))

describe('file store over a history folder', () => {
  it('lists what `llmbench run` and `npx llmbench` wrote, skips other files, and `report --history` still reads the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmbench-store-history-'))
    try {
      const file = saveToHistory(dir, runResult('llama', 'http://h1:8000', 1).doc)
      saveToHistory(dir, syntheticSuiteResult({ requests: 8, concurrency: [2], startedAt: '2026-05-02T10:00:00.000Z' }))
      writeFileSync(join(dir, 'notes.json'), '{"not": "a result"}')
      writeFileSync(join(dir, 'not an id!.json'), '{}')
      const store = await openStore(dir)
      expect(store.kind).toBe('file')
      const { runs, total } = await store.list(page())
      expect(total).toBe(2)
      expect(runs.map((r) => [r.kind, r.origin, r.status])).toEqual([['suite', 'cli', 'passed'], ['run', 'cli', 'measured']])
      expect(runs[1].id).toBe(file.split('/').pop()!.replace(/\.json$/, ''))
      // A run saved through the store is a history entry like any other.
      const upload = runResult('qwen', 'http://h2:8000', 3)
      await store.save(runOfResult(newRunId(upload.doc.startedAt), upload, 'upload'), upload)
      expect(historyData(dir).entries.map((e) => e.models)).toEqual([['llama'], ['synthetic-model'], ['qwen']])
      expect(historyData(dir).skipped.map((s) => s.file)).toEqual(['not an id!.json', 'notes.json'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// Each run of this file works in a schema of its own, dropped at the end.
const schema = `llmbench_test_${process.pid}_${Date.now().toString(36)}`
const schemaUrl = () => {
  const url = new URL(PG_URL!)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}
async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

describe.skipIf(!PG_URL)('postgres store setup', () => {
  beforeAll(async () => {
    await admin((c) => c.query(`create schema ${schema}`))
  })
  it('runs its migrations once, records them, and refuses a database migrated by a newer llmbench', async () => {
    const first = await PostgresStore.open(schemaUrl())
    const second = await openStore(schemaUrl())
    expect(second.kind).toBe('postgres')
    expect(second.where).not.toContain('options')
    await Promise.all([first.close(), second.close()])
    const rows = await admin(async (c) => (await c.query(`select version, name from ${schema}.llmbench_migrations order by version`)).rows)
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })))
    await admin((c) => c.query(`insert into ${schema}.llmbench_migrations (version, name) values (999, 'future')`))
    await expect(PostgresStore.open(schemaUrl())).rejects.toThrow(/migrated by a newer llmbench \(schema version 999/)
    await admin((c) => c.query(`delete from ${schema}.llmbench_migrations where version = 999`))
  })
  it('says which database it could not reach, without the password', async () => {
    const url = new URL(PG_URL!)
    url.password = 'hunter2-secret'
    url.port = '1'
    await expect(openStore(url.toString())).rejects.toThrow(/cannot use the PostgreSQL store postgres:\/\/.*:\*\*\*@127\.0\.0\.1:1\//)
  })
})

storeSuite('postgres', () => ({
  open: () => PostgresStore.open(schemaUrl()),
  async after() {
    const n = await admin(async (c) => (await c.query(`select count(*)::int as n from ${schema}.llmbench_runs`)).rows[0].n)
    expect(n).toBe(4)
  },
}), !PG_URL)

afterAll(async () => {
  if (PG_URL) await admin((c) => c.query(`drop schema if exists ${schema} cascade`))
})
