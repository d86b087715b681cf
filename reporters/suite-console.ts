/**
 * The console reporter of `npx llmbench`: live progress per level (redrawn in place on a
 * terminal, plain lines otherwise), the level tables of `llmbench run`, a pass/fail tree line per
 * scenario like Vitest, and at the end a summary across scenarios with the counts.
 */
import type { LevelSummary, LoadSpec } from '../src/results/types.js'
import { loadLabel } from '../src/results/labels.js'
import type { FileResult, ScenarioResult, SuiteResult } from '../src/results/suite.js'
import type { RunEvent, ScenarioRef } from '../src/results/events.js'
import { renderLevel, renderSummary } from './console.js'
import { fmt } from './format.js'
import { checkMessage, countSuite, failedChecks, formatLocation, joinCounts, mentionsLocation, plainText } from './suite-counts.js'
import { suiteScenarioHeadline, type HeadlineTone } from '../src/report/headline.js'
import type { Reporter, ReporterOptions, RunStart } from './types.js'
import { terminalLine } from '../src/text/sanitize.js'

const LOG_EVERY_MS = 5000
const CLEAR_LINE = '\r\x1b[2K'

const COLOURS = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1, dim: 2 } as const
type Colour = keyof typeof COLOURS

interface LevelState {
  label: string
  done: number
  failed: number
  total: number
  ttftP50?: number
  startedAt: number
  lastLog: number
}

export class SuiteConsoleReporter implements Reporter {
  private readonly out: NodeJS.WritableStream
  private readonly live: boolean
  private readonly colour: boolean
  private level?: LevelState
  private drawn = false

  constructor(options: Pick<ReporterOptions, 'stdout' | 'env'> = {}) {
    this.out = options.stdout ?? process.stdout
    const env = options.env ?? process.env
    const tty = (this.out as { isTTY?: boolean }).isTTY === true
    this.live = tty && !env.CI
    this.colour = tty && !env.NO_COLOR && env.TERM !== 'dumb'
  }

  onRunStart(run: RunStart): void {
    const n = run.files.length
    this.write(`\n${this.paint('bold', ' RUN ')} ${n} bench file${n === 1 ? '' : 's'} in ${run.root}\n\n`)
  }

  onScenarioStart(scenario: ScenarioRef, levels: number[], kind: LoadSpec['kind'] = 'concurrency'): void {
    const unit = kind === 'rate' ? ' req/s' : ''
    const load = levels.length ? this.paint('gray', `  (${kind} ${levels.join(', ')}${unit})`) : ''
    this.write(`${this.paint('bold', terminalLine(`${scenario.file} > ${scenario.id}`))}${load}\n`)
  }

  onLevelStart(_scenario: ScenarioRef, load: LoadSpec, total: number): void {
    const now = performance.now()
    this.level = { label: loadLabel(load), done: 0, failed: 0, total, startedAt: now, lastLog: now }
    if (this.live) this.draw()
    else this.write(`  ${this.level.label}: running ${total ? `${total} requests` : 'until its time is up'}\n`)
  }

  onLevelProgress(event: Extract<RunEvent, { type: 'level-progress' }>): void {
    const l = this.level
    if (!l) return
    l.done = event.done
    l.failed = event.failed
    l.total = event.total
    if (event.ttftP50 !== undefined) l.ttftP50 = event.ttftP50
    if (this.live) return this.draw()
    const now = performance.now()
    if (now - l.lastLog < LOG_EVERY_MS) return
    l.lastLog = now
    this.write(`  ${this.progressText(l)}\n`)
  }

  onLevelEnd(_scenario: ScenarioRef, summary: LevelSummary): void {
    this.level = undefined
    this.write(renderLevel(summary) + '\n\n')
  }

  onScenarioEnd(result: ScenarioResult): void {
    // The levels were printed as they ended: across them once, when there is more than one.
    const across = result.levels.length > 1 ? renderSummary(result.levels.map((l) => l.summary)) + '\n' : ''
    this.write(across + this.tree(result) + '\n\n')
  }

  onFileEnd(result: FileResult): void {
    if (!result.error) return
    this.write(`${this.paint('red', '×')} ${terminalLine(result.file)} ${this.paint('red', '[crashed]')}\n${this.errorLines(result)}\n\n`)
  }

  onRunEnd(result: SuiteResult): void {
    this.write(this.finalSummary(result))
  }

