/**
 * Per-request state while a response arrives; becomes the request's record when it ends.
 * The HTTP layer sets `readAt` at each socket read before the bytes are parsed, so every
 * event of that read carries the read's arrival time (METRICS.md, "Arrival").
 */
import { redactSecrets } from '../results/redact.js'
import type { FailureKind, OutputTokenSource, RequestRecord } from '../results/types.js'
import { countTokens } from '../data/tokenizer.js'
import type { ReplyCapture } from './reply.js'
import type { Validator } from './structured.js'

const round3 = (x: number) => Math.round(x * 1000) / 1000

/**
 * Token events whose arrival times one request stores: 1,000,000 (about 16 MB with the counts),
 * far above any real output length. Past it the request keeps counting token events (the `events`
 * count, `lastTokenAt`, hence E2E and TPOT stay right) but stops storing their times, so an
 * endless or runaway stream cannot grow memory without bound: ITL samples and the max token gap
 * then cover the first 1,000,000 events only. Counting on rather than failing the request keeps a
 * legitimate (if extreme) answer a success; the overall and idle timeouts bound it in time.
 */
export const MAX_STORED_TOKEN_EVENTS = 1_000_000

/** A token count a server sent: a finite number ≥ 0, else nothing (a malformed field is ignored). */
const tokenCount = (x: unknown): number | undefined => (typeof x === 'number' && x >= 0 && x < Infinity ? x : undefined)

export class RequestTracker {
  readAt = 0
  sentAt = 0
  firstTokenAt: number | undefined
  firstContentAt: number | undefined
  lastTokenAt: number | undefined
  readonly tokenTimes: number[] = []
  private readonly tokenCounts: number[] = []
  /** Token events seen, stored or not. */
  private tokenEvents = 0
  /** How many token events' times are stored (MAX_STORED_TOKEN_EVENTS; lower in tests). */
  maxStoredTokenEvents = MAX_STORED_TOKEN_EVENTS
  private countsKnown = true
  private cumulative: number | undefined
  private cumulativeAtLastToken = 0
  private finalCompletion: number | undefined
  private promptTokens: number | undefined
  private reasoningTokens: number | undefined
  private text = ''
  failure: { kind: FailureKind; message: string; status?: number } | undefined
  done = false
  /**
   * Set for requests whose reply is needed (reply.ts): a session carries it on, a validity check
   * reads it. Adapters feed it the visible text and tool calls.
   */
  reply: ReplyCapture | undefined
  // Request kinds (docs/request-kinds.md).
  /** The check of the answer (structured outputs); whoever sets it also sets `reply`. */
  validator: Validator | undefined
  /** Record fields known before the answer: the LoRA adapter asked for, the media sent. */
  kinds: Pick<RequestRecord, 'adapter' | 'media'> | undefined
  private reasoningEvents = 0

  constructor(
    readonly index: number,
    readonly warmup: boolean,
    readonly stream: boolean,
    readonly scheduledAt: number,
    private readonly promptTokensSent: number,
    /** False for endpoints that generate nothing (embeddings): no token is then no failure. */
    private readonly generates = true,
  ) {}

  /**
   * A token-carrying event arrived. `visible` is false for reasoning tokens. `cumulative` is the
   * server's running completion-token count on that event (continuous usage), when it sends one.
   */
  token(visible: boolean, cumulative?: number): void {
    const at = this.readAt
    if (this.firstTokenAt === undefined) this.firstTokenAt = at
    if (visible && this.firstContentAt === undefined) this.firstContentAt = at
    if (!visible) this.reasoningEvents++
    this.lastTokenAt = at
    const store = this.tokenEvents++ < this.maxStoredTokenEvents
    if (store) this.tokenTimes.push(at - this.sentAt)
    if (typeof cumulative === 'number' && cumulative >= 0 && cumulative < Infinity) {
      this.cumulative = cumulative
      // Tokens counted on earlier non-token events (a special token) belong to this one.
      if (store) this.tokenCounts.push(Math.max(1, cumulative - this.cumulativeAtLastToken))
      this.cumulativeAtLastToken = cumulative
    } else {
      this.countsKnown = false
    }
  }

