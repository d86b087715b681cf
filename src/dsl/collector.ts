/**
 * Collection of one bench file: its top-level `describe`, `bench` and hook calls register into a
 * tree while the file loads. One file at a time per worker: `collect` resets the state.
 */
import { clearSourceCache } from './source-text.js'
import { dsl } from './state.js'
import type { BenchOptions, SourceLocation } from './types.js'
import type { Assertions, CollectedBench, CollectedFile, CollectedSuite, CollectState, DeclaredMode, HookFn, HookName, OptionsFn } from './collected.js'

export type * from './collected.js'

export function newSuite(name: string, mode: CollectedSuite['mode'], location?: SourceLocation): CollectedSuite {
  return {
    kind: 'describe',
    name,
    mode,
    location,
    hooks: { beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] },
    children: [],
  }
}

/**
 * Collects one bench file: resets the state, calls `load` (which requires or imports the file, whose
 * top-level calls register here) and returns the tree. Rejects with the file's own error when
 * loading it throws, and when a describe callback is async.
 */
export async function collect(load: () => unknown | Promise<unknown>, file: string): Promise<CollectedFile> {
  if (dsl.collecting !== null) {
    throw new Error(`Cannot collect ${file} while ${dsl.collecting.file} is being collected: collect one file at a time`)
  }
  clearSourceCache()
  const root = newSuite('', 'run')
  const state: CollectState = { file, root, stack: [root], benches: [], ids: new Set(), hasOnly: false }
  dsl.collecting = state
  try {
    await load()
  } finally {
    dsl.collecting = null
  }
  return { file, root, benches: state.benches, hasOnly: state.hasOnly }
}

/** The state of the file being collected; `what` names the call for the error outside collection. */
export function collecting(what: string): CollectState {
  const state = dsl.collecting
  if (state === null) {
    throw new Error(
      `${what} was called outside the collection of a bench file: call it at the top level of a *.bench.ts file or inside a describe() callback (not inside hooks, assertions or async code), and run the file with llmbench`,
    )
  }
  return state
}

/** Runs a describe callback with its suite open; the callback must be synchronous. */
export function addSuite(name: string, mode: CollectedSuite['mode'], fn: () => unknown, location?: SourceLocation): void {
  const state = collecting(`describe('${name}')`)
  const parent = state.stack[state.stack.length - 1]
  const suite = newSuite(name, mode, location)
  parent.children.push(suite)
  if (mode === 'only') state.hasOnly = true
  state.stack.push(suite)
  let returned: unknown
  try {
    returned = fn()
  } finally {
    state.stack.pop()
  }
  if (isThenable(returned)) {
    returned.then(undefined, () => undefined)
    const where = location ? ` (${location.file}:${location.line})` : ''
    throw new Error(
      `describe('${name}')${where}: the callback returned a Promise; describe callbacks run synchronously while the file is collected, so move async setup into beforeAll()`,
    )
  }
}

export interface BenchDeclaration {
  name: string
  mode: DeclaredMode
  options: BenchOptions | OptionsFn
  assertions?: Assertions
  args?: unknown[]
  location?: SourceLocation
}

export function addBench(decl: BenchDeclaration): void {
  const state = collecting(`bench('${decl.name}')`)
  const parent = state.stack[state.stack.length - 1]
  const suite = state.stack.slice(1).map((s) => s.name)
  const base = [...suite, decl.name].join(' > ')
  let id = base
  for (let n = 2; state.ids.has(id); n++) id = `${base} (${n})`
  state.ids.add(id)
  if (decl.mode === 'only') state.hasOnly = true
  const bench: CollectedBench = {
    kind: 'bench',
    id,
    name: decl.name,
    suite,
    file: state.file,
    mode: decl.mode,
    options: decl.options,
    assertions: decl.assertions,
    args: decl.args ?? [],
    location: decl.location,
  }
  parent.children.push(bench)
  state.benches.push(bench)
}

export function addHook(name: HookName, fn: HookFn, location?: SourceLocation): void {
  const state = collecting(`${name}()`)
  if (typeof fn !== 'function') throw new Error(`${name}() needs a function: ${name}(async () => { … })`)
  state.stack[state.stack.length - 1].hooks[name].push({ name, fn, location })
}

/** The file being collected, for locations (undefined outside collection). */
export function collectingFile(): string | undefined {
  return dsl.collecting?.file
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
