/** The scenario a result records: its options as written and resolved, with what was settled only at run time. */
import type { RecordedScenario } from '../options/recorded.js'
import type { ScenarioOptions } from './types.js'

/** The recorded options (config/resolve.ts), with the model and endpoint the server named and the shard this run was. */
export function recordedScenario(o: ScenarioOptions): RecordedScenario {
  if (!o.recorded) throw new Error('these scenario options were not resolved from a bench, config or flags: pass the recorded scenario yourself')
  return {
    ...o.recorded,
    model: o.model,
    endpoint: o.endpoint as RecordedScenario['endpoint'],
    ...(o.shard ? { shard: o.shard } : {}),
    ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
  }
}
