/**
 * What `llmbench.config.ts` declares. `defineConfig` returns its argument unchanged: it exists so
 * an editor can type-check and complete the config.
 */
import type { BenchOptions } from '../dsl/types.js'

/** Defaults for every scenario option; objectives (`slo`) belong to each bench. */
export type ScenarioDefaults = Omit<BenchOptions, 'slo'>

/** A server scenarios refer to by name (`server: 'vllm'`); its fields are that scenario's defaults. */
export interface ServerConfig {
  url: string
  model?: string
  /** A literal key, `process.env.X`, or `'env:NAME'` (read from the environment at run time). */
  apiKey?: string
  /** Values may be `'env:NAME'` too. */
  headers?: Record<string, string>
  endpoint?: string
}

/** A reporter by name (`console`, `json`, `junit`, `github`) or module path, with options. */
export type ReporterEntry = string | [name: string, options: Record<string, unknown>]

export interface UserConfig {
  /** Globs of bench files, relative to the config's folder. Default `['**\/*.bench.{ts,mts,js,mjs}']`. */
  include?: string[]
  /** Default `['**\/node_modules/**', '**\/dist/**', '**\/.git/**']`. */
  exclude?: string[]
  /** Defaults for every scenario option, so bench files can omit the server etc. */
  defaults?: ScenarioDefaults
  /** Named servers scenarios refer to by name (`server: 'vllm'`). */
  servers?: Record<string, ServerConfig>
  /** Default `['console']`. */
  reporters?: ReporterEntry[]
  /** Where reporters write: one path (for the `json` reporter) or one per reporter name. */
  outputFile?: string | Record<string, string>
  /** Bench files run at once. Default 1: files that share a server spoil each other's numbers. */
  fileParallelism?: number
  /** Stop after the first failed scenario (`true`) or after this many. */
  bail?: boolean | number
  /** Seconds a worker may run one file before it is stopped. */
  fileTimeout?: number
  /** Each run's result kept for `llmbench report --history`: in `dir` (default `.llmbench/history`), unless `enabled: false`. */
  history?: { dir?: string; enabled?: boolean }
  /** `llmbench serve` (docs/serve.md): what API-started runs may target, and its defaults. */
  serve?: ServeConfig
}

export interface ServeConfig {
  /**
   * URLs API-started runs may target besides the `servers` above: a run's server is allowed when
   * it has an entry's scheme, host and port and its path starts with the entry's path.
   */
  allow?: string[]
  /** Default `127.0.0.1`; any other address needs an access token. */
  host?: string
  /** Default 8085. */
  port?: number
  /** A folder (default: the history folder) or a `postgres://` URL. */
  store?: string
}

export function defineConfig(config: UserConfig): UserConfig {
  return config
}
