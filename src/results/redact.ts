/**
 * Secrets never reach a result, report or log. Flags that carry them are redacted from the
 * recorded command line; header values are never stored (only their names). Text that may echo
 * a request (a server's error body reflecting the Authorization header, an error message) has
 * the known secrets of the run, and anything shaped like a credential, replaced by `***`.
 */
const SECRET_FLAGS = new Set(['--api-key', '--apiKey', '--header', '-H', '--token'])
const REDACTED = '***'
/** Shorter values are not redacted: they would garble every message and protect nothing. */
const MIN_SECRET_LENGTH = 4

/** The flag of an argument, for `--api-key`, `--api-key=v`, `-H`, `-Hv`. */
function secretFlagOf(arg: string): { flag: string; inline?: string } | undefined {
  const eq = arg.indexOf('=')
  const flag = eq > 0 ? arg.slice(0, eq) : arg
  if (SECRET_FLAGS.has(flag)) return eq > 0 ? { flag, inline: arg.slice(eq + 1) } : { flag }
  if (arg.startsWith('-H') && !arg.startsWith('--') && arg.length > 2) return { flag: '-H', inline: arg.slice(arg[2] === '=' ? 3 : 2) }
  return undefined
}

export function redactArgv(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const secret = secretFlagOf(arg)
    if (!secret) {
      out.push(arg)
    } else if (secret.inline !== undefined) {
      out.push(`${secret.flag}=${REDACTED}`)
    } else {
      out.push(arg)
      if (i + 1 < argv.length) {
        out.push(REDACTED)
        i++
      }
    }
  }
  return out
}

/** The secret values a command line carries: API keys, header values (and the token after `Bearer`). */
export function secretsOfArgv(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const secret = secretFlagOf(argv[i])
    if (!secret) continue
    const value = secret.inline ?? argv[++i]
    if (value === undefined) continue
    if (secret.flag === '--header' || secret.flag === '-H') out.push(...headerSecrets(value))
    else out.push(value)
  }
  return out
}

/** A header value's secrets: the value, and its last word (`Bearer tok` → `tok`) when it has several. */
export function headerValueSecrets(value: string): string[] {
  const v = value.trim()
  const words = v.split(/\s+/)
  return words.length > 1 ? [v, words[words.length - 1]] : [v]
}

/** `Name: value` → the value's secrets. */
function headerSecrets(line: string): string[] {
  const colon = line.indexOf(':')
  return colon > 0 ? headerValueSecrets(line.slice(colon + 1)) : [line]
}

/** Replaces every occurrence of the given secrets in a text (error messages, excerpts). */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text
  // Longest first: a secret that contains another is replaced whole.
  const list = [...new Set(secrets)].filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)
  for (const s of list) if (out.includes(s)) out = out.split(s).join(REDACTED)
  return out
}

/**
 * Credentials recognisable by their shape, whoever's they are: `Bearer …` tokens,
 * values after `authorization`, `x-api-key`, `api_key`, `token`, `secret`, `password`, and
 * OpenAI- and Anthropic-style keys (`sk-…`).
 */
const SHAPED: Array<[RegExp, string]> = [
  [/\b(Bearer)(\s+)(?!\*\*\*)[A-Za-z0-9._~+/=:-]{4,}/gi, `$1$2${REDACTED}`],
  [
    /((?:proxy-)?authorization|x-api-key|api[-_]?key|access[-_]?token|auth[-_]?token|secret|password)(["']?\s*[:=]\s*["']?)(?!\*\*\*|Bearer\b)([^\s"',;}\]]{4,})/gi,
    `$1$2${REDACTED}`,
  ],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${REDACTED}`],
]

export function redactShaped(text: string): string {
  let out = text
  for (const [re, to] of SHAPED) out = out.replace(re, to)
  return out
}

/** Known secrets and credential-shaped text both redacted. */
export function redactSecrets(text: string, secrets: Iterable<string> = knownSecrets()): string {
  return redactShaped(redactText(text, secrets))
}

/**
 * Every string inside `value` (objects, arrays; deep) passed through `redact`. Returns `value`
 * itself when nothing changed, else a copy with only the changed branches copied. Numbers and
 * number arrays (token times) are walked past without copying.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string = (t) => redactSecrets(t)): T {
  const seen = new WeakMap<object, unknown>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v)
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v)) return seen.get(v)
    seen.set(v, v)
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const item = v[i]
        if (typeof item === 'number') continue
        const next = walk(item)
        if (next !== item) {
          copy ??= v.slice()
          copy[i] = next
        }
      }
      if (copy) seen.set(v, copy)
      return copy ?? v
    }
    if (v instanceof Date || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set) return v
    let copy: Record<string, unknown> | undefined
    for (const [k, item] of Object.entries(v)) {
      const next = walk(item)
      if (next !== item) {
        copy ??= Object.assign(Object.create(Object.getPrototypeOf(v)), v) as Record<string, unknown>
        copy[k] = next
      }
    }
    if (copy) seen.set(v, copy)
    return copy ?? v
  }
  return walk(value) as T
}

/**
 * The secrets this process knows (API keys and header values of the run, from flags, the
 * environment and the config), so that every place that shows or writes text can redact them.
 */
const known = new Set<string>()

export function rememberSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (typeof v === 'string' && v.trim().length >= MIN_SECRET_LENGTH) known.add(v.trim())
}

export function knownSecrets(): string[] {
  return [...known]
}

/** Names of environment variables that hold credentials by convention (OPENAI_API_KEY, HF_TOKEN…). */
const SECRET_ENV_NAME = /(?:(?:^|_)KEY|API[_-]?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i

/** Values of the environment's credential-named variables (at least 8 characters). */
export function secretsOfEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_ENV_NAME.test(name) && typeof value === 'string' && value.trim().length >= 8)
    .map(([, value]) => value!.trim())
}
