/**
 * `llmbench compare BASE NEW [more…]`: every figure of every scenario and load both hold, with its
 * change, that change's interval and a verdict (docs/verdicts.md). Exit 1 when a figure regressed,
 * 0 otherwise, 2 on bad input.
 */
import type { Argv } from 'yargs'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { compareCommandSchema, compareCommandShape, type CompareSettings } from '../options/commands.js'
import { configShape } from '../options/config.js'
import { checkFlags, flagsOf, fromFlags, withFlags } from '../options/flags.js'
import { readResultSet } from '../report/baseline.js'
import { historyDir } from '../report/history.js'
import { compareResults, type CompareOptions, type VerdictDocument } from '../verdicts/index.js'
import { renderVerdicts } from '../../reporters/verdicts.js'
import { writeJsonFile } from '../write-file.js'

const FLAGS = [...flagsOf(compareCommandShape, 'compare'), ...flagsOf(configShape, 'compare')]

export function compareCommand(y: Argv) {
  return withFlags(
    y.positional('files', { type: 'string', array: true, describe: 'The baseline, then the results to compare with it: result files, folders of repeats, history:latest or history:<id>' }),
    FLAGS,
  )
}

/** The engine's options from the settings every comparing command shares (compare, --baseline). */
export function compareOptions(s: Partial<CompareSettings>): CompareOptions {
  return {
    ...(s.tolerance ? { tolerance: s.tolerance } : {}),
    ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
    ...(s.metrics ? { figures: s.metrics } : {}),
    ...(s.primary ? { primary: s.primary } : {}),
  }
}

export async function compareHandler(a: Record<string, unknown>): Promise<number> {
  const settings = checkFlags(compareCommandSchema, fromFlags(a, flagsOf(compareCommandShape, 'compare'), compareCommandShape))
  const specs = ((a.files as unknown[] | undefined) ?? []).map(String)
  if (specs.length < 2) throw new UsageError('compare needs a baseline and at least one result: llmbench compare baseline.json new.json (or history:latest new.json)')
  const history = historyDir(process.cwd(), { dir: a.historyDir as string | undefined })
  const base = readResultSet(specs[0], history)
  const out = process.stdout
  const docs: Array<VerdictDocument & { base: string; next: string }> = []
  for (const spec of specs.slice(1)) {
    const next = readResultSet(spec, history)
    const doc = compareResults(base.results.map((r) => r.doc), next.results.map((r) => r.doc), compareOptions(settings))
    out.write(renderVerdicts(doc, { color: out.isTTY === true, base: base.label, next: next.label }) + '\n\n')
    docs.push({ base: base.label, next: next.label, ...doc })
  }
  if (settings.json) out.write(`Verdicts written to ${writeJsonFile(settings.json, docs.length === 1 ? docs[0] : { comparisons: docs })}\n`)
  return docs.some((d) => d.counts.regressed > 0) ? EXIT.OBJECTIVE_FAILED : EXIT.OK
}
