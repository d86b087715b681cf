/**
 * The loaded config object to a ResolvedConfig: checked against the config's declarations
 * (options/config.ts), so an unknown key or a wrong type is one UsageError naming the file and key
 * path; every default is filled in.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { check, closest, keyNaming } from '../options/check.js'
import { configSchema, type ReporterEntry, type ServeConfig, type ServerConfig, type UserConfig } from '../options/config.js'
import type { ScenarioDefaults } from '../options/scenario.js'
import { httpUrl } from '../options/values.js'
import { optionDefault } from '../options/defaults.js'
import { configShape } from '../options/config.js'

export interface ResolvedConfig {
  /** Absolute: the config file's folder, or the folder searched when there is no config file. */
  root: string
  /** Absolute path of the config file, when one was found. */
  configFile?: string
  include: string[]
  exclude: string[]
  /** The config's scenario defaults as written (built-in defaults apply in resolveScenario). */
  defaults: ScenarioDefaults
  /** Servers by name, urls without a trailing slash. */
  servers: Record<string, ServerConfig>
  reporters: Array<string | [string, Record<string, unknown>]>
  /** Output file per reporter name; a single path in the config is the `json` reporter's. */
  outputFile: Record<string, string>
  fileParallelism: number
  /** 0: never stop early; n: stop after n failed scenarios (`true` is 1). */
  bail: number
  /** Seconds a worker may run one file; undefined: no limit. */
  fileTimeout?: number
  /** As written in the config (flags and LLMBENCH_HISTORY may override it: src/report/history.ts). */
  history?: { dir?: string; enabled?: boolean }
  /** `llmbench serve`'s settings, as written (its flags win). */
  serve?: ServeConfig
}

export const CONFIG_DEFAULTS = {
  include: optionDefault(configShape, 'include') as string[],
  exclude: optionDefault(configShape, 'exclude') as string[],
  /** None named: the registry's defaults (console, plus github on GitHub Actions). */
  reporters: [] as ReporterEntry[],
  fileParallelism: optionDefault(configShape, 'fileParallelism') as number,
}

/** A path as messages show it: relative to `base` when inside it. */
export function displayPath(file: string, base = process.cwd()): string {
  const rel = relative(base, file)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Checks a loaded config (the value a config file exports) and fills in the defaults. `file` is
 * the config file, `cwd` the folder searched (the root when there is no file).
 */
export function validateConfig(raw: unknown, where: { file?: string; cwd: string }): ResolvedConfig {
  const cwd = resolve(where.cwd)
  const label = where.file ? displayPath(where.file, cwd) : 'config'
  const value = raw ?? {}
  if (!isObject(value)) {
    throw new UsageError(`${label} must export an object, e.g. export default defineConfig({ ... }), got ${typeof value === 'function' ? 'a function' : JSON.stringify(value)?.slice(0, 40)}`)
  }
  if (isObject(value.defaults) && value.defaults.slo !== undefined) {
    throw new UsageError(`${label}: defaults.slo is not allowed here: objectives belong to each bench's options`)
  }
  const user: UserConfig = check(configSchema, value, keyNaming(label))
  const servers = Object.fromEntries(Object.entries(user.servers ?? {}).map(([name, s]) => [name, { ...s, url: httpUrl(s.url)! }]))
  const defaults = user.defaults ?? {}
  if (defaults.server !== undefined && !Object.hasOwn(servers, defaults.server) && !httpUrl(defaults.server)) {
    throw unknownServer(label, 'defaults.server', defaults.server, servers, label)
  }
  const root = where.file ? dirname(resolve(cwd, where.file)) : cwd
  return {
    root,
    ...(where.file ? { configFile: resolve(cwd, where.file) } : {}),
    include: [...(user.include ?? CONFIG_DEFAULTS.include)],
    exclude: [...(user.exclude ?? CONFIG_DEFAULTS.exclude)],
    defaults,
    servers,
    reporters: (user.reporters ?? CONFIG_DEFAULTS.reporters).map((e): string | [string, Record<string, unknown>] => (typeof e === 'string' ? e : [e[0], { ...(e[1] ?? {}) }])),
    outputFile: typeof user.outputFile === 'string' ? { json: user.outputFile } : { ...(user.outputFile ?? {}) },
    fileParallelism: user.fileParallelism ?? CONFIG_DEFAULTS.fileParallelism,
    bail: typeof user.bail === 'boolean' ? (user.bail ? 1 : 0) : (user.bail ?? 0),
    ...(user.fileTimeout !== undefined ? { fileTimeout: user.fileTimeout } : {}),
    ...(user.history !== undefined ? { history: { ...user.history } } : {}),
    ...(user.serve !== undefined ? { serve: { ...user.serve, ...(user.serve.allow ? { allow: user.serve.allow.map((u) => httpUrl(u)!) } : {}) } } : {}),
  }
}

/** The error for a `server` that is neither a URL nor a configured name. */
export function unknownServer(where: string, path: string, name: string, servers: Record<string, unknown>, configLabel: string): UsageError {
  const names = Object.keys(servers)
  const guess = closest(name, names)
  const known = names.length ? `the servers of ${configLabel} are ${names.join(', ')}` : `${configLabel} names no servers`
  return new UsageError(
    `${where}: ${path} must be an http:// or https:// URL or the name of a server in the config, got ${JSON.stringify(name)}` +
      (guess ? ` (did you mean "${guess}"?)` : ` (${known})`),
  )
}
