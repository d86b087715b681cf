/**
 * One scenario of a bench file: its beforeEach hooks, the run of its levels (by the worker, through
 * the context), its objectives, its assertions callback, its afterEach hooks, and its events.
 */
import type { ErrorInfo, ScenarioResult, ScenarioStatus } from '../results/suite.js'
import type { LevelResult, LoadSpec, ScenarioOptionsPublic, PromptsSummary, SweepSummary, TelemetrySeries } from '../results/types.js'
import type { RunEvent, ScenarioRef } from '../results/events.js'
import { serverGoneText, type ServerGone } from '../runner/server-gone.js'
import { createBenchResult } from './bench-result.js'
import type { CollectedBench, CollectedSuite, RunnableBench } from './collector.js'
import { toErrorInfo } from './error-info.js'
import { runAfter, runBefore, type Teardown } from './hooks.js'
import { evaluateObjectives, validateObjectives } from './objectives.js'
import { declaredLevels, resolveOptions } from './options.js'
import { dsl, type CheckScope } from './state.js'
import type { BenchOptions, CheckOutcome } from './types.js'

export interface ExecuteContext {
  /** Runs one scenario's levels (the worker resolves options against the config and calls runScenario). Throws on a configuration error. */
  run(bench: RunnableBench, ref: ScenarioRef): Promise<{ options: ScenarioOptionsPublic; levels: LevelResult[]; sweep?: SweepSummary; telemetry?: TelemetrySeries[]; prompts?: PromptsSummary; serverGone?: ServerGone }>
  emit(event: RunEvent): void
  /** Only scenarios whose id matches run (`-t pattern`); others are skipped. */
  namePattern?: RegExp
  /** Stop at the first failed scenario (skip the rest). */
  bail?: boolean
  /** Set when the user interrupted: remaining scenarios are skipped. */
  signal?: AbortSignal
  /**
   * The levels a scenario will run (the worker knows the config's default): named in its
   * scenario-start event, and used to validate its objectives before the run. Without it: the
   * bench's `concurrency` as written, or none, and objectives are validated after the run.
   */
  levels?(options: BenchOptions, ref: ScenarioRef): { values: number[]; kind: LoadSpec['kind'] } | undefined
  /** Checks against the scenario's baseline, as it ends (the worker reads the baseline); none without one. */
  compare?(bench: RunnableBench, ref: ScenarioRef, levels: LevelResult[], options: ScenarioOptionsPublic): CheckOutcome[] | Promise<CheckOutcome[]>
}

export function scenarioRef(bench: CollectedBench): ScenarioRef {
  return { file: bench.file, id: bench.id, name: bench.name }
}

/** The result of a scenario that does not run (skipped, todo). */
export function notRun(bench: CollectedBench, status: 'skipped' | 'todo'): ScenarioResult {
  return { id: bench.id, name: bench.name, suite: bench.suite, file: bench.file, status, levels: [], checks: [], durationMs: 0 }
}

/**
 * Runs `bench` inside `suites` (outermost first, their beforeAll hooks already run). With
 * `hookError` (a beforeAll failed) the scenario is an error and nothing of it runs.
 */
export async function runBench(
  bench: CollectedBench,
  suites: CollectedSuite[],
  hookError: ErrorInfo | undefined,
  ctx: ExecuteContext,
): Promise<ScenarioResult> {
  const t0 = performance.now()
  const ref = scenarioRef(bench)
  const result = notRun(bench, 'skipped')
  let started = false
  const start = (levels: number[], kind?: LoadSpec['kind']): void => {
    if (started) return
    started = true
    ctx.emit({ type: 'scenario-start', scenario: ref, levels, ...(kind ? { kind } : {}) })
  }
  const record = (check: CheckOutcome): void => {
    result.checks.push(check)
    ctx.emit({ type: 'check', scenario: ref, check })
  }
  let error = hookError ? { ...hookError } : undefined
  let interrupted = false
  const teardowns: Teardown[] = []
  if (!error) {
    for (const suite of suites) {
      error = await runBefore(suite.hooks.beforeEach, bench.file, teardowns)
      if (error) break
    }
  }
  if (!error) {
    try {
      const runnable = await resolveOptions(bench)
      const planned = ctx.levels?.(runnable.options, ref)
      // Fail fast on a typo when the levels are known before the run (they are checked again after it).
      if (planned) validateObjectives(runnable.options.slo, planned.values, { stream: runnable.options.stream })
      if (planned) start(planned.values, planned.kind)
      else start(declaredLevels(runnable.options))
      const { options, levels, sweep, telemetry, prompts, serverGone } = await ctx.run(runnable, ref)
      if (telemetry?.length) result.telemetry = telemetry
      if (prompts) result.prompts = prompts
      result.options = options
      result.levels = levels
      if (sweep) result.sweep = sweep
      if (ctx.signal?.aborted) {
        interrupted = true
      } else {
        const slo = runnable.options.slo
        validateObjectives(slo, planned?.values ?? levels.map((l) => l.summary.load.value), { stream: options.stream, adapters: options.lora ? [...options.lora.adapters, options.model] : [] })
        for (const check of evaluateObjectives(slo, levels, bench.location, { scenario: bench.id, confidence: options.confidence })) record(check)
        for (const check of (await ctx.compare?.(runnable, ref, levels, options)) ?? []) record(check)
        if (bench.assertions) error = await runAssertions(bench, options, levels, record)
        // Its figures and checks are kept, but a scenario whose server went away did not run its course.
        if (serverGone) error ??= { message: `${serverGoneText(options.server, serverGone)}; the remaining levels were not run` }
      }
    } catch (err) {
      error = toErrorInfo(err, bench.file, bench.location)
    }
  }
  start(typeof bench.options === 'function' ? [] : declaredLevels(bench.options))
  const afterEach = suites.flatMap((s) => s.hooks.afterEach)
  const afterErrors = await runAfter(afterEach, bench.file, teardowns)
  error ??= afterErrors[0]
  result.status = statusOf(error, interrupted, result.checks)
  if (error) result.error = error
  result.durationMs = performance.now() - t0
  ctx.emit({ type: 'scenario-end', result })
  return result
}

function statusOf(error: ErrorInfo | undefined, interrupted: boolean, checks: CheckOutcome[]): ScenarioStatus {
  if (error) return 'error'
  if (interrupted) return 'skipped'
  return checks.some((c) => !c.passed) ? 'failed' : 'passed'
}

/** Calls the assertions callback with checks recorded into this scenario; what it threw, as ErrorInfo. */
async function runAssertions(
  bench: CollectedBench,
  options: ScenarioOptionsPublic,
  levels: LevelResult[],
  record: (check: CheckOutcome) => void,
): Promise<ErrorInfo | undefined> {
  const assertions = bench.assertions
  if (!assertions) return undefined
  const scope: CheckScope = { scenario: bench.id, file: bench.file, record, open: true }
  const result = createBenchResult(bench, options, levels)
  dsl.lastRead = undefined
  try {
    await dsl.checks.run(scope, () => assertions(result, ...bench.args))
    return undefined
  } catch (err) {
    return toErrorInfo(err, bench.file, bench.location)
  } finally {
    scope.open = false
    dsl.lastRead = undefined
  }
}
