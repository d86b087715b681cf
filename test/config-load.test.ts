import { existsSync, mkdirSync, symlinkSync, utimesSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/index.js'
import { UsageError } from '../src/errors.js'
import { project, removeProjects, write } from './fixtures/config/project.js'

afterAll(removeProjects)

const REPO = resolve(import.meta.dirname, '..')
const DEFINE = join(REPO, 'src', 'config', 'define.ts')
const modelOf = async (dir: string, file?: string) => (await loadConfig(dir, file)).config.defaults.model

describe('finding and loading a config', () => {
  it('loads a TypeScript config that imports defineConfig and a helper, NodeNext-style (.js for .ts)', async () => {
    const dir = resolve(import.meta.dirname, 'fixtures/config/define-import')
    const { config, file } = await loadConfig(dir)
    expect(file).toBe(join(dir, 'llmbench.config.ts'))
    expect(config.root).toBe(dir)
    expect(config.configFile).toBe(file)
    expect(config.include).toEqual(['bench/**/*.bench.ts'])
    expect(config.servers).toEqual({ vllm: { url: 'http://gpu-1:8000', model: 'qwen3-14b', apiKey: 'env:LLMBENCH_TEST_KEY' } })
    expect(config.defaults).toEqual({ server: 'vllm', concurrency: [1, 8], requests: 20 })
    expect(config.reporters).toEqual(['console', ['junit', { suiteName: 'llm' }]])
    expect(config.outputFile).toEqual({ junit: 'out/junit.xml' })
    expect(config.bail).toBe(1)
  })

  it('loads a TypeScript config importing define.ts by a relative path, with types and process.env', async () => {
    const dir = project()
    const define = relative(dir, DEFINE).split('\\').join('/')
    write(dir, 'llmbench.config.ts', [
      `import { defineConfig, type UserConfig } from '${define}'`,
      `const model: string = process.env.LLMBENCH_TEST_UNSET ?? 'with-define'`,
      `const config: UserConfig = { defaults: { model } }`,
      'export default defineConfig(config)',
    ].join('\n'))
    expect(await modelOf(dir)).toBe('with-define')
  })

  it('loads a TypeScript config without imports', async () => {
    const dir = project({ 'llmbench.config.ts': `const n: number = 4\nexport default { defaults: { model: 'plain-ts', concurrency: n } }\n` })
    const { config } = await loadConfig(dir)
    expect(config.defaults).toEqual({ model: 'plain-ts', concurrency: 4 })
  })

  it.each([
    ['llmbench.config.mts', `const m: string = 'mts'\nexport default { defaults: { model: m } }`, 'mts'],
    ['llmbench.config.cts', `const m: string = 'cts'\nmodule.exports = { defaults: { model: m } }`, 'cts'],
    ['llmbench.config.mjs', `export default { defaults: { model: 'mjs' } }`, 'mjs'],
    ['llmbench.config.cjs', `module.exports = { defaults: { model: 'cjs' } }`, 'cjs'],
    ['.llmbenchrc', `defaults:\n  model: rc-yaml\n`, 'rc-yaml'],
    ['.llmbenchrc.json', `{ "defaults": { "model": "rc-json" } }`, 'rc-json'],
    ['.llmbenchrc.yaml', `defaults:\n  model: rc-yaml-ext\n`, 'rc-yaml-ext'],
    ['.llmbenchrc.yml', `defaults: { model: rc-yml }\n`, 'rc-yml'],
    ['.llmbenchrc.ts', `export default { defaults: { model: 'rc' + '-ts' as string } }`, 'rc-ts'],
    ['.llmbenchrc.mjs', `export default { defaults: { model: 'rc-mjs' } }`, 'rc-mjs'],
    ['.llmbenchrc.cjs', `module.exports = { defaults: { model: 'rc-cjs' } }`, 'rc-cjs'],
  ])('loads %s', async (name, text, model) => {
    const dir = project({ [name]: text })
    const { config, file } = await loadConfig(dir)
    expect(file).toBe(join(dir, name))
    expect(config.defaults.model).toBe(model)
  })

  it('imports an ESM llmbench.config.js in a "type": "module" project', async () => {
    const dir = project({
      'package.json': '{ "type": "module" }',
      'llmbench.config.js': `const model = ['js', 'esm'].join('-')\nexport default { defaults: { model } }\n`,
    })
    expect(await modelOf(dir)).toBe('js-esm')
  })

  it('loads a CommonJS llmbench.config.js in a project without "type"', async () => {
    const dir = project({ 'package.json': '{}', 'llmbench.config.js': `module.exports = { defaults: { model: 'js-cjs' } }\n` })
    expect(await modelOf(dir)).toBe('js-cjs')
  })

  it('reads the llmbench key of package.json', async () => {
    const dir = project({ 'package.json': JSON.stringify({ name: 'x', llmbench: { defaults: { model: 'pkg' }, fileParallelism: 2 } }) })
    const { config, file } = await loadConfig(dir)
    expect(file).toBe(join(dir, 'package.json'))
    expect(config.defaults.model).toBe('pkg')
    expect(config.fileParallelism).toBe(2)
  })

  it('prefers llmbench.config.* over .llmbenchrc* over package.json', async () => {
    const dir = project({
      'package.json': JSON.stringify({ llmbench: { defaults: { model: 'pkg' } } }),
      '.llmbenchrc.json': '{ "defaults": { "model": "rc" } }',
    })
    expect(await modelOf(dir)).toBe('rc')
    write(dir, 'llmbench.config.mjs', `export default { defaults: { model: 'config' } }`)
    expect(await modelOf(dir)).toBe('config')
  })

  it('without a config gives the defaults, rooted at the folder searched', async () => {
    const dir = project({ 'package.json': '{ "name": "no-config" }' })
    const { config, file } = await loadConfig(dir)
    expect(file).toBeUndefined()
    expect(config).toEqual({
      root: dir,
      include: ['**/*.bench.{ts,mts,js,mjs}'],
      exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
      defaults: {},
      servers: {},
      reporters: [], // none named: the registry's defaults apply
      outputFile: {},
      fileParallelism: 1,
      bail: 0,
    })
  })

  it('does not look in parent folders', async () => {
    const dir = project({ 'llmbench.config.mjs': `export default { defaults: { model: 'parent' } }`, 'child/a.txt': '' })
    expect((await loadConfig(join(dir, 'child'))).file).toBeUndefined()
    expect(await modelOf(dir)).toBe('parent')
  })

  it('skips an empty config file when searching', async () => {
    const dir = project({ 'llmbench.config.mjs': '', '.llmbenchrc.json': '{ "defaults": { "model": "rc" } }' })
    expect(await modelOf(dir)).toBe('rc')
  })

  it('loads a config file given explicitly, relative to the folder, rooted at its own folder', async () => {
    const dir = project({
      'llmbench.config.mjs': `export default { defaults: { model: 'found' } }`,
      'configs/ci.yaml': 'defaults:\n  model: explicit\n',
      'configs/empty.json': '',
    })
    const { config, file } = await loadConfig(dir, 'configs/ci.yaml')
    expect(file).toBe(join(dir, 'configs', 'ci.yaml'))
    expect(config.root).toBe(join(dir, 'configs'))
    expect(config.defaults.model).toBe('explicit')
    expect(await modelOf(dir, join(dir, 'configs', 'ci.yaml'))).toBe('explicit')
    expect((await loadConfig(dir, 'configs/empty.json')).config.defaults).toEqual({})
  })

  it('says when an explicit config file is missing, of an unknown kind, or a package.json without the key', async () => {
    const dir = project({ 'llmbench.toml': 'x = 1', 'package.json': '{ "name": "x" }' })
    await expect(loadConfig(dir, 'nope.ts')).rejects.toThrowError(`config file nope.ts not found (looked for ${join(dir, 'nope.ts')})`)
    await expect(loadConfig(dir, 'llmbench.toml')).rejects.toThrowError(
      'llmbench.toml: a config file must end in .ts, .mts, .cts, .js, .mjs, .cjs, .json, .yaml or .yml',
    )
    await expect(loadConfig(dir, 'package.json')).rejects.toThrowError('package.json has no "llmbench" key')
  })

  it('reloads a config that changed', async () => {
    const dir = project({ 'llmbench.config.ts': `export default { defaults: { model: 'one' } }` })
    expect(await modelOf(dir)).toBe('one')
    write(dir, 'llmbench.config.ts', `export default { defaults: { model: 'two' } }`)
    expect(await modelOf(dir)).toBe('two')

    const esm = project({ 'llmbench.config.mjs': `export default { defaults: { model: 'one' } }` })
    expect(await modelOf(esm)).toBe('one')
    const file = write(esm, 'llmbench.config.mjs', `export default { defaults: { model: 'two' } }`)
    utimesSync(file, new Date(), new Date(Date.now() + 5000))
    expect(await modelOf(esm)).toBe('two')
  })

  const dist = join(REPO, 'dist', 'src', 'index.js')
  it.skipIf(!existsSync(dist))('lets a TypeScript config import the ESM llmbench package (require of ESM)', async () => {
    const dir = project({
      'llmbench.config.ts': `import { VERSION } from 'llmbench'\nexport default { defaults: { model: 'v' + VERSION } }\n`,
    })
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(REPO, join(dir, 'node_modules', 'llmbench'), 'dir')
    const { VERSION } = await import('../src/version.js')
    expect(await modelOf(dir)).toBe(`v${VERSION}`)
  })
})

describe('a config that cannot be loaded', () => {
  const fails = async (files: Record<string, string>) => {
    const dir = project(files)
    const err = await loadConfig(dir).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }

  it('names the file, line and column of a TypeScript syntax error', async () => {
    expect(await fails({ 'llmbench.config.ts': `export default {\n  defaults: { model: 'm' }\n  bail: true,\n}\n` }))
      .toBe('llmbench.config.ts:3:3: Expected "}" but found "bail"')
  })

  it('names the file and line of a JavaScript syntax error', async () => {
    expect(await fails({ 'llmbench.config.mjs': `export default {\n  defaults: { model: 'm' }\n  bail: true,\n}\n` }))
      .toBe(`llmbench.config.mjs:3:3: Expected "}" but found "bail"`)
  })

  it('names the file, line and column of a JSON or YAML syntax error', async () => {
    expect(await fails({ '.llmbenchrc.json': `{\n  "defaults": { "model": "m" }\n  "bail": true\n}\n` }))
      .toMatch(/^\.llmbenchrc\.json:3:3: invalid JSON: /)
    expect(await fails({ '.llmbenchrc.yaml': `defaults:\n  model: m\n   bail: true\n` }))
      .toMatch(/^\.llmbenchrc\.yaml:3:\d+: invalid YAML: bad indentation of a mapping entry$/)
  })

  it('names the file of a config that throws', async () => {
    expect(await fails({ 'llmbench.config.ts': `throw new Error('no config today')\n` }))
      .toBe('llmbench.config.ts: the config could not be loaded: no config today')
  })

  it('asks for a default export', async () => {
    expect(await fails({ 'llmbench.config.ts': `export const config = { bail: true }\n` }))
      .toBe('llmbench.config.ts has no default export: write export default defineConfig({ ... })')
    expect(await fails({ 'llmbench.config.mjs': `export const config = { bail: true }\n` }))
      .toBe('llmbench.config.mjs has no default export: write export default defineConfig({ ... })')
  })

  it('asks for an object when the config exports something else', async () => {
    expect(await fails({ 'llmbench.config.mjs': `export default () => ({})` }))
      .toBe('llmbench.config.mjs must export an object, e.g. export default defineConfig({ ... }), got a function')
    expect(await fails({ '.llmbenchrc.yaml': `- a\n- b\n` }))
      .toBe('.llmbenchrc.yaml must export an object, e.g. export default defineConfig({ ... }), got ["a","b"]')
  })
})
