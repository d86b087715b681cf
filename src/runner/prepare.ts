/** What a scenario prepares before its levels: its prompts (fitted to the server) and its connection pool's size. */
import type { PromptsSummary } from '../results/types.js'
import { describePrompts } from '../data/prompts.js'
import { calibrateSynthetic } from './calibrate.js'
import type { LevelContext } from './level.js'
import type { ScenarioOptions } from './types.js'

/** The scenario's prompt source, fitted to the server's /tokenize when it has one. */
export async function preparePrompts(ctx: LevelContext): Promise<PromptsSummary> {
  const { opts } = ctx
  const summary: PromptsSummary = { source: describePrompts(ctx.spec) }
  const fittable = ctx.spec.kind === 'synthetic' || ctx.spec.format === 'trace'
  if (!fittable || opts.calibrate === false) return summary
  try {
    const chat = CHAT_ENDPOINTS.has(opts.endpoint)
    const found = await calibrateSynthetic(opts.server, opts.model, ctx.spec, { chat, headers: ctx.headers, seed: opts.seed })
    if (found) {
      ctx.calibration = found
      summary.calibration = found.report
    }
  } catch (err) {
    ctx.listener.onNotice?.(`prompt calibration skipped: ${(err as Error).message}`)
  }
  return summary
}

/** Endpoints whose server counts the prompt with its chat template. */
const CHAT_ENDPOINTS = new Set(['chat', 'responses', 'anthropic', 'ollama'])

const OPEN_LOOP_CONNECTIONS = 1024

/**
 * The pool's size: the most requests ever in flight, or for open loops without a cap a bound on
 * sockets (a request past it waits for a connection, and that wait counts as the client's lateness).
 */
export function connectionsFor(o: ScenarioOptions): number {
  if (o.maxConcurrency !== undefined) return o.maxConcurrency
  if (o.prompts?.kind === 'file' && o.prompts.format === 'trace') return OPEN_LOOP_CONNECTIONS
  if (o.sweep?.method === 'capacity') return o.sweep.kind === 'concurrency' ? o.sweep.max : OPEN_LOOP_CONNECTIONS
  if (o.sweep?.method === 'rates') return Math.max(o.sweep.saturation, OPEN_LOOP_CONNECTIONS)
  if (o.ramp) return o.ramp.kind === 'concurrency' ? Math.max(o.ramp.from, o.ramp.to) : OPEN_LOOP_CONNECTIONS
  if (o.rate?.length) return OPEN_LOOP_CONNECTIONS
  return Math.max(...o.concurrency)
}
