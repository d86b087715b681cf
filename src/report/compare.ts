/**
 * Comparing runs in a report: each later result against the first, every figure of every scenario
 * and load both hold, with its interval and verdict (src/verdicts/, docs/verdicts.md). Computed
 * where the whole results are at hand (the page only draws it): the records give the intervals.
 */
import type { AnyResult } from '../results/read.js'
import { compareResults, type CompareOptions } from '../verdicts/index.js'
import type { Comparison } from './types.js'

export function compareRuns(results: AnyResult[], opts: CompareOptions = {}): Comparison {
  const [first, ...rest] = results
  return { against: rest.map((r, i) => ({ run: i + 1, ...compareResults(first.doc, r.doc, opts) })) }
}
