// Source locations of a real .ts bench file loaded as the worker loads it: esbuild-register (CommonJS)
// with Node's source maps, so lines are those of the .ts file although the types were stripped.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register } from 'esbuild-register/dist/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as dsl from '../src/dsl/index.js'
import type { CollectedFile, CollectedSuite, ExecuteContext } from '../src/dsl/index.js'
import type { FileResult } from '../src/results/suite.js'
import type { LevelResult, ScenarioOptionsPublic } from '../src/results/types.js'

// ---------------------------------------------------------------------------------------------
// Fixtures: a temp project whose `llmbench` package hands out the DSL under test.

const GLOBAL = '__llmbenchDslUnderTest'
const dir = mkdtempSync(join(tmpdir(), 'llmbench-dsl-'))
mkdirSync(join(dir, 'node_modules', 'llmbench'), { recursive: true })
writeFileSync(join(dir, 'node_modules', 'llmbench', 'index.js'), `module.exports = globalThis.${GLOBAL}\n`)

// Type-only lines (the interface, the type alias, the annotations) vanish from the compiled code,
// so without source maps every line below them would be reported too high.
const BENCH = `import { describe, bench, beforeAll, expect } from 'llmbench'

interface Limits {
  ttft: number
  tpot: number
}
type Level = 1 | 10 | 50
const limits: Limits = { ttft: 800, tpot: 50 }
const top: Level = 50

describe('qwen3-14b on vLLM', () => {
  beforeAll(async (): Promise<void> => {
    HOOK_BODY
  })
  bench('chat, 256 in / 128 out', { concurrency: [10, 50] }, (result) => {
    expect(result.level(top).ttft.p95).toBeLessThan(limits.ttft)
  })
})
`

let count = 0
/** Writes the fixture (with `hookBody` in its beforeAll) under a new name; its path and text. */
function writeBench(hookBody = ''): { path: string; text: string } {
  const text = BENCH.replace('HOOK_BODY', hookBody)
  const path = join(dir, `latency-${++count}.bench.ts`)
  writeFileSync(path, text)
  return { path, text }
}

const lineIn = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1

/**
 * Runs `fn` as in a worker: Node's own source-mapped stacks. (Vitest installs its own
 * Error.prepareStackTrace, which does not know esbuild-register's maps.)
 */
async function asInWorker<T>(fn: () => Promise<T>): Promise<T> {
  const saved = Error.prepareStackTrace
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace
  process.setSourceMapsEnabled(true)
  const hook = register({ target: 'node20' })
  try {
    return await fn()
  } finally {
    hook.unregister()
    Error.prepareStackTrace = saved
  }
}

const require = createRequire(import.meta.url)
const load = (path: string, name = path): Promise<CollectedFile> => asInWorker(() => dsl.collect(() => require(path), name))

function level(concurrency: number): LevelResult {
  const stats = { count: 10, mean: 900, std: 0, min: 900, max: 900, p50: 900, p90: 900, p95: 900, p99: 900, p999: 900 }
  return {
    summary: {
      load: { kind: 'concurrency', value: concurrency },
      requests: { total: 10, succeeded: 10, failed: 0, warmup: 0 },
      errors: {},
      durationSec: 1,
      throughput: { requestsPerSec: 10, outputTokensPerSec: 100, inputTokensPerSec: 100, totalTokensPerSec: 200 },
      concurrency: { achieved: concurrency, maxInFlight: concurrency },
      stats: { ttft: stats },
      itlGranularity: 'token',
      outputTokensSource: { usage: 10 },
      client: { eventLoopDelayP99Ms: 0, cpuPercent: 0 },
      warnings: [],
    },
    records: [],
  }
}

const OPTIONS = { server: 'http://x', model: 'm', endpoint: 'chat', stream: true, concurrency: [10, 50] } as ScenarioOptionsPublic
const ctx: ExecuteContext = { run: async () => ({ options: OPTIONS, levels: [level(10), level(50)] }), emit: () => undefined }
const run = (f: CollectedFile): Promise<FileResult> => asInWorker(() => dsl.runFile(f, ctx))

beforeAll(() => {
  ;(globalThis as Record<string, unknown>)[GLOBAL] = dsl
})
afterAll(() => {
  delete (globalThis as Record<string, unknown>)[GLOBAL]
})

// ---------------------------------------------------------------------------------------------

describe('source locations through esbuild-register', () => {
  it('records the .ts line and column of a bench call', async () => {
    const { path, text } = writeBench()
    const f = await load(path)
    expect(f.benches[0].location).toEqual({ file: path, line: lineIn(text, "bench('chat"), column: 3 })
  })

  it('records the .ts lines of describe and hooks', async () => {
    const { path, text } = writeBench()
    const f = await load(path)
    const suite = f.root.children[0] as CollectedSuite
    expect(suite.location?.line).toBe(lineIn(text, 'describe('))
    expect(suite.hooks.beforeAll[0].location?.line).toBe(lineIn(text, 'beforeAll('))
  })

  it('names the location by the file name the runner gave (relative to the root)', async () => {
    const { path } = writeBench()
    const name = path.slice(dir.length + 1)
    const f = await load(path, name)
    expect(f.benches[0].location?.file).toBe(name)
  })

  it('records the line and source text of an expect call', async () => {
    const { path, text } = writeBench()
    const r = await run(await load(path))
    const c = r.scenarios[0].checks[0]
    expect(c.location?.line).toBe(lineIn(text, 'expect(result'))
    expect(c.name).toBe('expect(result.level(top).ttft.p95).toBeLessThan(limits.ttft) @ concurrency 50')
    expect(c).toMatchObject({ level: 50, metric: 'ttft.p95', expected: '< 800', actual: 900, passed: false })
  })

  it('locates an error thrown in a beforeAll at its .ts line', async () => {
    const { path, text } = writeBench("throw new Error('no GPU')")
    const r = await run(await load(path))
    expect(r.scenarios[0].error).toMatchObject({
      message: 'beforeAll hook failed: no GPU',
      location: { file: path, line: lineIn(text, 'no GPU') },
    })
  })
})
