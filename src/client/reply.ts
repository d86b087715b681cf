/**
 * What a session needs of a reply: its text and its tool calls, exactly as the server sent them,
 * so the next turn carries the server's own words (docs/workloads.md, Sessions). Only requests
 * that ask for it carry a ReplyCapture (RequestTracker.reply); others pay one property check per
 * event.
 *
 * Text from the hot path (events recognised without JSON.parse, openai-common.ts) is kept as the
 * JSON-escaped slice of the event and decoded once at the end: one JSON.parse per reply instead of
 * one per token.
 */

export interface CapturedToolCall {
  id: string
  name: string
  /** The arguments as streamed, joined: the JSON text the model wrote. */
  arguments: string
}

export class ReplyCapture {
  private readonly escaped: string[] = []
  private decoded: string | undefined
  private readonly calls = new Map<number, { id: string; name: string; args: string[] }>()

  /** Visible text as it sits inside a JSON string (escapes kept). */
  escapedText(s: string): void {
    this.escaped.push(s)
    this.decoded = undefined
  }

  /** Visible text, decoded. */
  text(s: string): void {
    if (s) this.escapedText(JSON.stringify(s).slice(1, -1))
  }

  /** A piece of tool call `index`: its id and name when they first come, then its arguments. */
  toolCall(index: number, id?: unknown, name?: unknown, args?: unknown): void {
    let c = this.calls.get(index)
    if (!c) this.calls.set(index, (c = { id: '', name: '', args: [] }))
    if (typeof id === 'string' && id) c.id = id
    if (typeof name === 'string' && name) c.name = name
    if (typeof args === 'string' && args) c.args.push(args)
  }

  /** The reply's visible text. */
  get content(): string {
    if (this.decoded === undefined) {
      try {
        this.decoded = JSON.parse(`"${this.escaped.join('')}"`) as string
      } catch {
        // A slice cut badly (never seen from a valid event): its raw text is better than nothing.
        this.decoded = this.escaped.join('')
      }
    }
    return this.decoded
  }

  /** The tool calls, in the order of their index; unnamed ones are dropped (a call needs a name). */
  get toolCalls(): CapturedToolCall[] {
    return [...this.calls.entries()]
      .sort((a, b) => a[0] - b[0])
      .filter(([, c]) => c.name)
      .map(([index, c]) => ({ id: c.id || `call_${index}`, name: c.name, arguments: c.args.join('') }))
  }
}

/**
 * The JSON-escaped string value that follows `marker` (which ends with its opening quote) in an
 * event: up to the first quote not escaped by a backslash.
 */
export function escapedAfter(data: string, marker: string): string {
  const start = data.indexOf(marker) + marker.length
  let end = data.indexOf('"', start)
  while (end > 0) {
    let slashes = 0
    for (let k = end - 1; k >= start && data.charCodeAt(k) === 92; k--) slashes++
    if (slashes % 2 === 0) break
    end = data.indexOf('"', end + 1)
  }
  return end < 0 ? '' : data.slice(start, end)
}
