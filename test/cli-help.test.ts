/**
 * `llmbench --help` and `<command> --help` print a text the build rendered with yargs
 * (src/cli/stored-help.ts): it must be byte for byte what yargs prints, at each width the CLI wraps
 * at, and anything not stored must still reach yargs. Runs the built CLI (dist/).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../src/cli/commands.js'
import { HELP_WIDTHS, helpRequests, renderHelp } from '../src/cli/help-text.js'
import type { StoredHelp } from '../src/cli/stored-help.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = `${ROOT}bin/llmbench.js`
const HOOK = new URL('./helpers/loaded-files.mjs', import.meta.url).href
const STORED = JSON.parse(readFileSync(`${ROOT}dist/src/cli/help.json`, 'utf8')) as StoredHelp

/**
 * The CLI as a user runs it: off a terminal (stdout a pipe: width 100), or with the terminal's
 * width given (process.stdout.columns, set before the CLI starts); yargs forced with LLMBENCH_YARGS_HELP.
 */
async function cli(argv: string[], o: { columns?: number; yargs?: boolean; env?: Record<string, string> } = {}) {
  const pre = o.columns === undefined ? [] : [`--import=data:text/javascript,process.stdout.columns=${o.columns}`]
  const env: Record<string, string | undefined> = { ...process.env, LLMBENCH_YARGS_HELP: o.yargs ? '1' : undefined, ...o.env }
  const child = spawn(process.execPath, ['--import', HOOK, ...pre, BIN, ...argv], { cwd: ROOT, env })
  let stdout = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const status = await new Promise<number | null>((ok) => child.on('close', ok))
  const loaded = err.split('\n').filter((l) => l.startsWith('loaded-file '))
  const stderr = err.split('\n').filter((l) => !l.startsWith('loaded-file ')).join('\n')
  return { stdout, stderr, status, yargsLoaded: loaded.some((l) => l.includes('/node_modules/yargs/')) }
}

/** A terminal width that wraps at `width`: 100 is the pipe's default, 110 any terminal as wide or wider. */
const columnsFor = (width: number) => (width === 100 ? undefined : 130)

const cases = HELP_WIDTHS.flatMap((width) => helpRequests().map((argv) => [argv.join(' '), width, argv] as const))
/** What a user types: `--help`, `help` and `<command> --help` of every command (the other forms share their texts). */
const typed = [['--help'], ['help'], ...COMMANDS.filter((c) => !c.command.startsWith('$0')).map((c) => [c.command.split(' ')[0], '--help'])]
const printed = HELP_WIDTHS.flatMap((width) => typed.map((argv) => [argv.join(' '), width, argv] as const))

describe('stored help texts', () => {
  it('cover --help, help, and every command, at both widths', () => {
    expect(Object.keys(STORED.widths).sort()).toEqual(['100', '110'])
    for (const forms of Object.values(STORED.widths)) {
      expect(Object.keys(forms).sort()).toEqual(helpRequests().map((a) => JSON.stringify(a)).sort())
    }
    // One text per command and width: the forms of one command share it.
    expect(STORED.texts).toHaveLength(COMMANDS.length * HELP_WIDTHS.length)
  })

  it.each(cases)('llmbench %s at width %i: the stored text is what yargs renders from the flags now', async (_, width, argv) => {
    // The generator's fresh render from src/: fails when dist/ is stale as well as when it is wrong.
    expect(STORED.texts[STORED.widths[width][JSON.stringify(argv)]]).toBe(await renderHelp(argv, width))
  })

  it.each(printed)(
    'llmbench %s at width %i: printed without yargs, byte for byte what yargs prints, same stream and exit code',
    async (_, width, argv) => {
      const [fast, slow] = await Promise.all([cli(argv, { columns: columnsFor(width) }), cli(argv, { columns: columnsFor(width), yargs: true })])
      expect(fast.yargsLoaded).toBe(false)
      expect(slow.yargsLoaded).toBe(true)
      expect(slow.status).toBe(0)
      expect(fast.status).toBe(0)
      expect(fast.stderr).toBe(slow.stderr)
      expect(fast.stdout).toBe(slow.stdout)
    },
  )

  it('a terminal exactly 110 columns wide gets the stored text of 110; a narrower one gets yargs at its width', async () => {
    const [at110, wide, narrow] = await Promise.all([cli(['run', '--help'], { columns: 110 }), cli(['run', '--help'], { columns: 130 }), cli(['run', '--help'], { columns: 80 })])
    expect(at110.yargsLoaded).toBe(false)
    expect(at110.stdout).toBe(wide.stdout)

    expect(narrow.status).toBe(0)
    expect(narrow.yargsLoaded).toBe(true)
    expect(narrow.stdout).toContain('--num-prompts')
    expect(Math.max(...narrow.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80)
    expect(narrow.stdout).not.toBe(at110.stdout)
  })

  it('--help with another flag, even an unknown one, goes to yargs', async () => {
    const [extra, run, unknown, top] = await Promise.all([cli(['run', '--help', '--model', 'm']), cli(['run', '--help']), cli(['--help', '--no-such-flag']), cli(['--help'])])
    expect(extra.status).toBe(0)
    expect(extra.yargsLoaded).toBe(true)
    expect(extra.stdout).toBe(run.stdout)
    expect(unknown.yargsLoaded).toBe(true)
    expect(unknown.status).toBe(0) // yargs shows help before it checks the flags
    expect(unknown.stdout).toBe(top.stdout)
  })

  it('help <command> and -h print that command\'s help, without yargs', async () => {
    const [help, short, run] = await Promise.all([cli(['help', 'run']), cli(['run', '-h']), cli(['run', '--help'])])
    expect(run.stdout).toMatch(/^llmbench run\n/)
    for (const r of [help, short]) {
      expect(r.status).toBe(0)
      expect(r.yargsLoaded).toBe(false)
      expect(r.stdout).toBe(run.stdout)
    }
  })

  it("yargs' YARGS_DISABLE_WRAP still prints the help unwrapped", async () => {
    const [unwrapped, stored] = await Promise.all([cli(['run', '--help'], { env: { YARGS_DISABLE_WRAP: '1' } }), cli(['run', '--help'])])
    expect(unwrapped.status).toBe(0)
    expect(unwrapped.yargsLoaded).toBe(true)
    expect(Math.max(...unwrapped.stdout.split('\n').map((l) => l.length))).toBeGreaterThan(110)
    expect(stored.yargsLoaded).toBe(false)
  })

  it("yargs speaks English whatever $LANG says, so the stored text holds for every user", async () => {
    const fr = { LANG: 'fr_FR.UTF-8', LC_ALL: 'fr_FR.UTF-8' }
    const [french, stored, typo] = await Promise.all([cli(['compare', '--help'], { yargs: true, env: fr }), cli(['compare', '--help']), cli(['run', '--num-promts', '3'], { env: fr })])
    expect(french.stdout).toBe(stored.stdout)
    // and "did you mean" still reads yargs' complaint
    expect(typo.status).toBe(2)
    expect(typo.stderr).toContain('did you mean --num-prompts?')
  })
})
