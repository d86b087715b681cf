/**
 * The request kinds in a run (docs/request-kinds.md): each level's prompts get their media and
 * LoRA adapter before the clock starts; each request names its adapter, carries the structured
 * output fields and its answer's check; each level ends with its energy (from the GPU power the
 * telemetry sampled over its measured window) and its cost (from the price given).
 */
import type { Prompt } from '../data/prompt.js'
import { levelMedia, mediaBytesPerPrompt } from '../data/media.js'
import { assignAdapters } from '../data/lora.js'
import { makeValidator, structuredBody, type Validator } from '../client/structured.js'
import type { RequestSpec } from '../client/adapter.js'
import type { RequestRecord, LevelSummary, TelemetrySeries } from '../results/types.js'
import { levelCost, levelEnergy } from '../metrics/cost.js'
import { promptMemoryBudget } from '../data/prompt-memory.js'
import { UsageError } from '../errors.js'
import type { ScenarioOptions } from './types.js'

/** Gives each prompt of a level its media parts and its adapter (prompt k: the same for the same seed). */
export function attachKinds(prompts: Prompt[], opts: ScenarioOptions, seed: number): void {
  const rows = prompts.map((p) => p.rowMedia)
  if (opts.media || rows.some(Boolean)) {
    const media = levelMedia(opts.media, rows, seed)
    prompts.forEach((p, k) => {
      if (media[k]) p.media = media[k]
    })
  }
  if (opts.lora) {
    const adapters = assignAdapters(opts.lora, prompts.length, seed, prompts.map((p) => p.rowLora))
    prompts.forEach((p, k) => {
      if (adapters[k] !== undefined) p.adapter = adapters[k]
    })
  }
}

/** Refuses, with one line, a level whose synthetic media would not fit in memory (they are made before it starts). */
export function checkMediaFits(opts: ScenarioOptions, prompts: number): void {
  const each = mediaBytesPerPrompt(opts.media)
  if (each === 0) return
  const budget = promptMemoryBudget()
  if (each * prompts <= budget) return
  const mb = (x: number) => `${Math.round(x / 1024 / 1024).toLocaleString('en-US')} MB`
  throw new UsageError(
    `${prompts.toLocaleString('en-US')} requests' images and audio would take about ${mb(each * prompts)} of memory to prepare, more than the ${mb(budget)} this process has: ` +
    'lower the requests per level (--num-prompts), the images per request or their size, or run timed levels (--duration), which reuse a pool of prompts',
  )
}

/** What a request of this scenario adds to its spec and its tracker, prepared once per scenario. */
export interface RequestKinds {
  /** The body: the structured output fields under the user's own. */
  body: Record<string, unknown>
  validator?: Validator
  /** The request's model, extra body and record fields for a prompt. */
  forPrompt(prompt: { adapter?: string; media?: Prompt['media'] }): { model: string; body: Record<string, unknown>; media?: RequestSpec['media']; record?: Pick<RequestRecord, 'adapter' | 'media'> }
}

export function requestKinds(opts: ScenarioOptions): RequestKinds {
  const body = opts.structured ? { ...structuredBody(opts.endpoint, opts.structured), ...opts.body } : opts.body
  const validator = opts.structured ? makeValidator(opts.structured) : undefined
  const lora = opts.lora
  return {
    body,
    ...(validator ? { validator } : {}),
    forPrompt(p) {
      const adapter = lora ? p.adapter : undefined
      const model = adapter !== undefined && lora!.field === 'model' ? adapter : opts.model
      const withPath = adapter !== undefined && lora!.field === 'lora_path' ? { ...body, lora_path: adapter } : body
      const record: Pick<RequestRecord, 'adapter' | 'media'> = {}
      if (adapter !== undefined) record.adapter = adapter
      if (p.media) record.media = p.media.sent
      return { model, body: withPath, ...(p.media ? { media: p.media.parts } : {}), ...(record.adapter !== undefined || record.media ? { record } : {}) }
    },
  }
}

/** A validity function is code: it cannot be handed to load threads, so such a scenario runs on one. */
export function needsOneThread(opts: ScenarioOptions): boolean {
  return typeof opts.structured?.check === 'function'
}

/**
 * The level's energy and cost, added to its summary. Energy comes from the GPU power series over
 * the measured window; when there are none, energy says why (only when the run asked for GPU
 * telemetry or a cost, so that a run that never looked at GPUs is not told about them).
 */
export function addLevelKinds(summary: LevelSummary, opts: ScenarioOptions, window: { start: number; end: number } | undefined, gpu: { series: TelemetrySeries[]; missing?: string } | undefined): void {
  const asked = opts.cost !== undefined || opts.telemetry?.gpu !== undefined
  let energy: LevelSummary['energy']
  if (!window) energy = { missing: 'no measured request' }
  else if (!gpu) energy = { missing: 'no GPU telemetry: telemetry is off (--no-telemetry)' }
  else if (gpu.series.length === 0 && gpu.missing) energy = { missing: gpu.missing }
  else energy = levelEnergy(gpu.series, window, summary)
  if ('joules' in energy || asked) summary.energy = energy
  if (opts.cost) {
    const cost = levelCost(opts.cost, summary)
    if (cost) summary.cost = cost
  }
}
