/**
 * llmbench's public API: the bench-file DSL and config for `npx llmbench`, and the building
 * blocks it is made of (the simulator, one scenario run, the metrics).
 */
export { describe, bench, beforeAll, afterAll, beforeEach, afterEach, expect, expectGoodput } from './dsl/index.js'
export type { BenchOptions, SloObjectives, LevelView, CheckOutcome, BenchResult } from './dsl/index.js'
export type { ToolCallInfo, ToolResultFunction } from './options/sessions.js'
export { defineConfig } from './config/index.js'
export type { UserConfig, ServerConfig } from './config/index.js'
export type { Reporter, RunStart } from '../reporters/types.js'
export type { SuiteResult, FileResult, ScenarioResult } from './results/suite.js'
export { startSimulator, spawnSimulator, SIMULATOR_DEFAULTS, QUIRKS, FAULTS } from './simulator/index.js'
export type { Simulator, SpawnedSimulator, SimulatorOptions, Quirk, Fault } from './simulator/index.js'
export { runScenario } from './runner/scenario.js'
export type { ScenarioOptions, ScenarioListener, LevelStart } from './runner/scenario.js'
export { summarizeLevel, computeStats, percentile, parseSlo, evaluateGoodput, formatGoodput } from './metrics/index.js'
export { buildRunResult } from './results/result.js'
export { SCHEMA_VERSION } from './results/types.js'
export type * from './results/types.js'
export { EXIT } from './exit-codes.js'
export { VERSION } from './version.js'
