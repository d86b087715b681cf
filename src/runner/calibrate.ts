/**
 * Calibration of generated prompts against the server's tokenizer, through the `/tokenize` route
 * of vLLM and SGLang (`{model, prompt}` or `{model, messages}` → `{count, tokens, max_model_len}`).
 * Our tokenizer is a stand-in: the server may add a BOS token, apply a chat template or split
 * words differently. A few sample prompts measure how far off we are; the returned `tokenize`
 * then lets loadPrompts fit every prompt so that the server counts exactly the target.
 */
import type { PromptsSummary } from '../results/types.js'
import { describeError } from '../client/http.js'
import { BodyTooLargeError, readCapped, sizeText } from '../client/capped-body.js'
import { errorMessage } from '../client/openai-common.js'
import { RuntimeError, UsageError } from '../errors.js'
import { excerpt } from '../results/redact.js'
import { buildDraft, type Draft } from '../data/draft.js'
import { openSource } from '../data/file-source.js'
import type { ChatMessage, PromptSpec } from '../data/prompt.js'
import { fitDrafts, type Tokenize } from '../data/server-fit.js'
import { syntheticDrafts } from '../data/synthetic-set.js'
import { loadTokenizer } from '../data/tokenizer.js'
import { traceDrafts } from '../data/trace.js'

/** What a calibration found (results/types.ts: the result keeps it). */
export type CalibrationReport = NonNullable<PromptsSummary['calibration']>

export interface Calibration {
  report: CalibrationReport
  /** For loadPrompts' options, with `offset`. */
  tokenize: Tokenize
  offset: number
}

export interface CalibrateOptions {
  /** Sample prompts measured. Default 8. */
  samples?: number
  seed?: number
  /** Count as the chat endpoint does: each prompt as its messages (a lone user message when none). */
  chat?: boolean
  headers?: Record<string, string>
  /** Per /tokenize call, ms. Default 10 s. */
  timeoutMs?: number
}

/**
 * The most a /tokenize answer may take: its token list has at most one id (8 bytes of JSON) per
 * byte of the prompt, plus room for the rest. A larger answer is no token count.
 */
function maxAnswerBytes(requestBytes: number): number {
  return 1024 * 1024 + 8 * requestBytes
}

/** Statuses of a server without a usable /tokenize: calibration is skipped, not failed. */
const ABSENT = new Set([404, 405, 501])

/**
 * Null when the server has no /tokenize. Synthetic specs and traces only: a dataset file's prompts
 * are the file's text and cannot be fitted.
 */
export async function calibrateSynthetic(server: string, model: string, spec: PromptSpec, options: CalibrateOptions = {}): Promise<Calibration | null> {
  const url = server.replace(/\/+$/, '').replace(/\/v1$/, '') + '/tokenize'
  const mode = options.chat ? 'chat' : 'prompt'
  let absent = false
  let requests = 0
  const ask = async (text: string, messages?: ChatMessage[]): Promise<number> => {
    requests++
    const body = mode === 'chat' ? { model, messages: messages ?? [{ role: 'user', content: text }] } : { model, prompt: text }
    const count = await tokenizeCall(url, body, options)
    if (count === null) absent = true
    return count ?? 0
  }
  const tok = loadTokenizer(spec.tokenizer)
  const samples = options.samples ?? 8
  const drafts = sampleDrafts(spec, samples, options.seed ?? 0)
  const offsets: number[] = []
  for (const d of drafts) {
    const p = buildDraft(tok, d)
    const served = await ask(p.text, p.messages)
    if (absent) return null
    offsets.push(served - d.target)
  }
  const offset = median(offsets)
  // Fresh drafts: a fit must start from the same words loadPrompts will use.
  const fitted = await fitDrafts(sampleDrafts(spec, samples, options.seed ?? 0), tok, ask, offset)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  return {
    report: {
      url,
      model,
      mode,
      samples: drafts.length,
      target: mean(drafts.map((d) => d.target)),
      meanOffsetBefore: mean(offsets),
      offset,
      exactAfter: fitted.filter((f) => f.exact).length,
      requests,
    },
    tokenize: ask,
    offset,
  }

  function sampleDrafts(s: PromptSpec, count: number, seed: number): Draft[] {
    if (s.kind === 'synthetic') return syntheticDrafts(s, count, seed, tok)
    const source = s.format === 'trace' ? openSource(s) : undefined
    if (source?.format !== 'trace') throw new UsageError(`calibration applies to synthetic prompts and traces, not to a ${s.format} dataset: its prompts are the file's text`)
    return traceDrafts(source, s, Math.min(count, source.lines.length), seed, tok)
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2)
}

/** The server's count, or null when it has no /tokenize route. */
async function tokenizeCall(url: string, body: object, options: CalibrateOptions): Promise<number | null> {
  const timeout = options.timeoutMs ?? 10_000
  let status: number
  let text: string
  const json = JSON.stringify(body)
  const cap = maxAnswerBytes(Buffer.byteLength(json))
  try {
    // undici loads on first use, not with every command (docs/performance.md, Start-up).
    const res = await (await import('undici')).request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: json,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    })
    status = res.statusCode
    text = await readCapped(res.body, cap)
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new RuntimeError(`calibration: POST ${url} answered with more than ${sizeText(cap)} for a prompt of ${sizeText(json.length)}: not a token count`)
    throw new RuntimeError(`calibration: POST ${url} failed: ${describeError(err as Error)}`)
  }
  let o: Record<string, any> | undefined
  try {
    o = JSON.parse(text)
  } catch {
    o = undefined
  }
  // vLLM answers an unknown model with a 404 too, but with an API error body, not FastAPI's
  // {"detail": "Not Found"}: that one is a mistake to report, not a missing route.
  const apiError = o && typeof o === 'object' ? errorMessage(o) : undefined
  if (ABSENT.has(status) && apiError === undefined) return null
  if (status < 200 || status > 299) throw new RuntimeError(`calibration: POST ${url} answered ${status}: ${excerpt((apiError ?? text).replace(/\s+/g, ' '), 200)}`)
  if (!o) throw new RuntimeError(`calibration: POST ${url} answered ${status} with a body that is not JSON: ${excerpt(text, 120)}`)
  if (typeof o?.count === 'number') return o.count
  if (Array.isArray(o?.tokens)) return o.tokens.length
  throw new RuntimeError(`calibration: POST ${url} answered without "count" or "tokens": ${excerpt(text, 120)}`)
}
