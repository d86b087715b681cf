/**
 * Start-up loads only what is used (docs/performance.md, Start-up): which files a command or the
 * package entry loads, never how long it takes (bench/startup.js measures that).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = `${ROOT}bin/llmbench.js`
const HOOK = new URL('./helpers/loaded-files.mjs', import.meta.url).href

/** The files a node process loads, relative to the package root, and what it printed. */
function loadedBy(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LLMBENCH_HISTORY: '0' } })
  const files = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('loaded-file '))
    .map((l) => l.slice('loaded-file '.length).replace(ROOT, ''))
  return { files, stdout: r.stdout, status: r.status }
}

const packages = (files: string[]) => new Set(files.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []))
const HEAVY = ['zod', 'gpt-tokenizer', 'undici', 'pg', 'cosmiconfig', 'csv-parse', 'esbuild', 'esbuild-register', 'ajv', '@huggingface/tokenizers']
const COMMAND_MODULES = ['run', 'bench', 'compare', 'merge', 'simulate', 'info', 'gpu', 'report', 'show-report', 'serve'].map((c) => `dist/src/cli/${c}.js`)

describe('start-up loads only what is used', () => {
  it('--version loads no dependency and no command', () => {
    const { files, stdout, status } = loadedBy([BIN, '--version'])
    expect(status).toBe(0)
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect([...packages(files)]).toEqual([])
    expect(files.filter((f) => COMMAND_MODULES.includes(f))).toEqual([])
  })

  it.each([
    ['--help', '--list'],
    ['run --help', '--num-prompts'],
    ['compare --help', '--tolerance'],
    ['simulate --help', '--max-num-seqs'],
  ])('%s lists the flags without loading a command, Zod or the runner', (command, flag) => {
    const { files, stdout, status } = loadedBy([BIN, ...command.split(' ')])
    expect(status).toBe(0)
    // The flags come from the generated record: help still lists them.
    expect(stdout).toContain(flag)
    expect(files.filter((f) => COMMAND_MODULES.includes(f))).toEqual([])
    expect([...packages(files)].filter((p) => HEAVY.includes(p))).toEqual([])
    expect(files.some((f) => f.startsWith('dist/src/runner/') || f.startsWith('dist/src/options/'))).toBe(false)
  })

  it("import 'llmbench' loads the DSL and the metrics, no dependency, no CLI, simulator server or runner", () => {
    const { files, status } = loadedBy(['--input-type=module', '-e', "const m = await import('llmbench'); if (typeof m.bench !== 'function' || typeof m.startSimulator !== 'function') process.exit(3)"])
    expect(status).toBe(0)
    expect([...packages(files)]).toEqual([])
    expect(files).toContain('dist/src/dsl/api.js')
    for (const prefix of ['dist/src/cli/', 'dist/src/runner/', 'dist/src/client/', 'dist/src/suite/', 'dist/src/report/', 'dist/reporters/']) {
      expect(files.filter((f) => f.startsWith(prefix))).toEqual([])
    }
    expect(files).not.toContain('dist/src/simulator/server.js')
    expect(files).not.toContain('dist/src/data/tokenizer.js')
  })

  it('a command loads its own module only', () => {
    const { files, status } = loadedBy([BIN, 'merge'])
    expect(status).not.toBe(0) // merge needs files: yargs says so before the command loads
    expect(files.filter((f) => COMMAND_MODULES.includes(f))).toEqual([])
    const info = loadedBy([BIN, 'info', '--json'])
    expect(info.status).toBe(0)
    expect(files.length).toBeGreaterThan(0)
    expect(info.files.filter((f) => COMMAND_MODULES.includes(f))).toEqual(['dist/src/cli/info.js'])
    expect(packages(info.files).has('zod')).toBe(false)
  })
})
