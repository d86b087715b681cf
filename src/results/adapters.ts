/** One LoRA adapter's part of a level (docs/request-kinds.md): its summary and its kept records, read as a level of its own. */
import type { LevelResult } from './types.js'

/** The adapters a level breaks its figures down by (the base model's name among them), in name order. */
export function levelAdapters(level: LevelResult): string[] {
  return Object.keys(level.summary.byAdapter ?? {})
}

/**
 * Adapter `name`'s requests of `level` as a level: its summary from `byAdapter`, and the kept
 * records that named it (the base model's: those that named none). Undefined when it sent none.
 */
export function adapterLevel(level: LevelResult, name: string): LevelResult | undefined {
  const summary = level.summary.byAdapter?.[name]
  if (!summary) return undefined
  const named = level.records.some((r) => r.adapter === name)
  return { summary, records: level.records.filter((r) => (named ? r.adapter === name : r.adapter === undefined)) }
}
