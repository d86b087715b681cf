/**
 * What `llmbench.config.ts` declares (its keys: options/config.ts). `defineConfig` returns its
 * argument unchanged: it exists so an editor can type-check and complete the config.
 */
import type { UserConfig } from '../options/config.js'

export type { UserConfig, ServerConfig, ServeConfig, ReporterEntry } from '../options/config.js'
export type { ScenarioDefaults } from '../options/scenario.js'

export function defineConfig(config: UserConfig): UserConfig {
  return config
}
