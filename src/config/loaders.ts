/**
 * cosmiconfig loaders. TypeScript configs are compiled to CommonJS by esbuild-register (not the
 * `typescript` package cosmiconfig would want) and required, so they may import the ESM llmbench
 * package (Node >= 20.19 loads ESM from require). ESM JavaScript configs are imported. A config
 * that cannot be parsed is one UsageError naming the file, line and column.
 */
import { readFileSync, statSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { defaultLoaders, type Loader } from 'cosmiconfig'
import { UsageError } from '../errors.js'
import { displayPath } from './validate.js'

const require = createRequire(import.meta.url)

/** A module's default export; a CommonJS module's exports; an ES module without a default is an error. */
function exported(mod: unknown, file: string, cwd: string): unknown {
  if (mod === null || typeof mod !== 'object') return mod
  const m = mod as { default?: unknown; __esModule?: boolean }
  if (m.default !== undefined) return m.default
  if (Object.prototype.toString.call(mod) === '[object Module]' || m.__esModule) {
    throw new UsageError(`${displayPath(file, cwd)} has no default export: write export default defineConfig({ ... })`)
  }
  return mod
}

interface EsbuildMessage {
  text: string
  location?: { file: string; line: number; column: number } | null
}

/** One line for an error thrown while compiling or running a config. */
export function configError(err: unknown, file: string, cwd: string): UsageError {
  if (err instanceof UsageError) return err
  const e = err as Error & { errors?: EsbuildMessage[] }
  const first = e?.errors?.[0]
  if (first?.location) {
    const { file: at, line, column } = first.location
    return new UsageError(`${displayPath(at || file, cwd)}:${line}:${column + 1}: ${first.text}`, { cause: err })
  }
  const message = String(e?.message ?? err).split('\n')[0]
  return new UsageError(`${displayPath(file, cwd)}: the config could not be loaded: ${message}`, { cause: err })
}

/** .ts, .mts, .cts: compiled to CommonJS by esbuild-register for the time of one require. */
export function typescriptLoader(cwd: string): Loader {
  return async (file) => {
    const { register } = await import('esbuild-register/dist/node')
    const { unregister } = register({ format: 'cjs', target: 'node20', extensions: ['.ts', '.mts', '.cts'], hookIgnoreNodeModules: true })
    const restore = typescriptExtensionFallback()
    try {
      delete require.cache[file]
      return exported(require(file), file, cwd)
    } catch (err) {
      throw configError(err, file, cwd)
    } finally {
      delete require.cache[file]
      restore()
      unregister()
    }
  }
}

type ResolveFilename = (this: unknown, request: string, ...rest: unknown[]) => string

/**
 * `./servers.js` finds `./servers.ts` (and .mjs/.cjs their .mts/.cts), as TypeScript's NodeNext
 * resolution does, so a config may import its own TypeScript helpers the way the project does.
 */
function typescriptExtensionFallback(): () => void {
  const loader = Module as unknown as { _resolveFilename: ResolveFilename }
  const original = loader._resolveFilename
  loader._resolveFilename = function (request, ...rest) {
    try {
      return original.call(this, request, ...rest)
    } catch (err) {
      const js = /^(\.{1,2}[\\/].*)\.([mc]?)js$/.exec(request)
      if (!js || (err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err
      try {
        return original.call(this, `${js[1]}.${js[2]}ts`, ...rest)
      } catch {
        throw err
      }
    }
  }
  return () => {
    loader._resolveFilename = original
  }
}

/** .js and .mjs: imported (a CommonJS .js comes back as its module.exports); a change is reloaded. */
export function esmLoader(cwd: string): Loader {
  return async (file) => {
    const url = `${pathToFileURL(file).href}?mtime=${statSync(file).mtimeMs}`
    let mod: unknown
    try {
      mod = await import(/* @vite-ignore */ url)
    } catch (err) {
      throw javascriptSyntaxError(file, cwd) ?? configError(err, file, cwd)
    }
    return exported(mod, file, cwd)
  }
}

/** .cjs: required afresh. */
export function commonjsLoader(cwd: string): Loader {
  return (file) => {
    let mod: unknown
    try {
      delete require.cache[file]
      mod = require(file)
    } catch (err) {
      throw javascriptSyntaxError(file, cwd) ?? configError(err, file, cwd)
    } finally {
      delete require.cache[file]
    }
    return exported(mod, file, cwd)
  }
}

/**
 * Node's syntax errors in ES modules do not say where they are, so a JavaScript config that failed
 * to load is parsed again by esbuild, whose errors carry the line and column.
 */
function javascriptSyntaxError(file: string, cwd: string): UsageError | undefined {
  const esbuild = require('esbuild') as typeof import('esbuild')
  try {
    esbuild.transformSync(readFileSync(file, 'utf8'), { loader: 'js', sourcefile: file, logLevel: 'silent' })
  } catch (err) {
    if ((err as { errors?: EsbuildMessage[] }).errors?.[0]?.location) return configError(err, file, cwd)
  }
  return undefined
}

/** JSON (also package.json), with the line and column of a syntax error. */
export function jsonLoader(cwd: string): Loader {
  return (file, content) => {
    try {
      return JSON.parse(content)
    } catch (err) {
      const message = (err as Error).message
      const pos = /at position (\d+)/.exec(message)
      const text = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '')
      let where = displayPath(file, cwd)
      if (pos) {
        const before = content.slice(0, Number(pos[1]))
        const line = before.split('\n').length
        where += `:${line}:${before.length - before.lastIndexOf('\n')}`
      }
      throw new UsageError(`${where}: invalid JSON: ${text}`, { cause: err })
    }
  }
}

/** YAML (also `.llmbenchrc`), with the line and column of a syntax error. */
export function yamlLoader(cwd: string): Loader {
  return async (file, content) => {
    try {
      return await defaultLoaders['.yaml'](file, content)
    } catch (err) {
      const e = err as Error & { reason?: string; mark?: { line: number; column: number } }
      const where = displayPath(file, cwd) + (e.mark ? `:${e.mark.line + 1}:${e.mark.column + 1}` : '')
      throw new UsageError(`${where}: invalid YAML: ${e.reason ?? e.message.split('\n')[1] ?? e.message}`, { cause: err })
    }
  }
}
