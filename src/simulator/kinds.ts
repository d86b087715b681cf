/**
 * The request kinds an OpenAI-style request may carry to the simulator (docs/request-kinds.md):
 * a LoRA adapter (as its model or SGLang's `lora_path`), images and audio (their prompt tokens),
 * and a structured output to answer with.
 */
import type { Quirk, ResolvedOptions } from './options.js'
import { receivedMedia, type ReceivedMedia } from './media.js'
import { idHash, structuredAsk, structuredText, takesInput, type StructuredAsk } from './structured.js'
import { mixSeed, mulberry32 } from '../random.js'
import type { TraceEntry } from './stats.js'

export interface RequestKinds {
  /** The adapter the request named (its model, or lora_path). */
  adapter?: string
  media?: ReceivedMedia
  structured?: StructuredAsk
}

/** What the protocol answers instead: 404 for a model it does not serve, 400 for what it cannot read. */
export interface Refusal { refuse: 400 | 404; message: string; model?: string }

/** The model or adapter a body names; a model the server does not serve is refused. */
export function servedAdapter(b: Record<string, unknown>, o: ResolvedOptions): { adapter?: string } | Refusal {
  let adapter: string | undefined
  if (b.model !== undefined && b.model !== o.model) {
    if (typeof b.model !== 'string' || !o.loraModules.includes(b.model)) return { refuse: 404, message: `The model \`${String(b.model)}\` does not exist.`, model: String(b.model) }
    adapter = b.model
  }
  if (b.lora_path !== undefined && b.lora_path !== null) {
    if (typeof b.lora_path !== 'string' || !o.loraModules.includes(b.lora_path)) return { refuse: 400, message: `LoRA adapter \`${String(b.lora_path)}\` is not loaded.` }
    adapter = b.lora_path
  }
  return adapter !== undefined ? { adapter } : {}
}

/** The kinds of a chat or completions body (`chat`: its messages may carry media, it may offer tools). */
export function requestKinds(b: Record<string, unknown>, chat: boolean, o: ResolvedOptions): RequestKinds | Refusal {
  const served = servedAdapter(b, o)
  if ('refuse' in served) return served
  const out: RequestKinds = { ...served }
  if (chat && Array.isArray(b.messages)) {
    const media = receivedMedia(b.messages, o)
    if (media && 'error' in media) return { refuse: 400, message: media.error }
    if (media) out.media = media
  }
  const ask = structuredAsk(b, chat)
  if (ask) out.structured = ask
  return out
}

/**
 * A structured answer's setup, before its wire is made. A call of a tool whose parameters the
 * usual `{"input": text}` arguments would not fit (the call decided by tools.ts) streams as the
 * tool-calls quirk does, with the tool's name and arguments drawn to fit its parameters; a text answer to `response_format` is a JSON document. Either is
 * invalid at `invalidRate` (drawn from the request id, so arrival order does not matter).
 */
export function structuredSetup(kinds: RequestKinds | undefined, call: { name: string } | null, quirks: Set<Quirk>, o: ResolvedOptions, requestId: string | undefined, textSeed: number): { toolName?: string; text?: string } {
  const ask = kinds?.structured
  if (!ask) return {}
  // A call keeps tools.ts's `{"input": text}` arguments where they fit the tool's parameters (and
  // no answer is to be made invalid); a text answer without response_format stays words.
  const schema = call ? ask.tools?.[call.name] : undefined
  if (call ? !schema || (o.invalidRate === 0 && takesInput(schema)) : !ask.json) return {}
  const draw = mulberry32(mixSeed(o.seed, requestId ? idHash(requestId) : textSeed))
  const text = structuredText(call ? { schema } : ask.json!, textSeed, draw() < o.invalidRate)
  if (!call) return { text }
  quirks.add('tool-calls')
  return { toolName: call.name, text }
}

/** What the trace keeps of a request's kinds: its adapter, and each image's size and clip's length. */
export function traceKinds(t: TraceEntry, k: RequestKinds): void {
  if (k.adapter !== undefined) t.adapter = k.adapter
  if (k.media?.images.length) t.images = k.media.images
  if (k.media?.audio.length) t.audio = k.media.audio
}
