/** A scenario against a test server through the same checks and layers as a bench file's. */
import { resolveScenario, validateConfig } from '../../src/config/index.js'
import type { BenchOptions } from '../../src/options/scenario.js'
import type { ScenarioOptions } from '../../src/runner/scenario.js'

export function scenario(url: string, bench: BenchOptions): ScenarioOptions {
  return resolveScenario(
    { server: url, model: 'sim-model', calibrate: false, telemetry: { enabled: false }, seed: 1, ...bench },
    validateConfig({}, { cwd: process.cwd() }),
    {},
    { file: 'test', scenario: 'test' },
  )
}
