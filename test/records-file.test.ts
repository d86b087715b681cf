// The records file (src/records/records-file.ts), the result rebuilt from it (rebuild.ts) and the
// trimming of records in a result (trim.ts): round trip, a last line cut at every byte, a writer
// killed with SIGKILL, and bounded samples.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { summarizeLevel } from '../src/metrics/level.js'
import { readRecordsFile, RecordsWriter } from '../src/records/records-file.js'
import { CLIENT_UNKNOWN_WARNING, rebuildRunResult } from '../src/records/rebuild.js'
import { levelRecordsLimit, RecordSampler, trimRecords } from '../src/records/trim.js'
import type { LevelSummary, RequestRecord, ScenarioOptionsPublic } from '../src/results/types.js'
import { schemaErrors } from './helpers/schema.js'
import { goodputBounds } from '../src/options/slo.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-records-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let fileNo = 0
const tmp = () => join(dir, `r${fileNo++}.jsonl`)
/** Runs from dist/: build first (npm test does). */
const CHILD = fileURLToPath(new URL('./fixtures/records/writer-child.mjs', import.meta.url))

const SECRET = 'sk-test-0123456789abcdef'
const SCENARIO: ScenarioOptionsPublic = {
  server: 'http://127.0.0.1:8000', model: 'llama', endpoint: 'chat', stream: true, concurrency: [2, 4], requests: 20,
  warmup: 1, input: { tokens: 16 }, output: { tokens: 8 }, ignoreEos: true, includeUsage: true, continuousUsage: false,
  timeout: 30_000, seed: 3, headers: { authorization: '***' }, body: { temperature: 0 }, slo: { goodput: { ttft: 100, tpot: 30 } },
}
const HEADER = { scenario: SCENARIO, startedAt: new Date('2026-01-02T03:04:05.000Z'), command: 'llmbench run --api-key=***' }
const CLIENT = { eventLoopDelayP99Ms: 6.5, cpuPercent: 30 }

function record(i: number, p: Partial<RequestRecord> = {}): RequestRecord {
  const sentAt = 1000 + i * 10.5
  const tokenTimes = Array.from({ length: 8 }, (_, k) => Math.round((40 + k * 9.25 + (i % 5) * 1.1) * 1000) / 1000)
  return {
    index: i, warmup: i === 0, stream: true, scheduledAt: sentAt - 0.25, sentAt,
    firstTokenAt: sentAt + tokenTimes[0], firstContentAt: sentAt + tokenTimes[0], lastTokenAt: sentAt + tokenTimes[7],
    endAt: sentAt + tokenTimes[7] + 1, outcome: 'ok', outputTokens: 8, outputTokensSource: 'usage',
    inputTokens: 16, inputTokensSource: 'usage', tokenTimes, ...p,
  }
}
const failure = (i: number, message: string): RequestRecord =>
  record(i, { outcome: 'http', error: { status: 401, message }, outputTokens: 0, tokenTimes: undefined, firstTokenAt: undefined, firstContentAt: undefined, lastTokenAt: undefined })

const LEVEL0 = [...Array.from({ length: 12 }, (_, i) => record(i)), failure(12, `bad key ${SECRET} — 日本語`)]
const LEVEL1 = Array.from({ length: 9 }, (_, i) => record(i, { sentAt: 5000 + i * 3, scheduledAt: 5000 + i * 3 }))
const summaryOf = (rs: RequestRecord[], value: number): LevelSummary =>
  summarizeLevel(rs, { load: { kind: 'concurrency', value }, slo: goodputBounds(SCENARIO.slo), client: CLIENT })

/** A run's file: both levels complete with `end`, or cut after level 1's records (`crashed`). */
function writeRun(path: string, crashed = false): void {
  const w = RecordsWriter.open(path, HEADER, { secrets: [SECRET] })
  w.level({ index: 0, load: { kind: 'concurrency', value: 2 } })
  for (const r of LEVEL0) w.record(0, r)
  w.levelEnd(0, summaryOf(LEVEL0, 2))
  w.level({ index: 1, load: { kind: 'concurrency', value: 4 } })
  for (const r of LEVEL1) w.record(1, r)
  if (crashed) return w.close()
  w.levelEnd(1, summaryOf(LEVEL1, 4))
  w.end({ finishedAt: new Date('2026-01-02T03:05:00.000Z'), interrupted: false })
}

const redacted = (rs: RequestRecord[]) => rs.map((r) => (r.error ? { ...r, error: { ...r.error, message: r.error.message.replace(SECRET, '***') } } : r))

