/**
 * llmbench's public API: the bench-file DSL and config for `npx llmbench`, and the building
 * blocks it is made of (the simulator, one scenario run, the metrics).
 *
 * Every bench file and every bench-file thread imports this module, so it loads only what a bench
 * file uses at once (the DSL, the metrics, a few constants): no Zod, no CLI, no tokenizer. The
 * simulator and the runner load on their first call (`startSimulator`, `runScenario`).
 */
import type * as SimulatorServer from './simulator/server.js'
import type * as Runner from './runner/scenario.js'

export { describe, bench, beforeAll, afterAll, beforeEach, afterEach } from './dsl/api.js'
export { expect, expectGoodput } from './dsl/expect.js'
export type { BenchOptions, SloObjectives, LevelView, CheckOutcome, BenchResult } from './dsl/types.js'
export type { ToolCallInfo, ToolResultFunction } from './options/sessions.js'
export { defineConfig } from './config/define.js'
export type { UserConfig, ServerConfig } from './config/define.js'
export type { Reporter, RunStart } from '../reporters/types.js'
export type { SuiteResult, FileResult, ScenarioResult } from './results/suite.js'
export { SIMULATOR_DEFAULTS, QUIRKS, FAULTS } from './simulator/options.js'
export type { SimulatorOptions, Quirk, Fault } from './simulator/options.js'
export type { Simulator } from './simulator/server.js'
export { spawnSimulator } from './simulator/spawn.js'
export type { SpawnedSimulator } from './simulator/spawn.js'
export type { ScenarioOptions, ScenarioListener, LevelStart } from './runner/scenario.js'
export { summarizeLevel, computeStats, percentile, parseSlo, evaluateGoodput, formatGoodput } from './metrics/index.js'
export { buildRunResult } from './results/result.js'
export { SCHEMA_VERSION } from './results/types.js'
export type * from './results/types.js'
export { EXIT } from './exit-codes.js'
export { VERSION } from './version.js'

/** Starts the built-in simulated LLM server in this process (simulator/server.ts). */
export const startSimulator: typeof SimulatorServer.startSimulator = async (...args) => (await import('./simulator/server.js')).startSimulator(...args)

/** Runs one scenario: a preflight request, then each load level (runner/scenario.ts). */
export const runScenario: typeof Runner.runScenario = async (...args) => (await import('./runner/scenario.js')).runScenario(...args)
