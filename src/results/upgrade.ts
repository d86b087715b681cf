/**
 * Results written by earlier versions, read as today's: schemaVersion 1 recorded the scenario under
 * the runner's names (`numPrompts`, `inputLen`, `timeoutMs`, a PromptSpec, …); version 2 records the
 * options as a bench file writes them (options/recorded.ts). The old names map one to one.
 */
import type { RecordedScenario } from '../options/recorded.js'
import { REDACTED } from '../options/recorded.js'

type Old = Record<string, any>

const ms = (v: number) => `${v}ms`

/** A version-1 scenario as version 2 records it. */
export function scenarioFromV1(s: Old): RecordedScenario {
  const out: Old = {
    server: s.server,
    model: s.model,
    endpoint: s.endpoint,
    stream: s.stream,
    concurrency: s.concurrency,
    requests: s.numPrompts,
    input: { tokens: s.inputLen },
    output: { tokens: s.outputLen },
    ignoreEos: s.ignoreEos,
    includeUsage: s.includeUsage,
    continuousUsage: s.continuousUsage,
    timeout: s.timeoutMs,
    seed: s.seed,
    headers: Object.fromEntries(((s.headerNames as string[] | undefined) ?? []).map((n) => [n, REDACTED])),
    body: s.body ?? {},
  }
  const copy = ['rate', 'burstiness', 'maxConcurrency', 'calibrate', 'shard', 'startAt'] as const
  for (const k of copy) if (s[k] !== undefined) out[k] = s[k]
  if (s.arrival !== undefined && s.arrival !== 'trace') out.arrival = s.arrival
  if (s.goodput) out.slo = { goodput: s.goodput }
  if (s.durationMs !== undefined) out.duration = ms(s.durationMs)
  if (s.warmupMs !== undefined) out.warmup = ms(s.warmupMs)
  else if (typeof s.warmup === 'number') out.warmup = s.warmup
  if (s.cooldownMs !== undefined) out.cooldown = ms(s.cooldownMs)
  else if (s.cooldown !== undefined) out.cooldown = s.cooldown
  if (s.ramp) out.ramp = { of: s.ramp.kind, from: s.ramp.from, to: s.ramp.to, over: ms(s.ramp.overMs), shape: s.ramp.shape }
  if (s.sweep) out.sweep = sweepFromV1(s.sweep)
  if (s.prompts) Object.assign(out, promptsFromV1(s.prompts))
  return out as RecordedScenario
}

function sweepFromV1(w: Old): Old {
  if (w.method === 'rates') return { method: 'rates', levels: w.levels, saturation: w.saturation }
  return {
    method: 'capacity', of: w.kind, min: w.min, start: w.start, max: w.max, factor: w.factor, resolution: w.resolution, levels: w.maxLevels,
    ...(w.maxTimeMs !== undefined ? { maxTime: ms(w.maxTimeMs) } : {}),
  }
}

function promptsFromV1(p: Old): Old {
  const tokenizer = p.tokenizer !== undefined ? { tokenizer: p.tokenizer } : {}
  if (p.kind === 'file') {
    const { kind: _k, tokenizer: _t, ...dataset } = p
    return { dataset, ...tokenizer }
  }
  const groups = p.groups ? { groups: { ...p.groups, ...(p.shuffle !== undefined ? { shuffle: p.shuffle } : {}) } } : {}
  return { input: { ...p.input, ...(p.prefix ? { prefix: p.prefix } : {}), ...groups }, output: p.output, ...tokenizer }
}

/** A version-1 run result (or records-file run line) with its scenario as version 2 records it. */
export function runFromV1<T extends { scenario?: unknown; schemaVersion?: unknown }>(doc: T): T {
  return { ...doc, ...(doc.scenario ? { scenario: scenarioFromV1(doc.scenario as Old) } : {}), ...(doc.schemaVersion !== undefined ? { schemaVersion: 2 } : {}) }
}

/** A version-1 suite result with every scenario's options as version 2 records them. */
export function suiteFromV1<T extends { files?: Array<{ scenarios?: Array<{ options?: unknown }> }> }>(doc: T): T {
  const files = (doc.files ?? []).map((f) => ({
    ...f,
    scenarios: (f.scenarios ?? []).map((s) => (s.options ? { ...s, options: scenarioFromV1(s.options as Old) } : s)),
  }))
  return { ...doc, files, schemaVersion: 2 }
}
