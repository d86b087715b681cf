/** Value schemas options share: whole numbers, times, URLs, secrets, headers. */
import * as z from 'zod'
import { declarations, expecting } from './declare.js'
import { COUNT_OR_TIME_EXPECTED, COUNT_OR_TIME_PATTERN, DURATION_EXPECTED, DURATION_PATTERN, parseCountOrTime, parseDuration } from './duration.js'

export const whole = (min: number) => z.int().min(min)
export const nonEmpty = () => expecting(z.string().regex(/\S/), 'a non-empty string')
/** A list of non-empty strings, judged as a whole (`exclude must be a list of glob patterns`). */
export const textList = (what: string) => expecting(z.array(z.string()).refine((a) => a.every((t) => /\S/.test(t))), `a list of ${what}`)
export const positive = (expected = 'a number above 0') => expecting(z.number().positive(), expected)
export const milliseconds = () => positive('a number of milliseconds above 0')

/** A time: `'60s'`, `'2m'`, or a number of seconds. */
export const duration = () =>
  expecting(
    z
      .union([expecting(z.number().positive(), DURATION_EXPECTED), expecting(z.string().regex(new RegExp(DURATION_PATTERN)), DURATION_EXPECTED)])
      .refine(parses(parseDuration), { message: `must be ${DURATION_EXPECTED}` }),
    DURATION_EXPECTED,
  )

/** A count of requests, or a time at full load. */
export const countOrTime = () =>
  expecting(
    z
      .union([expecting(z.int().min(0), COUNT_OR_TIME_EXPECTED), expecting(z.string().regex(new RegExp(COUNT_OR_TIME_PATTERN)), COUNT_OR_TIME_EXPECTED)])
      .refine(parses(parseCountOrTime), { message: `must be ${COUNT_OR_TIME_EXPECTED}` }),
    COUNT_OR_TIME_EXPECTED,
  )

function parses(parse: (v: unknown) => unknown): (v: unknown) => boolean {
  return (v) => {
    try {
      parse(v)
      return true
    } catch {
      return false
    }
  }
}

const URL_EXAMPLE = 'http://127.0.0.1:8000'

/** An http(s) URL without its trailing slash, or undefined when `text` is not one. */
export function httpUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  return text.trim().replace(/\/+$/, '')
}

export const url = () => expecting(z.string().refine((s) => httpUrl(s) !== undefined), `an http:// or https:// URL such as ${URL_EXAMPLE}`)

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A secret: a literal value, or `env:NAME` read from the environment when the run starts. */
export const secret = () => {
  const s = z.string().refine((v) => !v.startsWith('env:') || ENV_NAME.test(v.slice(4)), {
    message: 'must name an environment variable after "env:", e.g. "env:OPENAI_API_KEY"',
  })
  declarations.add(s, { description: '', secret: true })
  return s
}

export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Header names to values; values may be `env:NAME` and never hold a line break. */
export const headers = () =>
  expecting(
    z.record(
      expecting(z.string().regex(HEADER_NAME), 'a header name'),
      secret().refine((v) => !/[\r\n]/.test(v), { message: 'cannot contain a line break' }),
    ),
    'an object of header names to values',
  )
