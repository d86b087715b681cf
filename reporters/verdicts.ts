/**
 * A verdict document (src/verdicts/) for a terminal: its headline first, then per scenario and load
 * every figure's baseline, new value, change with its interval, and verdict. Colour only for
 * `regressed` and `improved`: `equivalent` and `inconclusive` are shown quietly.
 */
import type { FigureComparison, VerdictDocument } from '../src/verdicts/types.js'
import { formatChange } from '../src/verdicts/many.js'
import { loadLabel } from '../src/results/labels.js'
import { fmt, plain } from './format.js'

export interface VerdictRenderOptions {
  /** ANSI colours (a terminal). */
  color?: boolean
  /** What was compared, for the first line. */
  base?: string
  next?: string
}

const RED = (t: string) => `\u001b[31m${t}\u001b[39m`
const GREEN = (t: string) => `\u001b[32m${t}\u001b[39m`
const DIM = (t: string) => `\u001b[2m${t}\u001b[22m`

function value(f: FigureComparison, v: number | null): string {
  if (v === null) return '-'
  if (f.figure === 'goodput' || f.figure === 'errors.rate') return `${(v * 100).toFixed(1)}%`
  return fmt(v, v < 10 ? 2 : 1)
}

/** The verdict of one figure as its row says it: inconclusive ones with what would decide them. */
export function verdictText(f: FigureComparison): string {
  if (f.verdict !== 'inconclusive') return f.secondary ? `${f.verdict} (secondary)` : f.verdict
  const need = f.needed !== undefined && Number.isFinite(f.needed) ? `: about ${Math.ceil(f.needed).toLocaleString('en-US')} requests would decide` : f.reason ? `: ${f.reason}` : ''
  return `inconclusive${need}`
}

export function renderVerdicts(doc: VerdictDocument, opts: VerdictRenderOptions = {}): string {
  const paint = (f: FigureComparison, text: string) => {
    if (!opts.color) return text
    if (f.verdict === 'regressed' && !f.secondary) return RED(text)
    if (f.verdict === 'improved' && !f.secondary) return GREEN(text)
    return DIM(text)
  }
  const c = doc.correction
  const confidence = `${Math.round(c.familyConfidence * 100)}% confidence over ${c.tests} figure${c.tests === 1 ? '' : 's'} (${c.method === 'primary' ? `primary: ${c.primary!.join(', ')}` : 'Bonferroni'}: ${(c.perFigureConfidence * 100).toFixed(2)}% each)`
  const lines: string[] = []
  if (opts.base && opts.next) lines.push(`Comparing ${opts.next} against the baseline ${opts.base}, ${confidence}`)
  else lines.push(`Against the baseline, ${confidence}`)
  lines.push(doc.headline, '')
  for (const level of doc.levels) {
    const where = level.scenario && level.scenario !== 'run' ? `${level.name ?? level.scenario} at ` : ''
    lines.push(`${where}${loadLabel(level.load)}`)
    const t = plain(['figure', 'baseline', 'new', 'change [interval]', 'verdict'])
    for (const f of level.figures) t.push([f.figure, value(f, f.base), value(f, f.next), formatChange(f), paint(f, verdictText(f))])
    lines.push(t.toString())
    if (level.note) lines.push(`Note: ${level.note}`)
    lines.push('')
  }
  for (const u of doc.unmatched) lines.push(`Not compared: ${u.message}`)
  return lines.join('\n').trimEnd()
}
