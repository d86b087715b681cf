/**
 * A result in a few numbers per scenario (src/results/digest.ts): what it ran, its headline, and
 * each level's key figures. The history page draws these over time and `llmbench serve` lists runs
 * with them (StoredRun's `digest`), so a list of runs never reads a whole result again.
 */
import { errorRate } from '../metrics/figures.js'
import type { LevelPoint, ScenarioDigest } from '../results/digest.js'
import type { AnyResult } from '../results/read.js'
import { scenarioFields, settingsLine, trendName } from '../results/scenario-fields.js'
import type { LevelSummary } from '../results/types.js'
import { runHeadline, suiteScenarioHeadline } from './headline.js'

export type { LevelPoint, ScenarioDigest }

export function digestResult(r: AnyResult): ScenarioDigest[] {
  if (r.kind === 'run') {
    const f = scenarioFields(r.doc.scenario)
    const name = trendName(f)
    return [{
      key: `run > ${name}`, name, server: f.server, model: f.model, settings: settingsLine(f), mode: f.mode,
      headline: runHeadline(r.doc).lines, levels: r.doc.levels.map((l) => levelPoint(l.summary)),
    }]
  }
  return r.doc.files.flatMap((file) =>
    file.scenarios.map((s) => {
      const f = s.options ? scenarioFields(s.options) : undefined
      return {
        key: `${s.file} > ${s.id}`, name: s.id,
        ...(f ? { server: f.server, model: f.model, settings: settingsLine(f), mode: f.mode } : {}),
        headline: suiteScenarioHeadline(s, r.doc.interrupted).lines,
        levels: s.levels.map((l) => levelPoint(l.summary)),
      }
    }),
  )
}

export function levelPoint(s: LevelSummary): LevelPoint {
  const p: LevelPoint = {
    kind: s.load.kind,
    load: s.load.value,
    outputTokensPerSec: s.throughput.outputTokensPerSec,
    requestsPerSec: s.throughput.requestsPerSec,
    errorRate: errorRate(s),
  }
  if (s.stats.ttft) [p.ttftP50, p.ttftP99] = [s.stats.ttft.p50, s.stats.ttft.p99]
  if (s.stats.tpot) p.tpotP50 = s.stats.tpot.p50
  if (s.stats.itl) p.itlP99 = s.stats.itl.p99
  if (s.stats.e2e) p.e2eP99 = s.stats.e2e.p99
  if (s.goodput) p.goodput = s.goodput.ratio
  return p
}

/** What `llmbench serve` keeps with a run beside its state: the digest of its result. */
export function describeResult(result: AnyResult): { digest: ScenarioDigest[] } {
  return { digest: digestResult(result) }
}
