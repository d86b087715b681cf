/**
 * Secrets never reach a result, report or log. Flags that carry them are redacted from the
 * recorded command line; header values are never stored (only their names). Text that may echo
 * a request (a server's error body reflecting the Authorization header, an error message) has
 * the known secrets of the run, and anything shaped like a credential (URL passwords included),
 * replaced by `***`. Values of fields named like secrets (`token`, `apiKey`, `password`… at any
 * depth: a request body) are replaced whole. Text is redacted before it is cut (excerpt), and a
 * piece at the cut that begins a secret goes too.
 *
 * What leaves the process as data (result and records files, the run store, reporters' input,
 * serve's answers) goes through redactDeep, which also removes terminal control sequences
 * (text/sanitize.ts): the files hold what the terminal shows, so a `jq -r` or `cat` of them
 * cannot replay a hostile server's escapes or GitHub workflow commands.
 */
import { fileText } from '../text/sanitize.js'

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
      out.push(redactUrlCredentials(arg))
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
    if (!secret) {
      out.push(...secretsOfUrl(argv[i]))
      continue
    }
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

/** `scheme://user:password@` keeps the user; `scheme://user@` (no password) loses it: it is often a token. */
const URL_CREDENTIALS: Array<[RegExp, string]> = [
  // Greedy to the last `@` of the authority, as URL parsers read it: a raw `@` in a password stays inside.
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):(?!\*\*\*@)[^\s/?#]*@/gi, `$1$2:${REDACTED}@`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)(?!\*\*\*@)[^\s/?#@:]+@/gi, `$1${REDACTED}@`],
]

/**
 * Credentials recognisable by their shape, whoever's they are: `Bearer …` tokens,
 * values after `authorization`, `x-api-key`, `api_key`, `token`, `secret`, `password`, URL
 * passwords (`http://user:***@host`, and a user part alone, `https://***@host`, which is often a
 * token), and OpenAI- and Anthropic-style keys (`sk-…`).
 */
const SHAPED: Array<[RegExp, string]> = [
  [/\b(Bearer)(\s+)(?!\*\*\*)[A-Za-z0-9._~+/=:-]{4,}/gi, `$1$2${REDACTED}`],
  [
    /((?:proxy-)?authorization|x-api-key|api[-_]?key|access[-_]?token|auth[-_]?token|secret|password)(["']?\s*[:=]\s*["']?)(?!\*\*\*|Bearer\b)([^\s"',;}\]]{4,})/gi,
    `$1$2${REDACTED}`,
  ],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${REDACTED}`],
  ...URL_CREDENTIALS,
]

/** A URL (or any text) with the credentials of its URLs redacted. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@')) return text
  let out = text
  for (const [re, to] of URL_CREDENTIALS) out = out.replace(re, to)
  return out
}

/**
 * The secrets a URL carries in its userinfo: the password (as written and decoded), a user part
 * standing alone, and the `user:password` pair in base64 (an `Authorization: Basic` a server may echo).
 */
export function secretsOfUrl(text: string): string[] {
  if (!text.includes('@') || !text.includes('://')) return []
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return []
  }
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v)
    } catch {
      return v
    }
  }
  if (!url.password) return url.username ? [url.username, decode(url.username)] : []
  const user = decode(url.username)
  const password = decode(url.password)
  return [url.password, password, Buffer.from(`${user}:${password}`).toString('base64')]
}

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
 * The secrets of what a run sends: its API key, header values (headerValueSecrets), the
 * credentials of its server URL and the secret-named fields of its request body.
 */
export function requestSecrets(o: { server?: string; apiKey?: string; headers?: Record<string, string>; body?: unknown }): string[] {
  return [
    ...(o.apiKey ? [o.apiKey] : []),
    ...Object.values(o.headers ?? {}).flatMap(headerValueSecrets),
    ...(o.server ? secretsOfUrl(o.server) : []),
    ...secretsOfFields(o.body),
  ]
}

/** Characters past an excerpt's end redacted with it: a secret this long that the cut splits is replaced whole. */
const EXCERPT_MARGIN = 4096
/** A piece at a cut this long that begins a known secret is redacted; shorter ones tell nothing. */
const MIN_CUT_PREFIX = 3
/** Credential shapes cut before they were long enough to match SHAPED. */
const SHAPED_AT_CUT: Array<[RegExp, string]> = [
  [/\b(Bearer\s+)(?!\*\*\*)[A-Za-z0-9._~+/=:-]+$/i, `$1${REDACTED}`],
  [
    /((?:proxy-)?authorization|x-api-key|api[-_]?key|access[-_]?token|auth[-_]?token|secret|password)(["']?\s*[:=]\s*["']?)(?!\*\*\*)[^\s"',;}\]]+$/i,
    `$1$2${REDACTED}`,
  ],
  [/\bsk-[A-Za-z0-9_-]*$/, `sk-${REDACTED}`],
  // `scheme://user:pa…` cut before its `@`: it may be a password (or a port; either way the rest goes).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*:[^\s/?#@]*$/i, `$1${REDACTED}`],
]

