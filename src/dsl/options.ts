/** A bench's options as the run needs them: the declared object, or what its options function returns. */
import type { CollectedBench, RunnableBench } from './collector.js'
import type { BenchOptions } from './types.js'

/** Calls the options function (with the row of `bench.each`) when there is one; throws when it returns no object. */
export async function resolveOptions(bench: CollectedBench): Promise<RunnableBench> {
  const declared = bench.options
  const options: unknown = typeof declared === 'function' ? await declared(...bench.args) : declared
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(
      `bench('${bench.name}'): the options function returned ${options === undefined ? 'undefined' : JSON.stringify(options)}, not an options object; the assertions callback is the third argument: bench(name, options, (result) => { … })`,
    )
  }
  return { ...bench, options: options as BenchOptions }
}

/** The concurrency levels the options name (empty when the config's default applies). */
export function declaredLevels(options: BenchOptions): number[] {
  const c = options.concurrency
  if (c === undefined) return []
  return Array.isArray(c) ? [...c] : [c]
}
