/**
 * The events of a finished run, rebuilt from its suite result: replaying them through the
 * dispatcher gives every reporter what it would have seen live (reports rebuilt from a JSON
 * file, merged shards). Progress events are not kept in results, so none are replayed.
 */
import type { SuiteResult } from '../src/results/suite.js'
import type { RunEvent, ScenarioRef } from '../src/results/events.js'

export function replayEvents(result: SuiteResult): RunEvent[] {
  const events: RunEvent[] = []
  for (const file of result.files) {
    events.push({ type: 'file-start', file: file.file })
    for (const s of file.scenarios) {
      const scenario: ScenarioRef = { file: s.file, id: s.id, name: s.name }
      const levels = s.options?.concurrency !== undefined ? [s.options.concurrency].flat() : s.levels.map((l) => l.summary.load.value)
      events.push({ type: 'scenario-start', scenario, levels })
      for (const { summary } of s.levels) {
        events.push({ type: 'level-start', scenario, load: summary.load, total: summary.requests.total })
        events.push({ type: 'level-end', scenario, summary })
      }
      for (const check of s.checks) events.push({ type: 'check', scenario, check })
      events.push({ type: 'scenario-end', result: s })
    }
    events.push(file.error ? { type: 'file-error', file: file.file, error: file.error } : { type: 'file-end', result: file })
  }
  return events
}
