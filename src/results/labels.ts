/** How a level's load, and a run's lengths, read in tables, progress lines and messages. */
import type { LoadSpec, RecordedScenario, SessionEnd } from './types.js'

export function loadLabel(load: LoadSpec): string {
  const unit = load.kind === 'rate' ? ' req/s' : ''
  const shape = load.kind === 'rate' ? ` (${load.arrival === 'gamma' ? `gamma, burstiness ${load.burstiness}` : load.arrival}${load.maxConcurrency ? `, max ${load.maxConcurrency} in flight` : ''})` : ''
  const repeat = load.repeat ? ` (repeat ${load.repeat.index} of ${load.repeat.of})` : ''
  if (load.ramp) return `ramp ${load.kind} ${load.ramp.from}→${load.value}${unit} over ${load.ramp.overSec} s${shape}${repeat}`
  return `${load.kind} ${load.value}${unit}${shape}${repeat}`
}

/** A scenario's prompt and output lengths, as names of runs read: `256 in / 128 out`. */
export function scenarioLengths(o: RecordedScenario): string {
  return `${o.input?.tokens ?? '?'} in / ${o.output?.tokens ?? '?'} out`
}

/** Why sessions ended, in words: `5 ran all their turns, 1 hit the context limit`. */
const SESSION_ENDS: Record<SessionEnd, string> = {
  turns: 'ran all their turns',
  context: 'hit the context limit',
  failed: 'ended on a failed request',
  'level-end': "ended with the level's time",
  stopped: 'were stopped',
}

export function sessionEnds(endedBy: Partial<Record<SessionEnd, number>>): string {
  return Object.entries(endedBy).map(([k, v]) => `${v} ${SESSION_ENDS[k as SessionEnd] ?? k}`).join(', ')
}
