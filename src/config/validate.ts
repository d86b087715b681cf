/**
 * The loaded config object to a ResolvedConfig: unknown keys (at every level) and wrong types are
 * one UsageError naming the file and key path; every default is filled in.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { ENDPOINTS } from '../client/registry.js'
import { UsageError } from '../errors.js'
import type { ReporterEntry, ScenarioDefaults, ServeConfig, ServerConfig, UserConfig } from './define.js'
import {
  checkKeys, closest, fail, headersField, httpUrl, isObject, keyPath, nonEmptyString, oneOf, positiveNumber,
  secretField, stringList, urlField, wholeNumber, type Obj,
} from './fields.js'
import { checkScenarioOptions } from './options.js'

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
  reporters: ReporterEntry[]
  /** Output file per reporter name; a single path in the config is the `json` reporter's. */
  outputFile: Record<string, string>
  fileParallelism: number
  /** 0: never stop early; n: stop after n failed scenarios (`true` is 1). */
  bail: number
  /** Seconds a worker may run one file; undefined: no limit. */
  fileTimeout?: number
  /** As written in the config (flags and LLMBENCH_HISTORY may override it: src/report/history.ts). */
  history?: { dir?: string; enabled?: boolean }  /** `llmbench serve`'s settings, as written (its flags win). */
  serve?: ServeConfig
}

export const CONFIG_DEFAULTS = {
  include: ['**/*.bench.{ts,mts,js,mjs}'],
  exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
  /** None named: the registry's defaults (console, plus github on GitHub Actions). */
  reporters: [],
  fileParallelism: 1,
} as const

const TOP_KEY_SET = {
  include: true, exclude: true, defaults: true, servers: true, reporters: true, outputFile: true,
  fileParallelism: true, bail: true, fileTimeout: true, history: true, serve: true,
} satisfies Record<keyof UserConfig, true>
const TOP_KEYS = Object.keys(TOP_KEY_SET)
const SERVER_KEY_SET = { url: true, model: true, apiKey: true, headers: true, endpoint: true } satisfies Record<keyof ServerConfig, true>
const SERVER_KEYS = Object.keys(SERVER_KEY_SET)

/** A path as messages show it: relative to `base` when inside it. */
export function displayPath(file: string, base = process.cwd()): string {
  const rel = relative(base, file)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

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
  checkKeys(value, TOP_KEYS, label, '')
  const has = (key: string) => value[key] !== undefined
  const servers = has('servers') ? checkServers(value.servers, label) : {}
  const defaults = has('defaults') ? checkScenarioOptions(value.defaults, label, 'defaults', false) : {}
  if (defaults.server !== undefined && !Object.hasOwn(servers, defaults.server) && !httpUrl(defaults.server)) {
    throw unknownServer(label, 'defaults.server', defaults.server, servers, label)
  }
  const root = where.file ? dirname(resolve(cwd, where.file)) : cwd
  return {
    root,
    ...(where.file ? { configFile: resolve(cwd, where.file) } : {}),
    include: has('include') ? stringList(label, 'include', value.include, 'glob patterns') : [...CONFIG_DEFAULTS.include],
    exclude: has('exclude') ? stringList(label, 'exclude', value.exclude, 'glob patterns') : [...CONFIG_DEFAULTS.exclude],
    defaults,
    servers,
    reporters: has('reporters') ? checkReporters(value.reporters, label) : [...CONFIG_DEFAULTS.reporters],
    outputFile: has('outputFile') ? checkOutputFile(value.outputFile, label) : {},
    fileParallelism: has('fileParallelism') ? wholeNumber(label, 'fileParallelism', value.fileParallelism, 1) : CONFIG_DEFAULTS.fileParallelism,
    bail: has('bail') ? checkBail(value.bail, label) : 0,
    ...(has('fileTimeout') ? { fileTimeout: positiveNumber(label, 'fileTimeout', value.fileTimeout, 'seconds') } : {}),
    ...(has('history') ? { history: checkHistory(value.history, label) } : {}),
    ...(has('serve') ? { serve: checkServe(value.serve, label) } : {}),
  }
}