describe('records file round trip', () => {
  it('writes a run line, levels, records, level ends and an end line, with no secret', async () => {
    const path = tmp()
    writeRun(path)
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain(SECRET)
    const types = text.trim().split('\n').map((l) => JSON.parse(l).type)
    expect(types).toEqual(['run', 'level', ...LEVEL0.map(() => 'record'), 'levelEnd', 'level', ...LEVEL1.map(() => 'record'), 'levelEnd', 'end'])
    const file = await readRecordsFile(path)
    expect(file.header).toMatchObject({ type: 'run', format: 2, startedAt: '2026-01-02T03:04:05.000Z', command: HEADER.command, scenario: SCENARIO })
    expect(file.levels.map((l) => l.load.value)).toEqual([2, 4])
    expect(file.levels[0].records).toEqual(redacted(LEVEL0))
    expect(file.levels[1].records).toEqual(LEVEL1)
    expect(file.levels[1].end?.summary).toEqual(summaryOf(LEVEL1, 4))
    expect(file.end).toMatchObject({ finishedAt: '2026-01-02T03:05:00.000Z', interrupted: false })
    expect(file.truncated).toBeUndefined()
  })

  it('prints token times as JSON.stringify does, and reads back the same doubles', async () => {
    const path = tmp()
    const w = RecordsWriter.open(path, HEADER)
    w.level({ index: 0, load: { kind: 'concurrency', value: 2 } })
    const odd = [0, 0.001, 0.01, 0.1, 0.5, 1 / 3, 12.3456789, 1e-7, 999.999, 1000, 1234567.891, 2 ** 53, 0.0005, 7.1]
    const everyMicro = Array.from({ length: 1000 }, (_, f) => (12_345_000 + f) / 1000)
    const big = [1e9, 123_456_789_012.345, 9_007_199_254.740_991, 9_007_199_254_740.991]
    const times = [...odd, ...everyMicro, ...big, ...Array.from({ length: 2000 }, (_, i) => Math.round(((i * 7919) % 100_003) * 12.345) / 1000)]
    w.record(0, record(1, { tokenTimes: times }))
    w.record(0, record(2, { tokenTimes: [] }))
    w.close()
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(lines[2]).toContain(`"tokenTimes":${JSON.stringify(times)}`)
    const file = await readRecordsFile(path)
    expect(file.levels[0].records[0].tokenTimes).toEqual(times)
    expect(file.levels[0].records[1].tokenTimes).toEqual([])
  })

  it('rebuilds the result the run would have written', async () => {
    const path = tmp()
    writeRun(path)
    const result = await rebuildRunResult(path)
    expect(schemaErrors(result)).toEqual([])
    expect(result.interrupted).toBe(false)
    expect(result.finishedAt).toBe('2026-01-02T03:05:00.000Z')
    expect(result.recordsFile).toBe(path)
    expect(result.scenario).toEqual(SCENARIO)
    expect(result.levels.map((l) => l.summary)).toEqual([summaryOf(redacted(LEVEL0), 2), summaryOf(LEVEL1, 4)])
    expect(result.levels[0].records).toEqual(redacted(LEVEL0))
    expect(result.levels[0].recordsOmitted).toBeUndefined()
  })

  it('rebuilds a run cut short: interrupted, client figures unknown where the level did not end', async () => {
    const path = tmp()
    writeRun(path, true)
    const result = await rebuildRunResult(path)
    expect(schemaErrors(result)).toEqual([])
    expect(result.interrupted).toBe(true)
    expect(result.levels[0].summary.warnings).not.toContain(CLIENT_UNKNOWN_WARNING)
    expect(result.levels[1].summary.client).toEqual({ eventLoopDelayP99Ms: 0, cpuPercent: 0 })
    expect(result.levels[1].summary.warnings).toEqual([CLIENT_UNKNOWN_WARNING])
    expect(result.levels[1].records).toHaveLength(LEVEL1.length)
  })

  it('keeps a seeded sample past the records limit and names what it left out', async () => {
    const path = tmp()
    const w = RecordsWriter.open(path, HEADER)
    w.level({ index: 0, load: { kind: 'concurrency', value: 2 } })
    const many = Array.from({ length: 300 }, (_, i) => (i % 10 === 3 ? failure(i, 'no') : record(i, { warmup: false })))
    for (const r of many) w.record(0, r)
    w.end({ finishedAt: new Date(), interrupted: true })
    const result = await rebuildRunResult(path, { recordsLimit: 50 })
    expect(schemaErrors(result)).toEqual([])
    expect(result.levels[0].records).toHaveLength(50)
    expect(result.levels[0].recordsOmitted).toBe(250)
    expect(result.levels[0].summary.requests.total).toBe(300)
    expect(result.levels[0].records.filter((r) => r.outcome !== 'ok')).toHaveLength(25)
    expect(await rebuildRunResult(path, { recordsLimit: 50 })).toEqual(result)
  })
})

