/** The built-in defaults, read from the declarations (options given no value by any layer take these). */
import type * as z from 'zod'
import { docOf } from './declare.js'

/** The declared default of one option of `shape`. */
export function optionDefault(shape: Record<string, z.ZodType>, key: string): unknown {
  return structuredClone(docOf(shape[key])?.default)
}

/** Every declared default of `shape`, by key. */
export function declaredDefaults(shape: Record<string, z.ZodType>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(shape)) {
    const value = optionDefault(shape, key)
    if (value !== undefined) out[key] = value
  }
  return out
}