function checkServe(value: unknown, label: string): ServeConfig {
  if (!isObject(value)) fail(label, 'serve', "an object like { allow: ['http://gpu-1:8000'] }", value)
  checkKeys(value, ['allow', 'host', 'port', 'store'], label, 'serve')
  const out: ServeConfig = {}
  if (value.allow !== undefined) {
    out.allow = stringList(label, 'serve.allow', value.allow, 'http:// or https:// URLs').map((u, i) => urlField(label, keyPath('serve.allow', i), u))
  }
  if (value.host !== undefined) out.host = nonEmptyString(label, 'serve.host', value.host)
  if (value.port !== undefined) {
    out.port = wholeNumber(label, 'serve.port', value.port, 0)
    if (out.port > 65535) fail(label, 'serve.port', 'a port from 0 to 65535', value.port)
  }
  if (value.store !== undefined) out.store = nonEmptyString(label, 'serve.store', value.store)
  return out
}

function checkHistory(value: unknown, label: string): NonNullable<ResolvedConfig['history']> {
  const expected = "an object like { dir: '.llmbench/history', enabled: true }"
  if (!isObject(value)) fail(label, 'history', expected, value)
  checkKeys(value, ['dir', 'enabled'], label, 'history')
  const out: NonNullable<ResolvedConfig['history']> = {}
  if (value.dir !== undefined) out.dir = nonEmptyString(label, 'history.dir', value.dir)
  if (value.enabled !== undefined) {
    if (typeof value.enabled !== 'boolean') fail(label, 'history.enabled', 'true or false', value.enabled)
    out.enabled = value.enabled
  }
  return out
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

function checkServers(value: unknown, label: string): Record<string, ServerConfig> {
  if (!isObject(value)) fail(label, 'servers', "an object of server names to { url, model?, apiKey?, headers?, endpoint? }", value)
  const out: Record<string, ServerConfig> = {}
  for (const [name, entry] of Object.entries(value)) {
    const path = keyPath('servers', name)
    if (!isObject(entry)) fail(label, path, "an object like { url: 'http://127.0.0.1:8000', model: '...' }", entry)
    checkKeys(entry, SERVER_KEYS, label, path)
    const server: ServerConfig = { url: urlField(label, keyPath(path, 'url'), entry.url) }
    const e: Obj = entry
    if (e.model !== undefined) server.model = nonEmptyString(label, keyPath(path, 'model'), e.model)
    if (e.apiKey !== undefined) server.apiKey = secretField(label, keyPath(path, 'apiKey'), e.apiKey)
    if (e.headers !== undefined) server.headers = { ...headersField(label, keyPath(path, 'headers'), e.headers) }
    if (e.endpoint !== undefined) server.endpoint = oneOf(label, keyPath(path, 'endpoint'), e.endpoint, ENDPOINTS)
    out[name] = server
  }
  return out
}

const REPORTER_EXPECTED = "a list of reporter names or module paths, each alone or as [name, options], e.g. ['console', ['junit', { suiteName: 'llm' }]]"

function checkReporters(value: unknown, label: string): ReporterEntry[] {
  if (!Array.isArray(value)) fail(label, 'reporters', REPORTER_EXPECTED, value)
  return value.map((entry: unknown, i) => {
    const path = keyPath('reporters', i)
    if (typeof entry === 'string' && entry.trim() !== '') return entry
    if (Array.isArray(entry) && (entry.length === 1 || entry.length === 2) && typeof entry[0] === 'string' && entry[0].trim() !== '') {
      if (entry.length === 1 || entry[1] === undefined) return [entry[0], {}] as ReporterEntry
      if (!isObject(entry[1])) fail(label, keyPath(path, 1), 'an object of reporter options', entry[1])
      return [entry[0], { ...entry[1] }] as ReporterEntry
    }
    return fail(label, path, "a reporter name or module path, or [name, options]", entry)
  })
}

function checkOutputFile(value: unknown, label: string): Record<string, string> {
  if (typeof value === 'string' && value.trim() !== '') return { json: value }
  if (!isObject(value)) fail(label, 'outputFile', 'a path, or an object of reporter names to paths', value)
  for (const [name, file] of Object.entries(value)) nonEmptyString(label, keyPath('outputFile', name), file)
  return { ...(value as Record<string, string>) }
}

function checkBail(value: unknown, label: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value !== 'number') fail(label, 'bail', 'true, false or a number of failed scenarios', value)
  return wholeNumber(label, 'bail', value, 0)
}
