/**
 * Input that cannot fit is refused with one line before it takes the memory: a dataset record
 * longer than any prompt, a file past what Node reads whole, and prompt sets too large to prepare.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPrompts, PromptsStopped } from '../src/data/prompts.js'
import { checkPromptsFit } from '../src/data/prompt-memory.js'
import { MAX_RECORD_BYTES } from '../src/data/records.js'
import type { FileSpec, PromptSpec } from '../src/data/prompt.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { runCli, startCli } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-bounds-'))
let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ decodeBaseMs: 1, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
})
afterAll(async () => {
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A file whose `line`-th line holds `bytes` of `x` (written in pieces: the test holds 1 MiB at a time). */
function fileWithLongLine(name: string, head: string, open: string, bytes: number, close: string): string {
  const path = join(dir, name)
  const fd = openSync(path, 'w')
  writeSync(fd, head + open)
  const piece = Buffer.alloc(1024 * 1024, 'x')
  for (let left = bytes; left > 0; left -= piece.length) writeSync(fd, piece, 0, Math.min(piece.length, left))
  writeSync(fd, close)
  closeSync(fd)
  return path
}

const LONG = MAX_RECORD_BYTES + 1024 * 1024

describe('a dataset record longer than any prompt', () => {
  it.each([
    ['text', 'long.txt', 'a short prompt\n', '', '\n'],
    ['jsonl', 'long.jsonl', '{"prompt":"short"}\n', '{"prompt":"', '"}\n'],
    ['sharegpt', 'long.json', '[{"conversations":[{"from":"human","value":"hi there"}]},\n', '{"conversations":[{"from":"human","value":"', '"}]}]\n'],
    ['csv', 'long.csv', 'prompt\nshort\n', '"', '"\n'],
  ] as const)('%s: one line naming the file, its line and the bound', async (format, name, head, open, close) => {
    const path = fileWithLongLine(name, head, open, LONG, close)
    const spec: FileSpec = { kind: 'file', path, format }
    const err = await loadPrompts(spec, 2, 0).then(() => undefined, (e: Error) => e)
    rmSync(path)
    expect(err?.name).toBe('UsageError')
    const line = format === 'csv' ? 3 : 2
    expect(err?.message).toMatch(new RegExp(`${name}:${line}: a (record of 65\\.0 MB, longer|row longer) than the 64 MB llmbench reads as one prompt \\(`))
    expect(err?.message.split('\n')).toHaveLength(1)
  })

  it('llmbench run: exit 2 and one line, for a record past the bound and a file past 2 GB', async () => {
    const long = fileWithLongLine('run-long.txt', 'a short prompt\n', '', LONG, '\n')
    // Sparse: 2.5 GB long on disk, nothing written.
    const huge = join(dir, 'huge.txt')
    writeFileSync(huge, '')
    const fd = openSync(huge, 'r+')
    writeSync(fd, 'x', 2.5 * 2 ** 30)
    closeSync(fd)
    for (const [path, message] of [[long, /run-long\.txt:2: a record of 65\.0 MB/], [huge, /huge\.txt: the file is 2\.5 GB, more than the 2 GB llmbench reads/]] as const) {
      const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', '--dataset', path, '--num-prompts', '2', '--no-calibrate'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    rmSync(long)
    rmSync(huge)
  })
})

describe('prompt sets that cannot be prepared', () => {
  it('refuses a billion prompts, or a billion-token prompt, before building any', async () => {
    const synthetic = (tokens: number): PromptSpec => ({ kind: 'synthetic', input: { tokens }, output: { tokens: 16 } })
    expect(() => checkPromptsFit(synthetic(256), 1e9)).toThrow(/^1,000,000,000 prompts of 256 tokens would take about 6\.\d TB of memory to prepare, more than the .* this process has \(at most about [\d,]+\): lower the requests per level/)
    expect(() => checkPromptsFit(synthetic(1e9), 1)).toThrow(/^a prompt of 1,000,000,000 tokens is longer than llmbench can build \(at most [\d,]+ tokens/)
    expect(() => checkPromptsFit(synthetic(256), 10_000)).not.toThrow()
    expect(() => checkPromptsFit(synthetic(8), 10_000, 1024 * 1024)).toThrow(/more than the 1\.0 MB this process has \(at most about 856\)/)
    // loadPrompts itself refuses: a program calling it gets the same line, not a heap out of memory.
    await expect(loadPrompts(synthetic(256), 1e9, 0)).rejects.toThrow(/^1,000,000,000 prompts of 256 tokens/)
  })

  it('gives the event loop a turn while it builds prompts, and stops there when asked', async () => {
    let turned = false
    setImmediate(() => (turned = true))
    const spec: PromptSpec = { kind: 'synthetic', input: { tokens: 64 }, output: { tokens: 4 } }
    const started = performance.now()
    const err = await loadPrompts(spec, 20_000, 0, { stopped: () => turned }).then(() => undefined, (e: Error) => e)
    expect(err).toBeInstanceOf(PromptsStopped)
    // Stopped at its first turn (50 ms of work), not after the whole set.
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('llmbench run: --num-prompts 1000000000 and --input-len 1000000000 get one line and exit 2, before any request', async () => {
    for (const [flag, message] of [['--num-prompts', /^llmbench: 1,000,000,000 prompts of 256 tokens would take about/], ['--input-len', /^llmbench: a prompt of 1,000,000,000 tokens is longer than llmbench can build/]] as const) {
      const received = sim.metrics().received
      const r = await runCli(['run', '--server', sim.url, '--model', 'sim-model', flag, '1000000000'], {}, 30_000)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(sim.metrics().received).toBe(received)
    }
  })

  it('llmbench run: Ctrl-C while prompts are fitted to /tokenize stops at once, exit 130', async () => {
    // A server whose /tokenize takes 25 ms: fitting 4,000 prompts, 8 at a time, takes over 12 s.
    const proxy = http.createServer((req, res) => {
      const forward = () => req.pipe(http.request(sim.url + req.url, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      }))
      if (req.url === '/tokenize') setTimeout(forward, 25)
      else forward()
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      const out = join(dir, 'stopped.json')
      const run = startCli(['run', '--server', url, '--model', 'sim-model', '--num-prompts', '4000', '--input-len', '32', '--output-len', '4', '--output', out], {}, 60_000)
      await run.printed(/^Prompts: .*fitted to the server's \/tokenize/m)
      await new Promise((r) => setTimeout(r, 300))
      run.child.kill('SIGINT')
      const signalled = performance.now()
      const r = await run.done
      expect(r.code).toBe(130)
      expect(performance.now() - signalled).toBeLessThan(5_000)
      expect(r.stderr).toContain('Stopping')
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ interrupted: true, levels: [] })
    } finally {
      await new Promise((r) => proxy.close(r))
    }
  })
})