  /** The run-end block: each scenario's headline, failures, crashed files and the counts. */
  finalSummary(result: SuiteResult): string {
    const lines: string[] = []
    for (const file of result.files) {
      for (const s of file.scenarios) {
        if (!s.levels.length) continue
        lines.push(`${this.mark(s)} ${terminalLine(`${s.file} > ${s.id}`)}`)
        for (const l of suiteScenarioHeadline(s, result.interrupted).lines) lines.push(`  ${this.tone(l.tone, terminalLine(l.text))}`)
        lines.push('')
      }
    }
    const failing = result.files.flatMap((f) => f.scenarios).filter((s) => s.status === 'failed' || s.status === 'error')
    if (failing.length) {
      lines.push(this.paint('red', `Failed scenarios (${failing.length})`))
      for (const s of failing) lines.push(this.tree(s))
      lines.push('')
    }
    const counts = countSuite(result)
    lines.push(`${label('Scenarios')}${joinCounts(counts.scenarios)}`)
    lines.push(`${label('Checks')}${joinCounts(counts.checks)}`)
    for (const f of counts.crashed) {
      const where = f.error?.location ? ` (${formatLocation(f.error.location)})` : ''
      lines.push(`${label('Crashed')}${this.paint('red', terminalLine(f.file))}: ${firstLine(plainText(f.error?.message ?? ''))}${where}`)
    }
    const ms = Date.parse(result.finishedAt) - Date.parse(result.startedAt)
    if (Number.isFinite(ms)) lines.push(`${label('Duration')}${seconds(ms)}`)
    if (result.interrupted) lines.push(this.paint('yellow', 'Interrupted: the results cover what ran before Ctrl-C.'))
    return '\n' + lines.join('\n') + '\n'
  }

  /** A scenario's tree line, with each failed check (or its error) indented below it. */
  tree(s: ScenarioResult): string {
    const name = terminalLine(`${s.file} > ${s.id}`)
    if (s.status === 'skipped' || s.status === 'todo') return `${this.mark(s)} ${this.paint('gray', `${name} [${s.status}]`)}`
    const n = s.checks.length
    const info = this.paint('gray', `${n ? ` (${n} check${n === 1 ? '' : 's'})` : ''} ${seconds(s.durationMs)}`)
    const lines = [`${this.mark(s)} ${name}${info}`]
    for (const c of failedChecks(s)) {
      lines.push(`    ${this.paint('red', '×')} ${terminalLine(c.name)}`)
      const message = plainText(checkMessage(c))
      const where = c.location && !mentionsLocation(message, c.location) ? this.paint('gray', `  (${formatLocation(c.location)})`) : ''
      lines.push(indent(`→ ${message}`, '      ') + where)
    }
    // A passed objective whose interval spans its bound: worth a look, not a failure.
    for (const c of s.checks.filter((x) => x.passed && x.marginal)) {
      lines.push(`    ${this.paint('yellow', '~')} ${terminalLine(c.name)} ${this.paint('gray', '(marginal)')}`)
    }
    if (s.error) lines.push(this.errorLines(s))
    return lines.join('\n')
  }

  private mark(s: ScenarioResult): string {
    if (s.status === 'passed') return this.paint('green', '✓')
    if (s.status === 'skipped' || s.status === 'todo') return this.paint('yellow', '↓')
    return this.paint('red', '×')
  }

  private errorLines(r: { error?: ScenarioResult['error'] }): string {
    if (!r.error) return ''
    const lines = [indent(this.paint('red', `Error: ${plainText(r.error.message)}`), '    ')]
    if (r.error.location) lines.push(`      at ${formatLocation(r.error.location)}`)
    return lines.join('\n')
  }

  private progressText(l: LevelState): string {
    const elapsed = ((performance.now() - l.startedAt) / 1000).toFixed(1)
    const ttft = l.ttftP50 !== undefined ? `  TTFT p50 ${fmt(l.ttftP50)} ms` : ''
    const failed = l.failed ? `  ${l.failed} failed` : ''
    return `${l.label}: ${l.done}/${l.total} requests  ${elapsed}s${ttft}${failed}`
  }

  private draw(): void {
    if (!this.level) return
    this.out.write(`${CLEAR_LINE}  ${this.progressText(this.level)}`)
    this.drawn = true
  }

  /** Writes text, first clearing the progress line when one is drawn. */
  private write(text: string): void {
    if (this.drawn) {
      this.out.write(CLEAR_LINE)
      this.drawn = false
    }
    this.out.write(text)
  }

  private tone(tone: HeadlineTone, text: string): string {
    return tone === 'bad' ? this.paint('red', text) : tone === 'warn' ? this.paint('yellow', text) : text
  }

  private paint(colour: Colour, text: string): string {
    return this.colour ? `\x1b[${COLOURS[colour]}m${text}\x1b[0m` : text
  }
}

export function createSuiteConsoleReporter(options: ReporterOptions): SuiteConsoleReporter {
  return new SuiteConsoleReporter(options)
}

function label(name: string): string {
  return `${name.padStart(10)}  `
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.round(ms)}ms`
}

function indent(text: string, pad: string): string {
  return text.split('\n').map((l) => pad + l).join('\n')
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}
