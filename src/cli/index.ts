/**
 * The command line. Each command lives in its own file (commands.ts lists them); this one wires
 * them to yargs and turns errors into exit codes: a user mistake is one line, never a stack trace
 * (unless --debug).
 *
 * Start-up stays small: flags come from their record (command-flags.ts), and only the command that
 * runs is imported, so `--version`, `--help` and `<command> --help` load no command's modules.
 */
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { VERSION } from '../version.js'
import { redactSecrets, rememberSecrets, secretsOfArgv, secretsOfEnv } from '../results/redact.js'
import { terminalLine, terminalText } from '../text/sanitize.js'
import { COMMANDS } from './commands.js'
import { COMMAND_FLAGS } from './command-flags.js'
import { replayFlags, type RecordedCall } from './recorded-flags.js'

export async function main(argv = process.argv.slice(2)): Promise<number> {
  // What yargs would print, without loading it (about 0.1 s).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`)
    return EXIT.OK
  }
  const debug = argv.includes('--debug')
  // Secrets from the command line and the environment are known before yargs runs, so that even
  // its complaints (which echo unknown arguments) never print them.
  rememberSecrets([...secretsOfArgv(argv), ...secretsOfEnv(process.env)])
  let exitCode: number = EXIT.OK
  try {
    const { default: yargs } = await import('yargs')
    let cli = yargs(argv)
      .scriptName('llmbench')
      .version(VERSION)
      .usage('$0 [filters..] | $0 <command> [options]\n\nLoad tests for LLM inference servers.')
    for (const c of COMMANDS) {
      cli = cli.command(c.command, c.describe, (y) => replayFlags(y, COMMAND_FLAGS[c.name]), async (args) => {
        const { handler } = await c.load()
        exitCode = await handler(args)
      })
    }
    skipHelpLayout(cli)
    await cli
      .option('debug', { type: 'boolean', describe: 'Show stack traces for errors' })
      .strict()
      .middleware(lastValueWins)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((msg, err) => {
        if (err) throw err
        throw new Complaint(msg)
      })
      .parseAsync()
  } catch (err) {
    return reportError(err instanceof Complaint ? await usageError(err.message) : err, debug)
  }
  return exitCode
}

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

/** What yargs said was wrong with the command line, before it is made one line. */
class Complaint extends Error {}

/** yargs' complaint as one line; an unknown flag with the flag it most likely was. */
async function usageError(msg: string): Promise<UsageError> {
  const { unknownFlagMessage } = await import('../options/flags.js')
  const unknown = unknownFlagMessage(msg, SUGGESTED.map(([, name]) => name))
  return new UsageError(unknown ?? (msg.includes('--help') ? msg : `${msg} (see llmbench <command> --help)`))
}

type OptionCall = Extract<RecordedCall, readonly ['option', ...unknown[]]>
const isOption = (c: RecordedCall): c is OptionCall => c[0] === 'option'

/** The flags "did you mean" suggests: those of `llmbench run` and of the bench files. */
const SUGGESTED = [...COMMAND_FLAGS.run, ...COMMAND_FLAGS.bench].filter(isOption)
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

function reportError(err: unknown, debug: boolean): number {
  const e = err instanceof Error ? err : new Error(String(err))
  const user = e instanceof UsageError || e.name === 'YError'
  // Messages may quote a server (its error body, the model it listed) or the command line:
  // redacted of every known secret, and stripped of terminal control sequences.
  const clean = (text: string) => redactSecrets(text)
  if (debug || !user) process.stderr.write(`${terminalText(clean(e.stack ?? e.message))}\n`)
  if (!debug) {
    // yargs spreads one complaint over several lines; a user gets it on one.
    const line = user ? terminalLine(clean(e.message)) : terminalLine(clean(e.message).split('\n')[0] ?? '')
    process.stderr.write(user ? `llmbench: ${line}\n` : `llmbench: internal error: ${line} (run with --debug for details)\n`)
  }
  return user ? EXIT.USAGE : EXIT.RUNTIME
}
