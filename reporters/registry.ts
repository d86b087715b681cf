/**
 * Reporters by name: the built-in ones, or a module path (relative to the project root) whose
 * default export is a reporter object, a reporter class, or a factory `(options) => Reporter`.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { NamedReporter } from './dispatch.js'
import { createGithubReporter } from './github.js'
import { createHtmlReporter } from './html.js'
import { createJunitReporter } from './junit.js'
import { createSuiteConsoleReporter } from './suite-console.js'
import { createSuiteJsonReporter } from './suite-json.js'
import type { Reporter, ReporterOptions } from './types.js'
import { UsageError } from '../src/errors.js'
import { closest } from '../src/options/check.js'

export type ReporterFactory = (options: ReporterOptions & Record<string, unknown>) => Reporter

export const BUILTIN_REPORTERS: Readonly<Record<string, ReporterFactory>> = {
  console: createSuiteConsoleReporter,
  json: createSuiteJsonReporter,
  junit: createJunitReporter,
  github: createGithubReporter,
  html: createHtmlReporter,
}

export type ReporterSpec = string | [string, Record<string, unknown>]

export type RegistryOptions = Omit<ReporterOptions, 'outputFile'> & {
  /** Output file per reporter name (`--outputFile.junit=report.xml`). */
  outputFile?: Record<string, string>
}

/** The reporters used when the config names none: console, and github inside GitHub Actions. */
export function defaultReporterSpecs(env: NodeJS.ProcessEnv = process.env): ReporterSpec[] {
  return env.GITHUB_ACTIONS === 'true' ? ['console', 'github'] : ['console']
}

/**
 * The reporters a run uses: those named (the defaults when none), the github one whenever
 * GITHUB_ACTIONS=true, and every built-in one an output file is given for (`--outputFile x.json`
 * means the json reporter), each once.
 */
export function reporterSpecs(named: ReporterSpec[], outputFile: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): ReporterSpec[] {
  const specs = named.length ? [...named] : defaultReporterSpecs(env)
  const has = (name: string) => specs.some((s) => (typeof s === 'string' ? s : s[0]) === name)
  if (env.GITHUB_ACTIONS === 'true' && !has('github')) specs.push('github')
  for (const name of Object.keys(outputFile)) if (Object.hasOwn(BUILTIN_REPORTERS, name) && !has(name)) specs.push(name)
  return specs
}

/**
 * Creates the reporters of `specs` (the defaults when empty). Each receives the base options,
 * its own `outputFile`, and the options given with it in a `[name, options]` spec.
 * Throws an Error with a one-line message for an unknown name or an unusable module.
 */
export async function createReporters(specs: ReporterSpec[], base: RegistryOptions): Promise<NamedReporter[]> {
  const list = reporterSpecs(specs, base.outputFile, base.env ?? process.env)
  const reporters: NamedReporter[] = []
  for (const spec of list) {
    const [name, own] = typeof spec === 'string' ? [spec, {}] : spec
    const options: ReporterOptions & Record<string, unknown> = { ...base, outputFile: base.outputFile?.[name], ...own }
    const builtin = Object.hasOwn(BUILTIN_REPORTERS, name) ? BUILTIN_REPORTERS[name] : undefined
    const reporter = builtin ? builtin(options) : await loadReporter(name, base.root, options)
    reporters.push({ name, reporter })
  }
  return reporters
}

async function loadReporter(spec: string, root: string, options: ReporterOptions & Record<string, unknown>): Promise<Reporter> {
  const path = resolve(root, spec)
  if (!existsSync(path)) {
    const names = Object.keys(BUILTIN_REPORTERS)
    const guess = closest(spec, names)
    throw new UsageError(`unknown reporter "${spec}"${guess ? `, did you mean "${guess}"?` : ''}: use one of ${names.join(', ')}, or a path to a module (relative to ${root}) whose default export is a reporter`)
  }
  let mod: { default?: unknown }
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown }
  } catch (err) {
    throw new UsageError(`reporter "${spec}" could not be loaded from ${path}: ${firstLine(err)}`)
  }
  const exported = mod.default
  let reporter: unknown = exported
  if (typeof exported === 'function') {
    reporter = isClass(exported) ? new (exported as new (o: unknown) => unknown)(options) : await (exported as (o: unknown) => unknown)(options)
  }
  if (typeof reporter !== 'object' || reporter === null) {
    throw new UsageError(`reporter "${spec}" (${path}) must have a default export that is a reporter object, a class or a factory returning a reporter`)
  }
  return reporter as Reporter
}

/** A `class` declaration, or an old-style constructor whose prototype carries methods. */
function isClass(fn: Function): boolean {
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true
  const proto = (fn as { prototype?: object }).prototype
  return !!proto && Object.getOwnPropertyNames(proto).some((k) => k !== 'constructor')
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? ''
}
