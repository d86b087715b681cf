/** The report data arranged the way the page shows it: scenarios across runs, levels by load. */
import type { ReportData, ReportLevel, ReportRun, ReportScenario } from '../../../src/report/types'
import { runColor } from './colors'

export interface RunScenario {
  /** Index into data.runs. */
  run: number
  label: string
  color: string
  scenario: ReportScenario
}

export interface ScenarioGroup {
  key: string
  name: string
  entries: RunScenario[]
}

/** Scenarios in the order they first appear, each with its occurrence in every run. */
export function scenarioGroups(runs: ReportRun[]): ScenarioGroup[] {
  const groups = new Map<string, ScenarioGroup>()
  runs.forEach((run, i) => {
    for (const s of run.scenarios) {
      let g = groups.get(s.key)
      if (!g) groups.set(s.key, (g = { key: s.key, name: s.name, entries: [] }))
      g.entries.push({ run: i, label: run.label, color: runColor(i), scenario: s })
    }
  })
  return [...groups.values()]
}

export interface Load {
  kind: 'concurrency' | 'rate'
  value: number
}

/** Distinct loads of the group, ascending; the first level's kind wins when kinds are mixed. */
export function loadsOf(group: ScenarioGroup): Load[] {
  const all = group.entries.flatMap((e) => e.scenario.levels.map((l) => l.summary.load))
  const kind = all[0]?.kind ?? 'concurrency'
  const values = [...new Set(all.filter((l) => l.kind === kind).map((l) => l.value))].sort((a, b) => a - b)
  return values.map((value) => ({ kind, value }))
}

export function levelAt(s: ReportScenario, load: Load): ReportLevel | undefined {
  return s.levels.find((l) => l.summary.load.kind === load.kind && l.summary.load.value === load.value)
}

/** A scenario is single-run when only one run has it: colours then tell percentiles apart. */
export function isOverlay(data: ReportData): boolean {
  return data.runs.length > 1
}