/** The end of a cut text, redacted of a secret the cut split: the beginning of a known secret, or of a credential shape. */
function redactCutEnd(text: string, secrets: Iterable<string>): string {
  let keep = text.length
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue
    // The longest beginning of `s` that the text ends with.
    for (let k = Math.min(s.length - 1, text.length); k >= MIN_CUT_PREFIX; k--) {
      if (text.endsWith(s.slice(0, k))) {
        keep = Math.min(keep, text.length - k)
        break
      }
    }
  }
  let out = keep < text.length ? text.slice(0, keep) + REDACTED : text
  for (const [re, to] of SHAPED_AT_CUT) out = out.replace(re, to)
  return out
}

/**
 * Server text cut to at most `max` characters (an error body's excerpt) without leaking a
 * secret: redacted whole first, so a secret the cut would split is still whole when it is
 * replaced; then cut; then a piece at the cut that begins a known secret or a credential shape is
 * replaced too. `truncated` says the text was already cut at its end (its source kept only its
 * first bytes), so its end is a cut as well.
 */
export function excerpt(text: string, max: number, opts: { secrets?: Iterable<string>; truncated?: boolean } = {}): string {
  const secrets = [...(opts.secrets ?? knownSecrets())]
  // Redacting a 16 MiB line to keep 120 characters of it would cost more than the request.
  const window = text.length > max + EXCERPT_MARGIN ? text.slice(0, max + EXCERPT_MARGIN) : text
  const redacted = redactSecrets(window, secrets)
  if (redacted.length <= max && !opts.truncated && window === text) return redacted
  return redactCutEnd(redacted.slice(0, max), secrets)
}

/**
 * Names of fields that hold credentials, by their last word: `token`, `apiKey`, `x-api-key`,
 * `client_secret`, `password`, `Authorization`… (`max_tokens`, `tokenTimes`, `key_count` are not).
 */
const SECRET_FIELD_WORDS = new Set(['token', 'key', 'apikey', 'secret', 'password', 'passwd', 'passphrase', 'authorization', 'auth', 'credential', 'credentials', 'cookie'])

/** Answers by name: a result has few distinct field names and a million fields. */
const fieldNames = new Map<string, boolean>()

export function isSecretFieldName(name: string): boolean {
  let secret = fieldNames.get(name)
  if (secret === undefined) {
    const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)
    secret = words.length > 0 && SECRET_FIELD_WORDS.has(words[words.length - 1])
    if (fieldNames.size < 10_000) fieldNames.set(name, secret)
  }
  return secret
}

/** The string values of secret-named fields anywhere in `value` (a request body), to redact wherever they are echoed. */
export function secretsOfFields(value: unknown): string[] {
  const out: string[] = []
  const seen = new Set<object>()
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string') {
      if (secret) out.push(v)
      return
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return
    seen.add(v)
    if (Array.isArray(v)) for (const item of v) walk(item, secret)
    else for (const [k, item] of Object.entries(v)) walk(item, isSecretFieldName(k))
  }
  walk(value, false)
  return out
}

/** Strings up to this long are redacted once per redactDeep call however often they occur. */
const MEMO_MAX_CHARS = 64

/**
 * Every string inside `value` (objects, arrays; deep) made fit to leave the process: passed
 * through `redact`, then stripped of terminal control sequences (fileText); the string values of
 * secret-named fields (isSecretFieldName) replaced whole. Returns `value` itself when nothing
 * changed, else a copy with only the changed branches copied. Numbers and number arrays (token
 * times) are walked past without copying. For results, records and stored runs: report data,
 * whose `key` fields name figures, is built from redacted results instead.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string = (t) => redactSecrets(t)): T {
  // An array's strings are redacted whole under a secret-named field: its copies are kept apart.
  const seenAs = [new WeakMap<object, unknown>(), new WeakMap<object, unknown>()]
  // Records repeat a few short strings thousands of times ('ok', 'usage', 'prompt'): each is
  // redacted once per call (`redact` is a pure function of the text).
  const memo = new Map<string, string>()
  const clean = (v: string): string => {
    if (v.length > MEMO_MAX_CHARS) return fileText(redact(v))
    let out = memo.get(v)
    if (out === undefined) memo.set(v, (out = fileText(redact(v))))
    return out
  }
  const walk = (v: unknown, secret: boolean): unknown => {
    if (typeof v === 'string') return secret && v !== '' ? REDACTED : clean(v)
    if (v === null || typeof v !== 'object') return v
    const seen = seenAs[secret && Array.isArray(v) ? 1 : 0]
    if (seen.has(v)) return seen.get(v)
    seen.set(v, v)
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const item = v[i]
        if (typeof item === 'number') continue
        const next = walk(item, secret)
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
      const next = walk(item, isSecretFieldName(k))
      if (next !== item) {
        copy ??= Object.assign(Object.create(Object.getPrototypeOf(v)), v) as Record<string, unknown>
        copy[k] = next
      }
    }
    if (copy) seen.set(v, copy)
    return copy ?? v
  }
  return walk(value, false) as T
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