describe('records file cut short', () => {
  /** The file as bytes, and where its last line starts. */
  function crashedFile(): { bytes: Buffer; lastLine: number } {
    const path = tmp()
    writeRun(path, true)
    const bytes = readFileSync(path)
    return { bytes, lastLine: bytes.lastIndexOf(0x0a, bytes.length - 2) + 1 }
  }

  it('reads a file cut at every byte offset of its last line', async () => {
    const { bytes, lastLine } = crashedFile()
    // The last line is level 1's last record; cut inside it, that record is lost and reported.
    const lineNo = bytes.subarray(0, lastLine).toString().split('\n').length
    for (let end = lastLine; end <= bytes.length; end++) {
      const path = tmp()
      writeFileSync(path, bytes.subarray(0, end))
      const file = await readRecordsFile(path)
      const whole = end >= bytes.length - 1 // a line missing only its newline is complete
      expect(file.levels[1].records, `cut at ${end}`).toHaveLength(LEVEL1.length - (whole ? 0 : 1))
      expect(file.truncated, `cut at ${end}`).toEqual(whole || end === lastLine ? undefined : { line: lineNo, bytes: end - lastLine })
      if ((end - lastLine) % 25 === 1) {
        const result = await rebuildRunResult(path)
        expect(schemaErrors(result)).toEqual([])
        expect(result.interrupted).toBe(true)
      }
      rmSync(path)
    }
  })

  it('reads a file whose end line or multibyte text is cut, and warns in the rebuilt result', async () => {
    const path = tmp()
    writeRun(path)
    const bytes = readFileSync(path)
    writeFileSync(path, bytes.subarray(0, bytes.length - 10))
    const result = await rebuildRunResult(path)
    expect(result.interrupted).toBe(true)
    expect(result.levels[1].summary.warnings.at(-1)).toMatch(/^rebuilt from records: line 28 of the records file was cut short/)
    expect(schemaErrors(result)).toEqual([])
    // Cut inside the three bytes of 日 in level 0's failure message, then nothing after it.
    const cut = bytes.indexOf(Buffer.from('日')) + 1
    writeFileSync(path, bytes.subarray(0, cut))
    const file = await readRecordsFile(path)
    expect(file.levels[0].records).toHaveLength(LEVEL0.length - 1)
    expect(file.truncated?.line).toBe(15)
  })

  it('rejects a bad line in the middle with its line number, and files that are not records', async () => {
    const { bytes } = crashedFile()
    const lines = bytes.toString().split('\n')
    const reject = async (text: string, message: RegExp) => {
      const path = tmp()
      writeFileSync(path, text)
      await expect(readRecordsFile(path)).rejects.toThrow(message)
      await expect(rebuildRunResult(path)).rejects.toThrow(message)
    }
    await reject([...lines.slice(0, 4), '{"type":"rec', ...lines.slice(5)].join('\n'), /r\d+\.jsonl:5: not valid JSON .*not the last line: the file is damaged$/)
    await reject([...lines.slice(0, 4), '{"type":"record","level":9,"index":0}', ...lines.slice(5)].join('\n'), /:5: a record of level 9, which has not started$/)
    await reject([lines[0], lines[0]].join('\n'), /:2: a second run line$/)
    await reject(lines.slice(1).join('\n'), /:1: not an llmbench records file/)
    await reject('', /:1: the file is empty: no run line$/)
    await reject(lines[0].slice(0, 30), /:1: the run line is cut short$/)
    await expect(readRecordsFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read the records file .*missing\.jsonl: ENOENT/)
  })
})

