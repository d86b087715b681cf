/**
 * Text that llmbench does not control (a server's error bodies and messages, model names, names
 * and messages from bench files) made safe to show. One module, used by every terminal path
 * (`llmbench run` lines and tables, the console reporters, preflight messages, CLI errors) and
 * by the JUnit and GitHub reporters before their own escaping.
 *
 * A terminal obeys escape sequences: `\x1b[2J` clears the screen, `\x1b]0;…\x07` retitles the
 * window, `\x1b]8;;url\x07` makes a hidden link, `\r` and backspaces overwrite what was printed.
 * Every such sequence is removed whole; lone control characters are dropped.
 */

/** String sequences (OSC, DCS, SOS, PM, APC) with their terminator (BEL or ST), 7- and 8-bit forms. */
const STRING_SEQUENCE = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)/g
/** Control sequences: CSI parameters, intermediates and final byte (`\x1b[2J`, `\x1b[31m`, `\x9b2J`). */
const CSI_SEQUENCE = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/g
/** Other escapes: ESC, intermediates, a final byte (`\x1bc` resets the terminal, `\x1b(B`). */
const ESC_SEQUENCE = /\x1b[ -/]*[0-~]/g
/** What is left: C0 controls except tab, LF and CR; DEL; C1 controls; a lone ESC. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g
/** Bidirectional overrides and isolates ("Trojan Source": text that reads differently than it is). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g

/**
 * Escape sequences removed whole (CSI, OSC and other string sequences, two-byte escapes). Control
 * characters are left: callers with their own rules for them (XML) use this.
 */
export function stripEscapes(text: string): string {
  return text.replace(STRING_SEQUENCE, '').replace(CSI_SEQUENCE, '').replace(ESC_SEQUENCE, '')
}

/**
 * Escape sequences, control characters and bidi overrides removed; tab, LF and CR kept (for
 * formats that escape line breaks themselves, such as GitHub workflow commands).
 */
export function stripControls(text: string): string {
  return stripEscapes(text).replace(CONTROL, '').replace(BIDI, '')
}

/**
 * Text for a terminal, line breaks kept: controls removed, CR, CRLF and Unicode line separators
 * as LF. A line that would start with `::` (after blanks) is broken up, so a message cannot issue
 * a GitHub Actions workflow command (`::add-mask::`, `::stop-commands::`) from a CI log.
 */
export function terminalText(text: string): string {
  return stripControls(String(text))
    .replace(/\r\n?|[\u2028\u2029\x85]/g, '\n')
    .replace(/^([ \t]*):(?=:)/gm, '$1: ')
}

/**
 * Text for one terminal line: as terminalText, with every run of blanks and line breaks as one
 * space, trimmed, and cut to `max` characters (with an ellipsis) when longer.
 */
export function terminalLine(text: string, max = Infinity): string {
  const line = stripControls(String(text)).replace(/[\s\u2028\u2029\x85]+/g, ' ').trim().replace(/^::/, ': :')
  return line.length > max ? `${line.slice(0, Math.max(0, max - 1))}…` : line
}

/** Anything stripControls removes, or a `::` that may open a workflow command. */
const UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|::/

/**
 * Text for a file (result, records, the run store): as terminalText, but line breaks kept as they
 * are (CR included), so a file holds what the terminal would show and a `cat` or `jq -r` of it
 * replays no escape sequence and issues no GitHub workflow command. Text that needs no change is
 * returned as it is (most strings of a result: this runs over all of them).
 */
export function fileText(text: string): string {
  if (!UNSAFE.test(text)) return text
  return stripControls(text).replace(/(^|[\n\r\u2028\u2029])([ \t]*):(?=:)/g, '$1$2: ')
}
