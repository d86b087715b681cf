// The registry: built-in names, defaults, output files, custom modules in each export form, errors.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILTIN_REPORTERS, createReporters, defaultReporterSpecs } from '../reporters/registry.js'
import { SuiteConsoleReporter } from '../reporters/suite-console.js'
import { captureStream, suiteResult } from './fixtures/reporters/suite.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'reporters')
const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'llmbench-registry-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

type WithCalls = { calls: unknown[]; options?: Record<string, unknown> }

describe('createReporters', () => {
  it('knows the built-in names', async () => {
    expect(Object.keys(BUILTIN_REPORTERS)).toEqual(['console', 'json', 'junit', 'github', 'html'])
    const list = await createReporters(['console', 'json', 'junit', 'github'], { root: tmp(), stdout: captureStream() })
    expect(list.map((r) => r.name)).toEqual(['console', 'json', 'junit', 'github'])
    expect(list[0].reporter).toBeInstanceOf(SuiteConsoleReporter)
    for (const { reporter } of list) expect(typeof reporter.onRunEnd).toBe('function')
  })

  it('defaults to console, plus github inside GitHub Actions', async () => {
    expect(defaultReporterSpecs({})).toEqual(['console'])
    expect(defaultReporterSpecs({ GITHUB_ACTIONS: 'true' })).toEqual(['console', 'github'])
    expect(defaultReporterSpecs({ GITHUB_ACTIONS: 'false' })).toEqual(['console'])
    const none = await createReporters([], { root: tmp(), env: {} })
    expect(none.map((r) => r.name)).toEqual(['console'])
    const gh = await createReporters([], { root: tmp(), env: { GITHUB_ACTIONS: 'true' } })
    expect(gh.map((r) => r.name)).toEqual(['console', 'github'])
  })

  it('gives each reporter its output file, relative to the root; [name, options] wins', async () => {
    const root = tmp()
    const list = await createReporters(['json', ['junit', { outputFile: 'ci/junit-own.xml' }]], {
      root,
      outputFile: { json: 'out/r.json', junit: 'out/ignored.xml' },
    })
    for (const { reporter } of list) await reporter.onRunEnd?.(suiteResult())
    expect(JSON.parse(readFileSync(join(root, 'out/r.json'), 'utf8'))).toEqual(suiteResult())
    expect(readFileSync(join(root, 'ci/junit-own.xml'), 'utf8')).toMatch(/^<\?xml/)
    expect(existsSync(join(root, 'out/ignored.xml'))).toBe(false)
  })

  it('writes to the default files when none is given', async () => {
    const root = tmp()
    const list = await createReporters(['json', 'junit'], { root })
    for (const { reporter } of list) await reporter.onRunEnd?.(suiteResult())
    expect(existsSync(join(root, 'llmbench-results/results.json'))).toBe(true)
    expect(existsSync(join(root, 'llmbench-results/junit.xml'))).toBe(true)
  })

  it('loads a module whose default export is a reporter object', async () => {
    const [r] = await createReporters(['./object-reporter.mjs'], { root: FIXTURES })
    expect(r.name).toBe('./object-reporter.mjs')
    await r.reporter.onRunEnd?.(suiteResult())
    expect((r.reporter as unknown as WithCalls).calls).toContainEqual(['onRunEnd', 2])
  })

  it('loads a module whose default export is a class, constructed with the options', async () => {
    const [r] = await createReporters([['class-reporter.mjs', { verbose: true }]], { root: FIXTURES, outputFile: { 'class-reporter.mjs': 'x.txt' } })
    const rep = r.reporter as unknown as WithCalls
    expect(rep.options).toMatchObject({ root: FIXTURES, verbose: true, outputFile: 'x.txt' })
    await r.reporter.onRunEnd?.(suiteResult())
    expect(rep.calls).toEqual([['onRunEnd', 2]])
  })

  it('loads a module whose default export is a factory (async too), called with the options', async () => {
    const [r] = await createReporters([['./factory-reporter.mjs', { level: 3 }]], { root: FIXTURES })
    const rep = r.reporter as unknown as WithCalls
    expect(rep.options).toMatchObject({ root: FIXTURES, level: 3 })
    await r.reporter.onRunEnd?.(suiteResult())
    expect(rep.calls).toEqual([['onRunEnd', 2]])
  })

  it('accepts an absolute module path', async () => {
    const [r] = await createReporters([join(FIXTURES, 'object-reporter.mjs')], { root: tmp() })
    expect(typeof r.reporter.onRunEnd).toBe('function')
  })

  it('rejects an unknown name in one line listing the built-in names', async () => {
    const err = await createReporters(['html-fancy'], { root: tmp() }).then(() => undefined, (e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err!.message).not.toContain('\n')
    expect(err!.message).toMatch(/^unknown reporter "html-fancy": use one of console, json, junit, github, html, or a path/)
  })

  it('rejects a module that does not export a reporter, or fails to load', async () => {
    await expect(createReporters(['./bad-reporter.mjs'], { root: FIXTURES })).rejects.toThrow(/reporter "\.\/bad-reporter\.mjs" .* must have a default export that is a reporter object, a class or a factory/)
    await expect(createReporters(['./broken-reporter.mjs'], { root: FIXTURES })).rejects.toThrow(/reporter "\.\/broken-reporter\.mjs" could not be loaded from .*: reporter module exploded/)
  })
})
