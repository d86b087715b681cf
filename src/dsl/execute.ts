/**
 * Runs a collected bench file, as Vitest runs a test file: the plan (only, skip, todo, name
 * pattern), beforeAll once before the first bench of its describe that runs and afterAll after the
 * last, bail, interruption. Scenario events come from run-bench.ts; file events are the worker's.
 */
import type { ErrorInfo, FileResult, ScenarioResult } from '../results/suite.js'
import type { CollectedBench, CollectedFile, CollectedSuite } from './collector.js'
import { runAfter, runBefore, type Teardown } from './hooks.js'
import { planFile } from './plan.js'
import { notRun, runBench, type ExecuteContext } from './run-bench.js'

export type { ExecuteContext } from './run-bench.js'

interface SuiteRun {
  suite: CollectedSuite
  started: boolean
  error?: ErrorInfo
  teardowns: Teardown[]
}

export async function runFile(collected: CollectedFile, ctx: ExecuteContext): Promise<FileResult> {
  const t0 = performance.now()
  const plan = planFile(collected, ctx.namePattern)
  const results = new Map<CollectedBench, ScenarioResult>()
  const fileErrors: ErrorInfo[] = []
  let failed = false
  const stopped = (): boolean => ctx.signal?.aborted === true || (ctx.bail === true && failed)

  const skip = (bench: CollectedBench, status: 'skipped' | 'todo'): void => {
    const result = notRun(bench, status)
    results.set(bench, result)
    ctx.emit({ type: 'scenario-end', result })
  }

  const walk = async (suite: CollectedSuite, outer: SuiteRun[]): Promise<void> => {
    const chain = [...outer, { suite, started: false, teardowns: [] } as SuiteRun]
    for (const child of suite.children) {
      if (child.kind === 'describe') {
        await walk(child, chain)
        continue
      }
      const mode = plan.get(child) ?? 'skip'
      if (mode !== 'run' || stopped()) {
        skip(child, mode === 'todo' ? 'todo' : 'skipped')
        continue
      }
      let hookError: ErrorInfo | undefined
      for (const run of chain) {
        if (!run.started) {
          run.started = true
          run.error = await runBefore(run.suite.hooks.beforeAll, collected.file, run.teardowns)
        }
        if (run.error) {
          hookError = run.error
          break
        }
      }
      if (!hookError && ctx.signal?.aborted) {
        skip(child, 'skipped')
        continue
      }
      const result = await runBench(
        child,
        chain.map((r) => r.suite),
        hookError,
        ctx,
      )
      results.set(child, result)
      if (result.status === 'failed' || result.status === 'error') failed = true
    }
    const own = chain[chain.length - 1]
    if (own.started) fileErrors.push(...(await runAfter(suite.hooks.afterAll, collected.file, own.teardowns)))
  }

  await walk(collected.root, [])
  const result: FileResult = {
    file: collected.file,
    scenarios: collected.benches.map((b) => results.get(b) ?? notRun(b, 'skipped')),
    durationMs: performance.now() - t0,
  }
  if (fileErrors.length > 0) {
    const more = fileErrors.length > 1 ? ` (and ${fileErrors.length - 1} more hook failure${fileErrors.length > 2 ? 's' : ''})` : ''
    result.error = { ...fileErrors[0], message: fileErrors[0].message + more }
  }
  return result
}
