// Collection of bench files: the tree, ids, modes, bench.each, and the errors of misuse.
import { describe as group, expect, it } from 'vitest'
import { afterAll, beforeAll, bench, collect, describe, planFile, type CollectedFile } from '../src/dsl/index.js'
import type { CollectedSuite } from '../src/dsl/index.js'

const FILE = 'latency.bench.ts'
const load = (body: () => void): Promise<CollectedFile> => collect(body, FILE)
const ids = (f: CollectedFile) => f.benches.map((b) => b.id)
const modes = (f: CollectedFile, pattern?: RegExp) => Object.fromEntries([...planFile(f, pattern)].map(([b, m]) => [b.id, m]))

group('the tree', () => {
  it('nests describes and keeps declaration order', async () => {
    const f = await load(() => {
      bench('top', {})
      describe('outer', () => {
        bench('a', {})
        describe('inner', () => {
          bench('b', {})
        })
        bench('c', {})
      })
    })
    expect(ids(f)).toEqual(['top', 'outer > a', 'outer > inner > b', 'outer > c'])
    expect(f.benches[2].suite).toEqual(['outer', 'inner'])
    const outer = f.root.children[1] as CollectedSuite
    expect(outer.kind).toBe('describe')
    expect(outer.children.map((c) => c.name)).toEqual(['a', 'inner', 'c'])
  })

  it('names every bench with the file it was collected from', async () => {
    const f = await load(() => bench('a', {}))
    expect(f.file).toBe(FILE)
    expect(f.benches[0].file).toBe(FILE)
  })

  it('gives duplicate ids (2), (3) suffixes and keeps the name', async () => {
    const f = await load(() => {
      bench('chat', {})
      bench('chat', {})
      describe('d', () => bench('chat', {}))
      bench('chat', {})
    })
    expect(ids(f)).toEqual(['chat', 'chat (2)', 'd > chat', 'chat (3)'])
    expect(f.benches[1].name).toBe('chat')
  })

  it('keeps options and the assertions callback', async () => {
    const assertions = () => undefined
    const f = await load(() => bench('a', { concurrency: [1, 10], requests: 5 }, assertions))
    expect(f.benches[0].options).toEqual({ concurrency: [1, 10], requests: 5 })
    expect(f.benches[0].assertions).toBe(assertions)
  })

  it('registers hooks in the describe they were called in', async () => {
    const fa = () => undefined
    const fb = () => undefined
    const f = await load(() => {
      beforeAll(fa)
      describe('d', () => afterAll(fb))
    })
    expect(f.root.hooks.beforeAll.map((h) => h.fn)).toEqual([fa])
    expect((f.root.children[0] as CollectedSuite).hooks.afterAll.map((h) => h.fn)).toEqual([fb])
  })

  it('starts each collection from an empty state', async () => {
    await load(() => bench('first', {}))
    const f = await load(() => bench('second', {}))
    expect(ids(f)).toEqual(['second'])
  })

  it('collects a load function that returns a promise (an ESM import)', async () => {
    const f = await collect(async () => {
      bench('sync part', {})
      await Promise.resolve()
    }, FILE)
    expect(ids(f)).toEqual(['sync part'])
  })
})

group('modes', () => {
  it('skips .skip benches and everything in describe.skip', async () => {
    const f = await load(() => {
      bench('a', {})
      bench.skip('b', {})
      describe.skip('d', () => bench('c', {}))
    })
    expect(modes(f)).toEqual({ a: 'run', b: 'skip', 'd > c': 'skip' })
  })

  it('restricts the file to .only benches when one exists', async () => {
    const f = await load(() => {
      bench('a', {})
      describe('d', () => {
        bench.only('b', {})
        bench('c', {})
      })
    })
    expect(f.hasOnly).toBe(true)
    expect(modes(f)).toEqual({ a: 'skip', 'd > b': 'run', 'd > c': 'skip' })
  })

  it('runs every bench of a describe.only, except skipped ones', async () => {
    const f = await load(() => {
      bench('a', {})
      describe.only('d', () => {
        bench('b', {})
        bench.skip('c', {})
      })
    })
    expect(modes(f)).toEqual({ a: 'skip', 'd > b': 'run', 'd > c': 'skip' })
  })

  it('marks bench.todo, and a bench without options, as todo', async () => {
    const f = await load(() => {
      bench.todo('later')
      bench('no options yet')
    })
    expect(modes(f)).toEqual({ later: 'todo', 'no options yet': 'todo' })
  })

  it('skips with bench.skipIf(true) and runs with bench.skipIf(false)', async () => {
    const f = await load(() => {
      bench.skipIf(true)('a', { requests: 1 })
      bench.skipIf(false)('b', { requests: 2 })
    })
    expect(modes(f)).toEqual({ a: 'skip', b: 'run' })
    expect(f.benches[0].options).toEqual({ requests: 1 })
  })

  it('skips a whole describe with describe.skipIf(true)', async () => {
    const f = await load(() => {
      describe.skipIf(true)('gpu only', () => bench('a', {}))
      describe.skipIf(false)('always', () => bench('b', {}))
    })
    expect(modes(f)).toEqual({ 'gpu only > a': 'skip', 'always > b': 'run' })
  })

  it('skips benches whose id does not match the name pattern', async () => {
    const f = await load(() => {
      describe('vllm', () => bench('chat', {}))
      describe('sglang', () => bench('chat', {}))
    })
    expect(modes(f, /^vllm/)).toEqual({ 'vllm > chat': 'run', 'sglang > chat': 'skip' })
  })
})

