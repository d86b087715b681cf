/** Adapters by endpoint name: the one place that knows which protocols exist. */
import type { Adapter } from './adapter.js'
import type { AdapterEndpoint } from '../options/vocabulary.js'
import { anthropicAdapter } from './anthropic.js'
import { embeddingsAdapter } from './embeddings.js'
import { chatAdapter } from './openai-chat.js'
import { completionsAdapter } from './openai-completions.js'
import { ollamaChatAdapter, ollamaGenerateAdapter } from './ollama.js'
import { responsesAdapter } from './responses.js'
import { sglangAdapter } from './sglang.js'
import { tgiAdapter } from './tgi.js'
import { tritonAdapter } from './triton.js'

const ADAPTERS: Record<AdapterEndpoint, Adapter> = {
  chat: chatAdapter,
  completions: completionsAdapter,
  responses: responsesAdapter,
  anthropic: anthropicAdapter,
  embeddings: embeddingsAdapter,
  triton: tritonAdapter,
  tgi: tgiAdapter,
  sglang: sglangAdapter,
  ollama: ollamaChatAdapter,
  'ollama-generate': ollamaGenerateAdapter,
}

export { ENDPOINTS } from '../options/vocabulary.js'

export function getAdapter(endpoint: string): Adapter {
  const adapter = Object.hasOwn(ADAPTERS, endpoint) ? ADAPTERS[endpoint as AdapterEndpoint] : undefined
  if (!adapter) {
    throw new Error(`unknown endpoint "${endpoint}": use one of ${Object.keys(ADAPTERS).join(', ')}`)
  }
  return adapter
}
