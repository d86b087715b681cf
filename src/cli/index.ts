/**
 * The command line. Each command lives in its own file (commands.ts lists them); this one wires
 * them to yargs and turns errors into exit codes: a user mistake is one line, never a stack trace
 * (unless --debug).
 *
 * Start-up stays small: flags come from their record (command-flags.ts), and only the command that
 * runs is imported, so `--version`, `--help` and `<command> --help` load no command's modules; and
 * `--help` and `<command> --help` print the text the build rendered with yargs (stored-help.ts),
 * without loading yargs either.
 */
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { VERSION } from '../version.js'
import { redactSecrets, rememberSecrets, secretsOfArgv, secretsOfEnv } from '../results/redact.js'
import { terminalLine, terminalText } from '../text/sanitize.js'
import type { RecordedCall } from './recorded-flags.js'
import { helpWidth, storedHelp } from './stored-help.js'

export async function main(argv = process.argv.slice(2)): Promise<number> {
  // What yargs would print, without loading it (about 0.1 s).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`)
    return EXIT.OK
  }
  // `llmbench help run` is `llmbench run --help`, as in git and npm (otherwise its words read as bench-file filters).
  if (argv.length === 2 && argv[0] === 'help' && !argv[1].startsWith('-')) argv = [argv[1], '--help']
  // The same for `--help` and `<command> --help`: rendered by yargs at build time (stored-help.ts).
  const help = storedHelp(argv, helpWidth())
  if (help !== undefined) {
    process.stdout.write(help)
    return EXIT.OK
  }
  const debug = argv.includes('--debug')
  // Secrets from the command line and the environment are known before yargs runs, so that even
  // its complaints (which echo unknown arguments) never print them.
  rememberSecrets([...secretsOfArgv(argv), ...secretsOfEnv(process.env)])
  let exitCode: number = EXIT.OK
  const setup = import('./setup.js')
  try {
    const [{ default: yargs }, { defineCli }] = await Promise.all([import('yargs'), setup])
    await defineCli(yargs(argv), { width: helpWidth(), ran: (code) => (exitCode = code) }).parseAsync()
  } catch (err) {
    const complaint = await setup.then((m) => err instanceof m.Complaint, () => false)
    return reportError(complaint ? await usageError((err as Error).message) : err, debug)
  }
  return exitCode
}

/** yargs' complaint as one line; an unknown flag with the flag it most likely was. */
async function usageError(msg: string): Promise<UsageError> {
  const [{ unknownFlagMessage }, { COMMAND_FLAGS }] = await Promise.all([import('../options/flags.js'), import('./command-flags.js')])
  // The flags "did you mean" suggests: those of `llmbench run` and of the bench files.
  const suggested = [...COMMAND_FLAGS.run, ...COMMAND_FLAGS.bench].filter(isOption)
  const unknown = unknownFlagMessage(msg, suggested.map(([, name]) => name))
  return new UsageError(unknown ?? (msg.includes('--help') ? msg : `${msg} (see llmbench <command> --help)`))
}

type OptionCall = Extract<RecordedCall, readonly ['option', ...unknown[]]>
const isOption = (c: RecordedCall): c is OptionCall => c[0] === 'option'

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
