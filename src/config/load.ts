/**
 * Finds and loads the config with cosmiconfig: `llmbench.config.*`, `.llmbenchrc*` or the
 * `llmbench` key of package.json, in the given folder only (never a parent's), or an explicit file.
 */
import { existsSync, statSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { cosmiconfig, type Loaders } from 'cosmiconfig'
import { UsageError } from '../errors.js'
import { commonjsLoader, esmLoader, jsonLoader, typescriptLoader, yamlLoader } from './loaders.js'
import { displayPath, validateConfig, type ResolvedConfig } from './validate.js'

/** Where a config is looked for, first found wins. */
export const SEARCH_PLACES = [
  ...['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((ext) => `llmbench.config.${ext}`),
  '.llmbenchrc',
  ...['json', 'yaml', 'yml', 'js', 'cjs', 'mjs', 'ts'].map((ext) => `.llmbenchrc.${ext}`),
  'package.json',
]

function loaders(cwd: string): Loaders {
  const ts = typescriptLoader(cwd)
  const esm = esmLoader(cwd)
  const yaml = yamlLoader(cwd)
  return {
    '.ts': ts, '.mts': ts, '.cts': ts,
    '.js': esm, '.mjs': esm, '.cjs': commonjsLoader(cwd),
    '.json': jsonLoader(cwd), '.yaml': yaml, '.yml': yaml, noExt: yaml,
  }
}

/**
 * The config of the project in `cwd`: `explicitFile` (relative to `cwd`) when given, else the
 * first of SEARCH_PLACES found in `cwd`, else the defaults. Every problem is one UsageError.
 */
export async function loadConfig(cwd: string, explicitFile?: string): Promise<{ config: ResolvedConfig; file?: string }> {
  const dir = resolve(cwd)
  const known = loaders(dir)
  const explorer = cosmiconfig('llmbench', { searchPlaces: SEARCH_PLACES, searchStrategy: 'none', loaders: known, cache: false })
  let result
  if (explicitFile !== undefined) {
    const file = resolve(dir, explicitFile)
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`config file ${explicitFile} not found (looked for ${file})`)
    const ext = extname(file) || 'noExt'
    if (!Object.hasOwn(known, ext)) {
      throw new UsageError(`${displayPath(file, dir)}: a config file must end in .ts, .mts, .cts, .js, .mjs, .cjs, .json, .yaml or .yml`)
    }
    result = await explorer.load(file)
    if (result === null) {
      throw new UsageError(basename(file) === 'package.json' ? `${displayPath(file, dir)} has no "llmbench" key` : `${displayPath(file, dir)} exports no config`)
    }
  } else {
    result = await explorer.search(dir)
  }
  if (!result) return { config: validateConfig({}, { cwd: dir }) }
  return { config: validateConfig(result.config, { file: result.filepath, cwd: dir }), file: result.filepath }
}
