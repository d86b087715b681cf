/** The tree a bench file's calls build while it loads (collector.ts), as types only. */
import type { BenchOptions, BenchResult, SourceLocation } from './types.js'

/** How a bench or describe was declared; `.only` anywhere restricts the file (plan.ts). */
export type DeclaredMode = 'run' | 'only' | 'skip' | 'todo'
export type HookName = 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach'
/** A hook may return a teardown function, called after the matching after-hooks. */
export type HookFn = () => unknown | Promise<unknown>
/** The assertions callback; rows of `bench.each` follow the result (arrays spread, others as one argument). */
export type Assertions = (result: BenchResult, ...row: any[]) => unknown | Promise<unknown>
/**
 * Options computed when the bench is about to run (after its beforeAll and beforeEach hooks, so
 * they can read a server URL a hook set), with the row of `bench.each` as arguments.
 */
export type OptionsFn = (...row: any[]) => BenchOptions

export interface CollectedHook {
  name: HookName
  fn: HookFn
  location?: SourceLocation
}

export interface CollectedSuite {
  kind: 'describe'
  /** Empty for the file's root. */
  name: string
  mode: 'run' | 'only' | 'skip'
  location?: SourceLocation
  hooks: Record<HookName, CollectedHook[]>
  children: CollectedNode[]
}

export interface CollectedBench {
  kind: 'bench'
  /** The describe names and the bench name joined by ` > `, with ` (2)`… for duplicates. */
  id: string
  name: string
  /** The describe names around it, outermost first. */
  suite: string[]
  file: string
  mode: DeclaredMode
  /** As declared: an object, or a function resolved just before the run (options.ts). */
  options: BenchOptions | OptionsFn
  assertions?: Assertions
  /** The row of `bench.each` as arguments of the options function and (after the result) of `assertions`; empty otherwise. */
  args: unknown[]
  location?: SourceLocation
}

export type CollectedNode = CollectedSuite | CollectedBench

/** A bench about to run: its options resolved to an object. */
export interface RunnableBench extends Omit<CollectedBench, 'options'> {
  options: BenchOptions
}

export interface CollectedFile {
  file: string
  root: CollectedSuite
  /** Every bench in declaration order (the order they run in). */
  benches: CollectedBench[]
  /** Some bench or describe is marked `.only`. */
  hasOnly: boolean
}

export interface CollectState {
  file: string
  root: CollectedSuite
  stack: CollectedSuite[]
  benches: CollectedBench[]
  ids: Set<string>
  hasOnly: boolean
}
