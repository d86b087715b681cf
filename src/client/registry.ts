/** Adapters by endpoint name: the one place that knows which protocols exist. */
import type { Adapter } from './adapter.js'
import { anthropicAdapter } from './anthropic.js'
import { embeddingsAdapter } from './embeddings.js'
import { chatAdapter } from './openai-chat.js'
import { completionsAdapter } from './openai-completions.js'
import { ollamaChatAdapter, ollamaGenerateAdapter } from './ollama.js'
import { responsesAdapter } from './responses.js'
import { sglangAdapter } from './sglang.js'
import { tgiAdapter } from './tgi.js'
import { tritonAdapter } from './triton.js'

const ADAPTERS: Record<string, Adapter> = {
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

/** Every endpoint a user may name: the adapters, and `auto` (ask the server, client/detect.ts). */
export const ENDPOINTS = [...Object.keys(ADAPTERS), 'auto']

export function getAdapter(endpoint: string): Adapter {
  const adapter = Object.hasOwn(ADAPTERS, endpoint) ? ADAPTERS[endpoint] : undefined
  if (!adapter) {
    throw new Error(`unknown endpoint "${endpoint}": use one of ${Object.keys(ADAPTERS).join(', ')}`)
  }
  return adapter
}
