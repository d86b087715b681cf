/**
 * A run request of the API: the options of a bench file's scenario (checked by the same code, so
 * the API takes exactly what a bench file takes), an optional `name`, and three limits a bench
 * file does not have: the server must be on the allow-list, a DCGM exporter too, and dataset and
 * tokenizer files must lie inside the project.
 */
import { realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { resolveScenario, type ResolvedConfig } from '../config/index.js'
import { check, keyNaming } from '../options/check.js'
import { runRequestSchema } from '../options/run-request.js'
import { httpUrl } from '../options/values.js'
import { UsageError } from '../errors.js'
import { headerValueSecrets, rememberSecrets } from '../results/redact.js'
import type { ScenarioOptions } from '../runner/types.js'
import type { AllowList } from './allow.js'
import { ApiError } from './http.js'

const WHERE = 'request body'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export interface RunRequest {
  name?: string
  options: ScenarioOptions
  /** The request's own secrets (API key, header values): redacted from everything the run writes. */
  secrets: string[]
}

export function parseRunRequest(body: unknown, config: ResolvedConfig, allow: AllowList): RunRequest {
  if (!isObject(body)) throw new ApiError(400, 'invalid-request', `${WHERE} must be a JSON object of scenario options, e.g. {"server": "vllm", "concurrency": [1, 8]}`)
  const { name, ...rest } = body
  // A URL off the list is refused before anything else is read from the request.
  if (typeof rest.server === 'string' && !Object.hasOwn(config.servers, rest.server) && httpUrl(rest.server) !== undefined) {
    checkServer(rest.server, allow)
  }
  // Before resolving, which reads the files: not even their existence is told outside the project.
  const dataset = isObject(rest.dataset) ? rest.dataset.path : rest.dataset
  for (const [key, path] of [['dataset', dataset], ['tokenizer', rest.tokenizer]] as const) {
    if (typeof path === 'string') checkPath(key, resolve(config.root, path), config.root)
  }
  let options: ScenarioOptions
  try {
    check(runRequestSchema, body, keyNaming(WHERE))
    options = resolveScenario(rest, config, {}, { file: WHERE, scenario: typeof name === 'string' ? name : 'API run' })
  } catch (err) {
    if (err instanceof UsageError) throw new ApiError(400, 'invalid-option', err.message)
    throw err
  }
  const secrets = [options.apiKey, ...Object.values(options.headers).flatMap(headerValueSecrets)].filter((s): s is string => !!s)
  rememberSecrets(secrets)
  checkTargets(options, config, allow)
  return { ...(typeof name === 'string' ? { name: name.trim() } : {}), options, secrets }
}

function checkServer(server: string, allow: AllowList): void {
  if (allow.permits(server)) return
  const names = allow.list().map((s) => s.name ?? s.url).join(', ') || 'none'
  throw new ApiError(403, 'server-not-allowed',
    `server ${server} is not on this server's allow-list (${names}): name a server of the config, or add its URL to serve.allow in the config`)
}

function checkTargets(o: ScenarioOptions, config: ResolvedConfig, allow: AllowList): void {
  checkServer(o.server, allow)
  const gpu = o.telemetry?.gpu
  if (typeof gpu === 'object' && !allow.permits(gpu.dcgmUrl)) {
    throw new ApiError(403, 'server-not-allowed', `telemetry.dcgmUrl ${gpu.dcgmUrl} is not on this server's allow-list: add it to serve.allow in the config`)
  }
  const prompts = o.prompts as { path?: string; tokenizer?: string } | undefined
  for (const [key, path] of [['dataset', prompts?.path], ['tokenizer', prompts?.tokenizer]] as const) {
    if (path !== undefined) checkPath(key, path, config.root)
  }
}

function checkPath(key: string, path: string, root: string): void {
  const rel = relative(realPathOf(root), realPathOf(path))
  if (rel.startsWith('..') || isAbsolute(rel)) throw new ApiError(403, 'path-not-allowed', `${key} must be a file inside the project folder ${root}`)
}

/**
 * `path` with every symbolic link resolved, as the file system will open it: a link inside the
 * project to /etc/passwd is /etc/passwd. For a path that does not exist (yet), its deepest
 * existing folder is resolved and the rest appended, so a linked folder is seen through too.
 */
function realPathOf(path: string): string {
  const rest: string[] = []
  for (let p = resolve(path); ; ) {
    try {
      return join(realpathSync(p), ...rest.reverse())
    } catch {
      const up = dirname(p)
      if (up === p) return resolve(path)
      rest.push(basename(p))
      p = up
    }
  }
}