  /** Running usage on an event that carried no token (for example the role-only chunk). */
  runningUsage(cumulative: number): void {
    const c = tokenCount(cumulative)
    if (c !== undefined) this.cumulative = c
  }

  /** The final usage object of the response. Values that are not counts (a server's garbage) are ignored. */
  usage(prompt: number | undefined, completion: number | undefined, reasoning?: number): void {
    if (prompt !== undefined) this.promptTokens = tokenCount(prompt) ?? this.promptTokens
    if (completion !== undefined) this.finalCompletion = tokenCount(completion) ?? this.finalCompletion
    if (reasoning !== undefined) this.reasoningTokens = tokenCount(reasoning) ?? this.reasoningTokens
  }

  /** Generated text of a non-streamed response, kept only to estimate its tokens without usage. */
  bodyText(text: string): void {
    this.text = text
  }

  /** The first failure wins: later ones are consequences. */
  fail(kind: FailureKind, message: string, status?: number): void {
    if (this.failure) return
    // A server may echo the request (its auth header) in an error: redact before it is stored.
    const text = redactSecrets(message)
    this.failure = status === undefined ? { kind, message: text } : { kind, message: text, status }
  }

  toRecord(endAt: number): RequestRecord {
    let outputTokens: number
    let source: OutputTokenSource
    if (this.finalCompletion !== undefined) {
      outputTokens = this.finalCompletion
      source = 'usage'
    } else if (this.cumulative !== undefined && this.countsKnown) {
      outputTokens = this.cumulative
      source = 'usage-continuous'
    } else if (this.stream) {
      outputTokens = this.tokenEvents
      source = 'events'
    } else {
      outputTokens = countTokens(this.text)
      source = 'estimate'
    }
    const hasToken = this.stream ? this.tokenEvents > 0 : outputTokens > 0
    if (!this.failure && !hasToken && this.generates) this.fail('empty', 'the response carried no generated token')

    const record: RequestRecord = {
      index: this.index,
      warmup: this.warmup,
      stream: this.stream,
      scheduledAt: this.scheduledAt,
      sentAt: this.sentAt,
      endAt,
      outcome: this.failure ? this.failure.kind : 'ok',
      outputTokens,
      outputTokensSource: source,
      inputTokens: this.promptTokens ?? this.promptTokensSent,
      inputTokensSource: this.promptTokens !== undefined ? 'usage' : 'prompt',
    }
    if (this.firstTokenAt !== undefined) record.firstTokenAt = this.firstTokenAt
    if (this.firstContentAt !== undefined) record.firstContentAt = this.firstContentAt
    if (this.lastTokenAt !== undefined) record.lastTokenAt = this.lastTokenAt
    if (this.failure) {
      record.error = this.failure.status === undefined
        ? { message: this.failure.message }
        : { status: this.failure.status, message: this.failure.message }
    }
    if (this.reasoningTokens !== undefined) {
      record.reasoningTokens = this.reasoningTokens
      record.reasoningTokensSource = 'usage'
    } else if (this.reasoningEvents > 0) {
      // No count from the server: each reasoning event is one token (exact for one token per event).
      record.reasoningTokens = Math.min(this.reasoningEvents, outputTokens)
      record.reasoningTokensSource = 'events'
    }
    if (this.kinds) Object.assign(record, this.kinds)
    if (this.validator && !this.failure) {
      const v = this.validator({ text: this.reply?.content ?? '', toolCalls: this.reply?.toolCalls ?? [] })
      if (v) {
        record.valid = v.valid
        if (!v.valid && v.reason) record.invalidReason = redactSecrets(v.reason)
      }
    }
    if (this.stream) {
      // Rounded in place: the tracker ends here, and a copy per request is garbage for the GC.
      const times = this.tokenTimes
      for (let i = 0; i < times.length; i++) times[i] = round3(times[i])
      record.tokenTimes = times
      if (this.countsKnown && this.tokenCounts.length > 0) record.tokenCounts = this.tokenCounts
    }
    return record
  }
}
