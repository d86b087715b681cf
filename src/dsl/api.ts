/**
 * What a bench file calls: `describe`, `bench` (with `.only`, `.skip`, `.todo`, `.skipIf`,
 * `.runIf`, `.each`) and the hooks. Each call registers into the file being collected
 * (collector.ts) with the place in the user's file it was written.
 */
import type { BenchResult } from './bench-result.js'
import {
  addBench,
  addHook,
  addSuite,
  collecting,
  collectingFile,
  type Assertions,
  type DeclaredMode,
  type HookFn,
  type HookName,
  type OptionsFn,
} from './collector.js'
import { formatName, rowArgs } from './each.js'
import { callSite } from './stack.js'
import type { BenchOptions } from './types.js'

/** Arguments a `bench.each` row gives: an array row spread, any other row as one argument. */
export type EachArgs<T> = T extends readonly unknown[] ? [...T] : [T]

export type EachBench<T> = (
  nameTemplate: string,
  options: BenchOptions | ((...row: EachArgs<T>) => BenchOptions),
  assertions?: (result: BenchResult, ...row: EachArgs<T>) => unknown,
) => void

export interface BenchFn {
  /**
   * Declares a scenario. `options` is an object, or a function called just before the scenario
   * runs (after its hooks, so it can read a URL a beforeAll set). Without options, a todo.
   */
  (name: string, options?: BenchOptions | (() => BenchOptions), assertions?: (result: BenchResult) => unknown): void
  /** One scenario per row of `table`; see each.ts for the name template. */
  each<T>(table: readonly T[]): EachBench<T>
}

export interface BenchApi extends BenchFn {
  only: BenchFn
  skip: BenchFn
  /** A placeholder reported as todo. */
  todo(name: string): void
  skipIf(condition: unknown): BenchFn
  runIf(condition: unknown): BenchFn
}

export type DescribeFn = (name: string, fn: () => void) => void

export interface DescribeApi extends DescribeFn {
  only: DescribeFn
  skip: DescribeFn
  skipIf(condition: unknown): DescribeFn
  runIf(condition: unknown): DescribeFn
}

function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new Error(`${what}() needs a name as its first argument, e.g. ${what}('chat, 256 in / 128 out', …)`)
  }
}

function checkBenchArgs(name: string, options: unknown, assertions: unknown): void {
  const isObject = typeof options === 'object' && options !== null && !Array.isArray(options)
  if (options !== undefined && !isObject && typeof options !== 'function') {
    throw new Error(
      `bench('${name}'): the second argument must be the options object (or a function returning it), e.g. { server, model, concurrency: [1, 10] }`,
    )
  }
  if (assertions !== undefined && typeof assertions !== 'function') {
    throw new Error(`bench('${name}'): the third argument must be the assertions callback, (result) => { expect(…) }`)
  }
}

function makeBench(mode: DeclaredMode): BenchFn {
  const fn = function bench(name: string, options?: BenchOptions | OptionsFn, assertions?: Assertions): void {
    collecting(`bench('${String(name)}')`)
    checkName('bench', name)
    checkBenchArgs(name, options, assertions)
    const { location } = callSite(fn, collectingFile())
    const declared: DeclaredMode = options === undefined && mode !== 'skip' ? 'todo' : mode
    addBench({ name, mode: declared, options: options ?? {}, assertions, location })
  } as BenchFn
  fn.each = <T>(table: readonly T[]): EachBench<T> => {
    if (!Array.isArray(table)) throw new Error('bench.each() needs an array of rows, e.g. bench.each([[1, 256], [10, 512]])')
    const each = function each(nameTemplate: string, options: unknown, assertions?: unknown): void {
      collecting(`bench.each(…)('${String(nameTemplate)}')`)
      checkName('bench.each(…)', nameTemplate)
      checkBenchArgs(nameTemplate, options, assertions)
      const { location } = callSite(each, collectingFile())
      table.forEach((row, index) => {
        const args = rowArgs(row)
        addBench({
          name: formatName(nameTemplate, args, index),
          mode,
          options: options as BenchOptions | OptionsFn,
          assertions: assertions as Assertions | undefined,
          args,
          location,
        })
      })
    }
    return each as EachBench<T>
  }
  return fn
}

function makeDescribe(mode: 'run' | 'only' | 'skip'): DescribeFn {
  const fn = function describe(name: string, body: () => void): void {
    collecting(`describe('${String(name)}')`)
    checkName('describe', name)
    if (typeof body !== 'function') throw new Error(`describe('${name}') needs a callback: describe('${name}', () => { bench(…) })`)
    const { location } = callSite(fn, collectingFile())
    addSuite(name, mode, body, location)
  }
  return fn
}

export const bench: BenchApi = Object.assign(makeBench('run'), {
  only: makeBench('only'),
  skip: makeBench('skip'),
  todo: function todo(name: string): void {
    collecting(`bench.todo('${String(name)}')`)
    checkName('bench.todo', name)
    const { location } = callSite(todo, collectingFile())
    addBench({ name, mode: 'todo', options: {}, location })
  },
  skipIf: (condition: unknown): BenchFn => makeBench(condition ? 'skip' : 'run'),
  runIf: (condition: unknown): BenchFn => makeBench(condition ? 'run' : 'skip'),
})

export const describe: DescribeApi = Object.assign(makeDescribe('run'), {
  only: makeDescribe('only'),
  skip: makeDescribe('skip'),
  skipIf: (condition: unknown): DescribeFn => makeDescribe(condition ? 'skip' : 'run'),
  runIf: (condition: unknown): DescribeFn => makeDescribe(condition ? 'run' : 'skip'),
})

function makeHook(name: HookName): (fn: HookFn) => void {
  const hook = function (fn: HookFn): void {
    collecting(`${name}()`)
    const { location } = callSite(hook, collectingFile())
    addHook(name, fn, location)
  }
  Object.defineProperty(hook, 'name', { value: name })
  return hook
}

/** Runs once before the first bench of its describe (or file) that runs. May return a teardown. */
export const beforeAll = makeHook('beforeAll')
/** Runs once after the last bench of its describe (or file) that ran, even when one failed. */
export const afterAll = makeHook('afterAll')
/** Runs before each bench of its describe (or file). May return a teardown. */
export const beforeEach = makeHook('beforeEach')
/** Runs after each bench of its describe (or file), even when it failed. */
export const afterEach = makeHook('afterEach')
