/**
 * The keys of `llmbench.config.ts`, declared once: their types and checks, and the `npx llmbench`
 * flags that set them for one run (`--reporter`, `--bail`, …).
 */
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { scenarioSchema } from './scenario.js'
import { ENDPOINTS } from './vocabulary.js'
import { headers, nonEmpty, positive, secret, textList, url, whole } from './values.js'

export const serverSchema = expecting(
  z.strictObject({
    url: url(),
    model: nonEmpty().optional(),
    /** A literal key, `process.env.X`, or `'env:NAME'` (read from the environment at run time). */
    apiKey: secret().optional(),
    /** Values may be `'env:NAME'` too. */
    headers: headers().optional(),
    endpoint: z.enum(ENDPOINTS).optional(),
  }),
  "an object like { url: 'http://127.0.0.1:8000', model: '...' }",
)

const reporterEntry = expecting(
  z.union([nonEmpty(), z.tuple([nonEmpty()]), z.tuple([nonEmpty(), expecting(z.record(z.string(), z.unknown()), 'an object of reporter options').optional()])]),
  "a reporter name or module path, or [name, options]",
)

const bench = ['bench'] as const

export const configShape = {
  include: option(textList('glob patterns'), {
    description: 'Globs of bench files, relative to the config\'s folder',
    default: ['**/*.bench.{ts,mts,js,mjs}'],
  }),
  exclude: option(textList('glob patterns'), {
    description: 'Globs left out',
    default: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
  }),
  defaults: option(scenarioSchema, {
    description: 'Defaults for every scenario option (objectives belong to each bench)',
  }),
  servers: option(expecting(z.record(z.string(), serverSchema), 'an object of server names to { url, model?, apiKey?, headers?, endpoint? }'), {
    description: "Named servers scenarios refer to by name (server: 'vllm'); their fields are that scenario's defaults",
  }),
  reporters: option(expecting(z.array(reporterEntry), "a list of reporter names or module paths, each alone or as [name, options], e.g. ['console', ['junit', { suiteName: 'llm' }]]"), {
    description: 'Reporters: console, json, junit, github, html, or a module path, each alone or as [name, options]',
    defaultText: "['console'] (and github on GitHub Actions)",
    flags: [{ name: 'reporter', repeatable: true, commands: bench, placeholder: 'NAME', describe: 'Reporter: console, json, junit, github, html, or a module path (repeatable)' }],
  }),
  outputFile: option(expecting(z.union([nonEmpty(), z.record(z.string(), nonEmpty())]), 'a path, or an object of reporter names to paths'), {
    description: 'Where reporters write: one path (the json reporter\'s) or one per reporter name; a reporter given a file is on',
    flags: [{ name: 'outputFile', raw: true, commands: bench, placeholder: 'PATH', describe: 'Where a reporter writes, and that reporter is on: --outputFile.junit=junit.xml (repeatable); a path alone is the json reporter\'s' }],
  }),
  fileParallelism: option(whole(1), {
    description: 'Bench files run at once: files that share a server spoil each other\'s numbers',
    default: 1,
    flags: [{ name: 'file-parallelism', commands: bench, placeholder: 'N' }],
  }),
  bail: option(expecting(z.union([z.boolean(), whole(0)]), 'true, false or a number of failed scenarios'), {
    description: 'Stop after the first failed scenario (true) or after this many',
    default: false,
    flags: [{ name: 'bail', commands: bench, describe: 'Stop at the first failed scenario' }],
  }),
  fileTimeout: option(positive('a number of seconds above 0'), {
    description: 'Seconds a worker may run one file before it is stopped',
    unit: 'seconds',
  }),
  history: option(expecting(z.strictObject({ dir: nonEmpty().optional(), enabled: z.boolean().optional() }), "an object like { dir: '.llmbench/history', enabled: true }"), {
    description: "Each run's result kept for llmbench report --history, in dir, unless enabled is false",
    defaultText: "{ dir: '.llmbench/history', enabled: true }",
    flags: [
      { name: 'history', path: 'enabled', commands: ['bench', 'run', 'merge'], defaultText: 'on', describe: 'Keep the result in the history folder (default on; --no-history)' },
      { name: 'history-dir', path: 'dir', commands: ['bench', 'run', 'merge'], placeholder: 'DIR', describe: 'History folder (default: .llmbench/history in the project root)' },
    ],
  }),
  serve: option(
    expecting(
      z.strictObject({
        allow: expecting(z.array(url()), 'a list of http:// or https:// URLs').optional(),
        host: nonEmpty().optional(),
        port: expecting(z.int().min(0).max(65535), 'a port from 0 to 65535').optional(),
        store: nonEmpty().optional(),
      }),
      "an object like { allow: ['http://gpu-1:8000'] }",
    ),
    { description: 'llmbench serve: the URLs API runs may target besides servers, its host, port and store (serve.md)' },
  ),
} as const

export const configSchema = z.strictObject(configShape)
export type UserConfig = z.input<typeof configSchema>
export type ServerConfig = z.input<typeof serverSchema>
export type ServeConfig = NonNullable<UserConfig['serve']>
export type ReporterEntry = string | [name: string, options?: Record<string, unknown>]
