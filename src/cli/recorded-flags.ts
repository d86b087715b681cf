/**
 * A command's yargs flags as data. Each command declares its flags in its own file (its builder,
 * from src/options/ for run, bench, merge and compare); `npm run generate` records what that builder
 * declares into command-flags.ts, and the CLI replays the record. So `llmbench --help`, `run --help`
 * and the parsing of every command need neither the command's modules nor Zod (about 0.3 s): only
 * the command that runs loads its own. test/generated.test.ts fails when the record is stale.
 */
import type { Argv, Options, PositionalOptions } from 'yargs'

export type RecordedCall = readonly ['option', string, Options] | readonly ['positional', string, PositionalOptions]

/** The calls `builder` makes, in order (builders only declare: option and positional). */
export function recordFlags(builder: (y: Argv) => Argv): RecordedCall[] {
  const calls: RecordedCall[] = []
  const recorder = {
    option(name: string, o: Options) {
      calls.push(['option', name, plain(name, o)])
      return recorder
    },
    positional(name: string, o: PositionalOptions) {
      calls.push(['positional', name, plain(name, o)])
      return recorder
    },
  }
  builder(recorder as unknown as Argv)
  return calls
}

export function replayFlags(y: Argv, calls: readonly RecordedCall[]): Argv {
  let out = y
  for (const [kind, name, o] of calls) out = kind === 'option' ? out.option(name, o as Options) : out.positional(name, o as PositionalOptions)
  return out
}

/** The record is JSON: a flag whose settings hold a function (coerce, a default computed) cannot be kept. */
function plain<T extends object>(name: string, o: T): T {
  if (Object.values(o).some((v) => typeof v === 'function')) {
    throw new Error(`--${name}: its yargs settings hold a function, which command-flags.ts cannot record; check its value in the handler instead`)
  }
  return o
}