describe('records writer buffering', () => {
  it('writes on its timer, on size and on flushSync, never closing twice', async () => {
    const path = tmp()
    const w = RecordsWriter.open(path, HEADER, { flushIntervalMs: 30, flushBytes: 4096 })
    const lines = () => readFileSync(path, 'utf8').trim().split('\n').length
    w.level({ index: 0, load: { kind: 'concurrency', value: 2 } })
    w.record(0, record(1))
    expect(lines()).toBe(1)
    expect(w.recordsWritten).toBe(0)
    await new Promise((r) => setTimeout(r, 120))
    expect(lines()).toBe(3)
    expect(w.recordsWritten).toBe(1)
    for (let i = 0; i < 20; i++) w.record(0, record(i)) // ~6 KB: one write on size
    expect(lines()).toBeGreaterThan(3)
    w.flushSync()
    expect(lines()).toBe(23)
    expect(w.recordsWritten).toBe(21)
    expect(() => w.record(1, record(0))).toThrow(/a record of level 1, which has not started/)
    expect(() => w.level({ index: 0, load: { kind: 'concurrency', value: 2 } })).toThrow(/not a new level index/)
    w.close()
    w.close()
    expect(() => w.record(0, record(0))).toThrow(/is closed/)
  })

  it('flushes on process exit', async () => {
    const path = tmp()
    const code = await new Promise<number | null>((resolve) => spawn(process.execPath, [CHILD, path, 'exit'], { stdio: 'ignore' }).on('exit', resolve))
    expect(code).toBe(0)
    expect((await readRecordsFile(path)).levels[0].records).toHaveLength(5)
  })

  it('leaves a file that rebuilds into a valid result when the writer is killed with SIGKILL', async () => {
    const path = tmp()
    const child = spawn(process.execPath, [CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] })
    let reported = 0
    let reports = 0
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child reported only ${reported} records`)), 15_000)
      let buffered = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop()!
        for (const l of lines) {
          reported = Number(l.replace('written ', ''))
          reports++
        }
        // Several timer flushes done, and records are being produced as the kill lands.
        if (reports >= 5 && reported >= 500) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    child.kill('SIGKILL')
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)))
    expect(signal).toBe('SIGKILL')
    const file = await readRecordsFile(path)
    const onDisk = file.levels[0].records.length
    expect(onDisk).toBeGreaterThanOrEqual(reported)
    const result = await rebuildRunResult(path)
    expect(schemaErrors(result)).toEqual([])
    expect(result.interrupted).toBe(true)
    const s = result.levels[0].summary
    expect(s.requests.total).toBe(onDisk)
    expect(s.errors.disconnect).toBe(file.levels[0].records.filter((r) => r.outcome === 'disconnect').length)
    expect(s.warnings).toContain(CLIENT_UNKNOWN_WARNING)
    expect(result.levels[0].records).toHaveLength(onDisk)
  })
})

describe('trimming records', () => {
  it('shares one budget among many levels: 100,000 a level up to three, then 300,000 split, never under 10,000', () => {
    expect([1, 3, 4, 10, 30, 31, 100].map(levelRecordsLimit)).toEqual([100_000, 100_000, 75_000, 30_000, 10_000, 10_000, 10_000])
  })

  const rs = (n: number, failEvery: number) => Array.from({ length: n }, (_, i) => (i % failEvery === 0 ? failure(i, 'x') : record(i, { warmup: false })))

  it('keeps every record, in order, up to the limit', () => {
    const all = rs(100, 7)
    expect(trimRecords(all, { limit: 100 })).toEqual({ records: all })
    const s = new RecordSampler({ limit: 100 })
    for (const r of all) s.add(r)
    expect(s.records()).toEqual(all)
    expect(s.omitted).toBe(0)
  })

  it('keeps all failures when they are at most half the limit, and a uniform sample of the rest', () => {
    const all = rs(10_000, 50) // 200 failures
    const { records, recordsOmitted } = trimRecords(all, { limit: 1000, seed: 1 })
    expect(records).toHaveLength(1000)
    expect(recordsOmitted).toBe(9000)
    expect(records.filter((r) => r.outcome !== 'ok')).toHaveLength(200)
    expect(records.map((r) => r.index)).toEqual([...records.map((r) => r.index)].sort((a, b) => a - b))
    // A uniform sample of 800 of 9,800 successes: mean index near the middle (sd ≈ 100).
    const ok = records.filter((r) => r.outcome === 'ok')
    expect(Math.abs(ok.reduce((a, r) => a + r.index, 0) / ok.length - 5000)).toBeLessThan(400)
    expect(trimRecords(all, { limit: 1000, seed: 1 }).records).toEqual(records)
    expect(trimRecords(all, { limit: 1000, seed: 2 }).records).not.toEqual(records)
  })

  it('gives each kind half the slots when both overflow, and the free slots to the other', () => {
    const half = trimRecords(rs(5_000, 2), { limit: 101 }).records
    expect(half.filter((r) => r.outcome !== 'ok')).toHaveLength(51)
    expect(half.filter((r) => r.outcome === 'ok')).toHaveLength(50)
    const fewOk = trimRecords([...rs(20, 1000).slice(1), ...Array.from({ length: 500 }, (_, i) => failure(20 + i, 'x'))], { limit: 100 }).records
    expect(fewOk.filter((r) => r.outcome === 'ok')).toHaveLength(19)
    expect(fewOk).toHaveLength(100)
  })
})
