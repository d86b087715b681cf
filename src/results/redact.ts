/**
 * Secrets never reach a result, report or log. Flags that carry them are redacted from the
 * recorded command line; header values are never stored (only their names).
 */
const SECRET_FLAGS = new Set(['--api-key', '--header', '-H'])
const REDACTED = '***'

export function redactArgv(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if (SECRET_FLAGS.has(flag)) {
      if (eq > 0) out.push(`${flag}=${REDACTED}`)
      else {
        out.push(arg)
        if (i + 1 < argv.length) {
          out.push(REDACTED)
          i++
        }
      }
    } else out.push(arg)
  }
  return out
}

/** Replaces every occurrence of the given secrets in a text (error messages, excerpts). */
export function redactText(text: string, secrets: string[]): string {
  let out = text
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED)
  return out
}
