/** The config: `defineConfig`, loading, validation, and resolving one scenario's options. */
export { defineConfig } from './define.js'
export type { UserConfig, ServerConfig, ServeConfig, ScenarioDefaults, ReporterEntry } from './define.js'
export { loadConfig, SEARCH_PLACES } from './load.js'
export { validateConfig, CONFIG_DEFAULTS, type ResolvedConfig } from './validate.js'
export { resolveScenario, SCENARIO_DEFAULTS } from './resolve.js'
