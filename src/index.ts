/**
 * llmbench's public API. The bench-file DSL (describe, bench, expect) arrives with the bench
 * files; today the building blocks are public: the simulator, one scenario run, the metrics.
 */
export { startSimulator, SIMULATOR_DEFAULTS, QUIRKS, FAULTS } from './simulator/index.js'
export type { Simulator, SimulatorOptions, Quirk, Fault } from './simulator/index.js'
export { runScenario } from './runner/scenario.js'
export type { ScenarioOptions, ScenarioListener, LevelStart } from './runner/scenario.js'
export { summarizeLevel, computeStats, percentile, parseSlo, evaluateGoodput, formatGoodput } from './metrics/index.js'
export { buildRunResult } from './results/result.js'
export { SCHEMA_VERSION } from './results/types.js'
export type * from './results/types.js'
export { EXIT } from './exit-codes.js'
export { VERSION } from './version.js'
