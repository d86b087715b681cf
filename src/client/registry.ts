/** Adapters by endpoint name: the one place that knows which protocols exist. */
import type { Adapter } from './adapter.js'
import { chatAdapter } from './openai-chat.js'
import { completionsAdapter } from './openai-completions.js'

const ADAPTERS: Record<string, Adapter> = {
  chat: chatAdapter,
  completions: completionsAdapter,
}

export const ENDPOINTS = Object.keys(ADAPTERS)

export function getAdapter(endpoint: string): Adapter {
  const adapter = ADAPTERS[endpoint]
  if (!adapter) {
    throw new Error(`unknown endpoint "${endpoint}": use one of ${ENDPOINTS.join(', ')}`)
  }
  return adapter
}
