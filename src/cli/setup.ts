/**
 * The yargs setup of the CLI, in one place: index.ts parses with it, and the build renders the
 * stored help texts with it (help-text.ts), so the two cannot drift apart.
 */
import type { Argv } from 'yargs'
import { VERSION } from '../version.js'
import { COMMANDS } from './commands.js'
import { COMMAND_FLAGS } from './command-flags.js'
import { replayFlags } from './recorded-flags.js'

export interface CliSetup {
  /** The wrap width of help texts (helpWidth() at run time). */
  width: number
  /** Called with the exit code of the command that ran. */
  ran(code: number): void
}

/** The CLI as yargs parses it; `cli` is a fresh `yargs(argv)`. Nothing parsed yet. */
export function defineCli(cli: Argv, setup: CliSetup): Argv {
  cli = cli
    .scriptName('llmbench')
    .version(VERSION)
    // yargs would translate its own words (Options:, [boolean], its complaints) from $LANG while
    // every description stays English; and "did you mean" reads its complaint in English.
    .locale('en')
    .usage('$0 [filters..] | $0 <command> [options]\n\nLoad tests for LLM inference servers.')
  for (const c of COMMANDS) {
    cli = cli.command(c.command, c.describe, (y) => replayFlags(y, COMMAND_FLAGS[c.name]), async (args) => {
      const { handler } = await c.load()
      setup.ran(await handler(args))
    })
  }
  skipHelpLayout(cli)
  return cli
    .option('debug', { type: 'boolean', describe: 'Show stack traces for errors' })
    .alias('help', 'h')
    .strict()
    .middleware(lastValueWins)
    .wrap(setup.width)
    .fail((msg, err) => {
      if (err) throw err
      throw new Complaint(msg)
    })
}

/** What yargs said was wrong with the command line, before it is made one line. */
export class Complaint extends Error {}

/**
 * yargs lays out the whole help text as a command starts, in case its handler asks for it (usage's
 * cacheHelpMessage): 50–150 ms for `run`'s 150 flags, before the command's first step. No handler
 * shows help (`--help` is yargs' own and does not go through it), so that layout is skipped.
 */
function skipHelpLayout(cli: object): void {
  type Internals = { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } }
  const usage = (cli as Internals).getInternalMethods?.().getUsageInstance?.()
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {}
}

/** Options and positionals of any command that take several values; any other flag given twice keeps its last value, as in most CLIs. */
const LIST_OPTIONS = new Set([
  '_',
  ...Object.values(COMMAND_FLAGS).flat().filter(([, , o]) => o.array).flatMap(([, name, o]) => (typeof o.alias === 'string' ? [name, o.alias] : [name])),
])

function lastValueWins(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && !LIST_OPTIONS.has(key)) argv[key] = value[value.length - 1]
  }
}
