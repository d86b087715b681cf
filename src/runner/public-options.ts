/** The scenario as a result records it: its options without secrets (header names, never values; no API key). */
import type { ScenarioOptionsPublic } from '../results/types.js'
import type { ScenarioOptions } from './types.js'

/** Load-shape options copied as they are when set (none is a secret). */
const LOAD_KEYS = ['rate', 'arrival', 'burstiness', 'maxConcurrency', 'durationMs', 'warmupMs', 'cooldown', 'cooldownMs', 'ramp', 'sweep', 'prompts', 'calibrate', 'shard', 'startAt'] as const

export function publicOptions(o: ScenarioOptions): ScenarioOptionsPublic {
  const pub: ScenarioOptionsPublic = {
    server: o.server,
    model: o.model,
    endpoint: o.endpoint,
    stream: o.stream,
    concurrency: o.concurrency,
    numPrompts: o.numPrompts,
    warmup: o.warmup ?? null,
    inputLen: o.inputLen,
    outputLen: o.outputLen,
    ignoreEos: o.ignoreEos,
    includeUsage: o.includeUsage,
    continuousUsage: o.continuousUsage,
    seed: o.seed,
    timeoutMs: o.timeoutMs,
    headerNames: Object.keys(o.headers).sort(),
    body: o.body,
  }
  if (o.goodput) pub.goodput = o.goodput
  if (o.goodputMin !== undefined) pub.goodputMin = o.goodputMin
  for (const key of LOAD_KEYS) if (o[key] !== undefined) (pub as unknown as Record<string, unknown>)[key] = o[key]
  return pub
}
