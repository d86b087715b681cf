/**
 * The bench-file DSL. For bench files: describe, bench, the hooks, expect, expectGoodput. For the
 * worker: collect (load one file into a tree) and runFile (run the tree), with the helpers it needs
 * to validate objectives before a run and to name errors.
 */
export { afterAll, afterEach, beforeAll, beforeEach, bench, describe } from './api.js'
export type { BenchApi, BenchFn, DescribeApi, DescribeFn, EachArgs, EachBench } from './api.js'
export { expect, expectGoodput } from './expect.js'
export type { GoodputMatchers, NumberMatchers } from './expect.js'
export type { BenchResult } from './bench-result.js'

export { collect } from './collector.js'
export type {
  Assertions,
  CollectedBench,
  CollectedFile,
  CollectedHook,
  CollectedNode,
  CollectedSuite,
  DeclaredMode,
  HookFn,
  HookName,
  OptionsFn,
  RunnableBench,
} from './collector.js'
export { runFile } from './execute.js'
export type { ExecuteContext } from './execute.js'
export { evaluateObjectives, goodputBounds, validateObjectives } from './objectives.js'
export type { EvaluateOptions, ValidateOptions } from './objectives.js'
export { planFile } from './plan.js'
export type { PlannedMode } from './plan.js'
export { toErrorInfo } from './error-info.js'
export type {
  BenchOptions,
  CheckOutcome,
  GoodputObjective,
  LevelView,
  SloObjectives,
  SourceLocation,
  ThresholdValue,
} from './types.js'
