/**
 * Running hooks. Before-hooks run in the order written and stop at the first failure; a function
 * one returns is a teardown. After-hooks run in reverse order (like a stack, as Vitest), then the
 * teardowns in reverse, each even when an earlier one failed.
 */
import type { ErrorInfo } from '../results/suite.js'
import type { CollectedHook } from './collector.js'
import { toErrorInfo } from './error-info.js'

export type Teardown = () => unknown | Promise<unknown>

/** Runs `hooks` in order, pushing returned teardowns; the first failure as ErrorInfo, else undefined. */
export async function runBefore(hooks: CollectedHook[], file: string, teardowns: Teardown[]): Promise<ErrorInfo | undefined> {
  for (const hook of hooks) {
    try {
      const returned = await hook.fn()
      if (typeof returned === 'function') teardowns.push(returned as Teardown)
    } catch (err) {
      return toErrorInfo(err, file, hook.location, `${hook.name} hook failed: `)
    }
  }
  return undefined
}

/** Runs `hooks` in reverse order, then `teardowns` in reverse; every failure, in the order they happened. */
export async function runAfter(hooks: CollectedHook[], file: string, teardowns: Teardown[]): Promise<ErrorInfo[]> {
  const errors: ErrorInfo[] = []
  for (const hook of [...hooks].reverse()) {
    try {
      await hook.fn()
    } catch (err) {
      errors.push(toErrorInfo(err, file, hook.location, `${hook.name} hook failed: `))
    }
  }
  for (const teardown of teardowns.splice(0).reverse()) {
    try {
      await teardown()
    } catch (err) {
      errors.push(toErrorInfo(err, file, undefined, 'teardown returned by a before hook failed: '))
    }
  }
  return errors
}
