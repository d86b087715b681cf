/**
 * Which LoRA adapter each prompt of a level asks for (docs/request-kinds.md): drawn with the
 * adapters' weights from the seed, in turn, or as the dataset row says. Assigned to prompts before
 * the level starts, so a prompt used again asks for the same adapter.
 */
import { mixSeed, mulberry32 } from '../random.js'

export interface LoraSpec {
  adapters: string[]
  /** random only: weights in the order of `adapters` (any scale); default all equal. */
  weights?: number[]
  assignment: 'random' | 'round-robin' | 'dataset'
  /** `model`: the adapter's name is the request's model (vLLM, SGLang); `lora_path`: SGLang's field, model stays the base. */
  field: 'model' | 'lora_path'
}

/** The adapter of each of `count` prompts; `rows[k]` is prompt k's dataset row's own (dataset assignment; undefined: the base model). */
export function assignAdapters(spec: LoraSpec, count: number, seed: number, rows: ReadonlyArray<string | undefined> = []): Array<string | undefined> {
  const out = new Array<string | undefined>(count)
  if (spec.assignment === 'dataset') {
    for (let k = 0; k < count; k++) out[k] = rows[k]
    return out
  }
  if (spec.assignment === 'round-robin') {
    for (let k = 0; k < count; k++) out[k] = spec.adapters[k % spec.adapters.length]
    return out
  }
  const weights = spec.weights ?? spec.adapters.map(() => 1)
  const total = weights.reduce((s, w) => s + w, 0)
  const rng = mulberry32(mixSeed(seed, 0x10ba))
  for (let k = 0; k < count; k++) {
    let x = rng() * total
    let i = 0
    while (i < weights.length - 1 && x >= weights[i]) x -= weights[i++]
    // Skip zero weights at the end the loop may stop on.
    while (weights[i] === 0 && i > 0) i--
    out[k] = spec.adapters[i]
  }
  return out
}
