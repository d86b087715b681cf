/**
 * Which protocols can carry which request kinds (docs/request-kinds.md, the README's table of
 * servers): a scenario asking an endpoint for something it has no field for is refused before any
 * request, with one line naming the option and the endpoints that take it.
 */
import type { MediaSpec } from '../data/media.js'
import type { LoraSpec } from '../data/lora.js'
import { STRUCTURED_ENDPOINTS, type StructuredSpec } from './structured.js'

/** Endpoints whose requests name a model in their body (a LoRA adapter's name can stand there). */
const MODEL_FIELD = new Set(['chat', 'completions', 'responses', 'anthropic', 'embeddings', 'ollama', 'ollama-generate'])
/** SGLang's `lora_path`: its OpenAI-compatible routes and its native /generate. */
const LORA_PATH = new Set(['chat', 'completions', 'sglang'])

export interface KindsAsked {
  media?: MediaSpec
  lora?: LoraSpec
  structured?: StructuredSpec
}

/** The option path and what to say (a sentence after it) when `endpoint` cannot send what `k` asks for; undefined when it can. */
export function kindsRefusal(endpoint: string, k: KindsAsked): { path: string[]; message: string } | undefined {
  if (k.media && endpoint !== 'chat') {
    const key = k.media.images ? 'images' : 'audio'
    const media = k.media[key]!
    return { path: [key, 'dir' in media ? 'dir' : 'count'], message: `images and audio are sent as OpenAI chat content parts, by the chat endpoint only (the endpoint is ${endpoint})` }
  }
  if (k.lora) {
    if (k.lora.field === 'lora_path' && !LORA_PATH.has(endpoint)) {
      return { path: ['lora', 'field'], message: `lora_path is SGLang's field, sent by the chat, completions and sglang endpoints, not ${endpoint}: put the adapter in the model field instead` }
    }
    if (k.lora.field === 'model' && !MODEL_FIELD.has(endpoint)) {
      const fix = LORA_PATH.has(endpoint) ? "use SGLang's lora_path field (--lora-field lora_path)" : 'use chat or completions'
      return { path: ['lora', 'adapters'], message: `adapters are named in a request's model field, and ${endpoint} requests have none: ${fix}` }
    }
  }
  const s = k.structured
  if (s) {
    const can = STRUCTURED_ENDPOINTS[endpoint]
    if (!can) return { path: ['structured'], message: `structured outputs are asked for by the chat, completions and responses endpoints, not ${endpoint}` }
    if (s.tools && !can.tools) return { path: ['structured', 'tools'], message: `tools are sent by the chat and responses endpoints, not ${endpoint}` }
  }
  return undefined
}
