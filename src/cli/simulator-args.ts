/**
 * `llmbench run --simulator-args "…"`: the flags of `llmbench simulate` for the simulator that
 * `--simulate` starts, parsed by that command's own builder so both take the same words.
 */
import yargs from 'yargs'
import { UsageError } from '../errors.js'
import { resolveOptions, type SimulatorOptions } from '../simulator/options.js'
import { simulateCommand, toSimulatorOptions } from './simulate.js'

/**
 * The simulator's options from the flags in `text`; where it listens is not the user's to choose
 * here. A shell hands `--simulator-args "--x 1"` to yargs as a flag of its own, so the words may come
 * without their dashes (`"prefix-cache-tokens=4096 no-prefix-cache"`); with dashes they need the
 * `--simulator-args="--x 1"` form.
 */
export function simulatorOptionsOf(text: string): SimulatorOptions {
  const fail = (msg: string): never => {
    throw new UsageError(`--simulator-args: ${msg.split('\n')[0]} (the flags of llmbench simulate --help, in one quoted string)`)
  }
  const words = text.trim().split(/\s+/)
  const argv = words[0]?.startsWith('-') ? words : words.map((w) => `--${w}`)
  const a = simulateCommand(yargs(argv))
    .help(false)
    .version(false)
    .strict()
    .exitProcess(false)
    .fail((msg, err) => fail(msg ?? err?.message ?? 'cannot be parsed'))
    .parseSync() as Record<string, unknown>
  if ((a._ as unknown[]).length > 0) fail(`"${String((a._ as unknown[])[0])}" is not a flag`)
  for (const own of ['port', 'host'] as const) {
    if (argv.some((w) => w === `--${own}` || w.startsWith(`--${own}=`))) {
      fail(`--${own} is not allowed: the simulator --simulate starts listens on a free port of 127.0.0.1`)
    }
  }
  try {
    const { port: _p, host: _h, ...options } = toSimulatorOptions(a)
    // The simulator's own checks, here rather than as a child process that exits before it listens.
    resolveOptions(options)
    return options
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) return fail(err.message)
    throw err
  }
}
