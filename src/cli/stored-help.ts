/**
 * `llmbench --help` and `llmbench <command> --help` without yargs. Loading yargs and laying out
 * 100–150 flags takes 150–300 ms, and the text is a pure function of the flag record, the commands
 * and the wrap width; so the build renders it with yargs itself (help-text.ts, into help.json beside
 * this file) and the CLI prints the stored text when the command line is exactly one of the help
 * requests rendered, at a width rendered. Anything else goes to yargs, as does every request when
 * LLMBENCH_YARGS_HELP is set (tests compare the two) or YARGS_DISABLE_WRAP is.
 */
import { readFileSync } from 'node:fs'

/** What the build writes: per wrap width, per command line (JSON of its argv), an index into texts. */
export interface StoredHelp {
  texts: string[]
  widths: Record<string, Record<string, number>>
}

export const STORED_HELP_FILE = 'help.json'

/** The wrap width of the help texts: the terminal's, at most 110; 100 when not on a terminal. */
export function helpWidth(): number {
  return Math.min(110, process.stdout.columns || 100)
}

/** The stored key of a command line. */
export const helpKey = (argv: readonly string[]) => JSON.stringify(argv)

/** The text yargs prints for this command line at this width, when stored; undefined otherwise. */
export function storedHelp(argv: readonly string[], width: number): string | undefined {
  // Every stored command line is one or two words, one of them a help request: anything else does
  // not read the file.
  if (argv.length === 0 || argv.length > 2 || !argv.some((a) => a === '--help' || a === '-h' || a === 'help')) return undefined
  // YARGS_DISABLE_WRAP: yargs' own switch to print help unwrapped, which no stored text is.
  if (process.env.LLMBENCH_YARGS_HELP || process.env.YARGS_DISABLE_WRAP) return undefined
  let stored: StoredHelp
  try {
    stored = JSON.parse(readFileSync(new URL(`./${STORED_HELP_FILE}`, import.meta.url), 'utf8')) as StoredHelp
  } catch {
    return undefined // not built (run from src/ by tests): yargs answers
  }
  const index = stored.widths[String(width)]?.[helpKey(argv)]
  return index === undefined ? undefined : stored.texts[index]
}