group('bench.each', () => {
  it('spreads array rows into the options function and formats %s and %d', async () => {
    const f = await load(() => {
      bench.each([
        ['vllm', 10],
        ['sglang', 50],
      ])('%s at %d', (server, concurrency) => ({ server: String(server), concurrency: Number(concurrency) }))
    })
    expect(ids(f)).toEqual(['vllm at 10', 'sglang at 50'])
    expect(f.benches[1].args).toEqual(['sglang', 50])
    const options = f.benches[1].options as (...row: unknown[]) => unknown
    expect(options(...f.benches[1].args)).toEqual({ server: 'sglang', concurrency: 50 })
  })

  it('passes object rows as one argument and formats $key', async () => {
    const f = await load(() => {
      bench.each([{ input: 64, output: 16 }])('$input in / $output out', ({ input }) => ({ input: { tokens: input } }))
    })
    expect(ids(f)).toEqual(['64 in / 16 out'])
    expect(f.benches[0].args).toEqual([{ input: 64, output: 16 }])
  })

  it('formats %i, %f, %j, %#, %$ and %%', async () => {
    const f = await load(() => {
      bench.each([[1.7, '2.5', { a: 1 }]])('%i %f %j #%# n%$ 100%%', {})
    })
    expect(ids(f)).toEqual(['1 2.5 {"a":1} #0 n1 100%'])
  })

  it('passes single values as one argument', async () => {
    const f = await load(() => bench.each([1, 10])('c=%d', (c) => ({ concurrency: c })))
    expect(ids(f)).toEqual(['c=1', 'c=10'])
    expect(f.benches[1].args).toEqual([10])
  })

  it('uses one options object for every row when given an object', async () => {
    const f = await load(() => bench.each([['a'], ['b']])('%s', { requests: 3 }))
    expect(f.benches.map((b) => b.options)).toEqual([{ requests: 3 }, { requests: 3 }])
  })

  it('combines with .skip and .only', async () => {
    const f = await load(() => {
      bench.skip.each([1])('s%d', {})
      bench.only.each([2])('o%d', {})
      bench('plain', {})
    })
    expect(modes(f)).toEqual({ s1: 'skip', o2: 'run', plain: 'skip' })
  })
})

group('errors', () => {
  it('throws when bench is called outside collection', () => {
    expect(() => bench('x', {})).toThrow(/bench\('x'\) was called outside the collection of a bench file/)
  })

  it('throws when a hook is called outside collection', () => {
    expect(() => beforeAll(() => undefined)).toThrow(/beforeAll\(\) was called outside the collection/)
  })

  it('rejects an async describe callback with a clear message', async () => {
    await expect(
      load(() => {
        describe('async', async () => {
          await Promise.resolve()
        })
      }),
    ).rejects.toThrow(/describe\('async'\).*returned a Promise.*move async setup into beforeAll\(\)/)
  })

  it('rejects with the error the file threw', async () => {
    await expect(
      load(() => {
        throw new Error('boom at load')
      }),
    ).rejects.toThrow('boom at load')
  })

  it('leaves collection after a failed load, so bench throws again', async () => {
    await load(() => {
      throw new Error('x')
    }).catch(() => undefined)
    expect(() => bench('late', {})).toThrow(/outside the collection/)
  })

  it('rejects options that are not an object or a function', async () => {
    await expect(load(() => bench('x', 42 as never))).rejects.toThrow(/bench\('x'\): the second argument must be the options object/)
  })

  it('rejects a bench without a name', async () => {
    await expect(load(() => bench('' as string, {}))).rejects.toThrow(/bench\(\) needs a name/)
  })

  it('throws when bench is called inside a running hook or callback (after collection)', async () => {
    const f = await load(() => beforeAll(() => bench('nested', {})))
    expect(() => f.root.hooks.beforeAll[0].fn()).toThrow(/outside the collection/)
  })
})
