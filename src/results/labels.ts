/** How a level's load reads in tables, progress lines and messages. */
import type { LoadSpec } from './types.js'

export function loadLabel(load: LoadSpec): string {
  const unit = load.kind === 'rate' ? ' req/s' : ''
  const shape = load.kind === 'rate' ? ` (${load.arrival === 'gamma' ? `gamma, burstiness ${load.burstiness}` : load.arrival}${load.maxConcurrency ? `, max ${load.maxConcurrency} in flight` : ''})` : ''
  if (load.ramp) return `ramp ${load.kind} ${load.ramp.from}→${load.value}${unit} over ${load.ramp.overSec} s${shape}`
  return `${load.kind} ${load.value}${unit}${shape}`
}
