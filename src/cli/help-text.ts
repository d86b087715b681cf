/**
 * Renders the help texts stored-help.ts prints, with the CLI's own yargs setup (setup.ts); the
 * build writes them to dist/src/cli/help.json (scripts/render-help.mjs), so they are always those
 * of the flags built. test/help-text.test.ts compares every one with what yargs prints.
 */
import yargs from 'yargs'
import { COMMANDS } from './commands.js'
import { defineCli } from './setup.js'
import { helpKey, type StoredHelp } from './stored-help.js'

/** The widths the CLI wraps at off a terminal (100) and on one 110 columns or wider. */
export const HELP_WIDTHS = [100, 110] as const

/** The command lines that ask for help: `--help`, `help`, and each command's `<c> --help`, `--help <c>`, `<c> help`. */
export function helpRequests(): string[][] {
  const requests = [['--help'], ['-h'], ['help']]
  for (const c of COMMANDS) {
    const word = c.command.split(' ')[0]
    if (word !== '$0') requests.push([word, '--help'], [word, '-h'], ['--help', word], [word, 'help'])
  }
  return requests
}

/** What yargs prints for `argv` at this width: its help text, as console.log writes it. */
export async function renderHelp(argv: string[], width: number): Promise<string> {
  const cli = defineCli(yargs(argv), { width, ran: () => {} })
  return new Promise((resolve, reject) => {
    // With a callback yargs neither exits nor prints: it hands over what it would have logged.
    void cli.parse(argv, {}, (err, _parsed, output) => {
      if (err || !output) reject(err ?? new Error(`llmbench ${argv.join(' ')} printed no help`))
      else resolve(`${output}\n`)
    })
  })
}

export async function renderStoredHelp(): Promise<StoredHelp> {
  const stored: StoredHelp = { texts: [], widths: {} }
  for (const width of HELP_WIDTHS) {
    const forms: Record<string, number> = {}
    for (const argv of helpRequests()) {
      const text = await renderHelp(argv, width)
      let index = stored.texts.indexOf(text)
      if (index < 0) index = stored.texts.push(text) - 1
      forms[helpKey(argv)] = index
    }
    stored.widths[String(width)] = forms
  }
  return stored
}
