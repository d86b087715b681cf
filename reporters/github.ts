/**
 * GitHub Actions: an `::error` workflow command per failed check, errored scenario and crashed
 * file (shown as annotations on the bench file's line), and a Markdown summary appended to
 * `$GITHUB_STEP_SUMMARY`. On by default when `GITHUB_ACTIONS=true`.
 */
import { appendFileSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { ErrorInfo, ScenarioResult, SuiteResult } from '../src/results/suite.js'
import { loadLabel } from '../src/results/labels.js'
import type { LevelSummary } from '../src/results/types.js'
import { fmt } from './format.js'
import { checkMessage, countSuite, failedChecks, formatLocation, joinCounts, mentionsLocation, stripControl } from './suite-counts.js'
import { suiteScenarioHeadline } from '../src/report/headline.js'
import type { Reporter, ReporterOptions } from './types.js'

type Location = { file: string; line?: number; column?: number }

export function createGithubReporter(options: ReporterOptions): Reporter {
  const out = options.stdout ?? process.stdout
  const env = options.env ?? process.env
  return {
    onRunEnd(result: SuiteResult) {
      const toPath = (file: string) => repoPath(options.root, env.GITHUB_WORKSPACE, file)
      const lines = githubAnnotations(result, toPath)
      if (lines.length) out.write(lines.join('\n') + '\n')
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, githubSummary(result))
    },
  }
}

/**
 * The workflow commands of a result: an `::error` per failed check, errored scenario and crashed
 * file, and a `::warning` per objective that passed with its interval across the bound (marginal).
 */
export function githubAnnotations(result: SuiteResult, toPath: (file: string) => string = (f) => f): string[] {
  const lines: string[] = []
  const at = (loc: Location, title: string, message: string, command = 'error') => {
    const props = [`file=${escapeProperty(stripControl(toPath(loc.file)))}`]
    if (loc.line !== undefined) props.push(`line=${loc.line}`)
    if (loc.column !== undefined) props.push(`col=${loc.column}`)
    props.push(`title=${escapeProperty(stripControl(title))}`)
    lines.push(`::${command} ${props.join(',')}::${escapeData(stripControl(message))}`)
  }
  const errorAt = (e: ErrorInfo, file: string, title: string) => at(e.location ?? { file }, title, e.message)
  for (const f of result.files) {
    for (const s of f.scenarios) {
      for (const c of failedChecks(s)) at(c.location ?? { file: s.file }, s.id, checkMessage(c))
      for (const c of s.checks.filter((x) => x.passed && x.marginal)) at(c.location ?? { file: s.file }, `${s.id} (marginal)`, checkMessage(c), 'warning')
      if (s.status === 'error' && s.error) errorAt(s.error, s.file, s.id)
    }
    if (f.error) errorAt(f.error, f.file, f.file)
  }
  return lines
}

/** Workflow command data: `%`, CR and LF escaped (as @actions/core does). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Workflow command property values: also `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** A bench file's path as annotations need it: relative to the repository (`$GITHUB_WORKSPACE`). */
function repoPath(root: string, workspace: string | undefined, file: string): string {
  if (!workspace) return file
  const rel = relative(workspace, resolve(root, file))
  if (rel.startsWith('..') || isAbsolute(rel)) return file
  return rel.split(sep).join('/')
}

const ICON = { passed: '✅', failed: '❌', error: '💥', skipped: '⏭️', todo: '📝' } as const

/** The Markdown step summary: counts, a table of levels per scenario, failed checks, crashed files. */
export function githubSummary(result: SuiteResult): string {
  const counts = countSuite(result)
  const md: string[] = ['## llmbench', '']
  md.push(`**Scenarios:** ${joinCounts(counts.scenarios)} · **Checks:** ${joinCounts(counts.checks)}`, '')
  if (result.interrupted) md.push('> [!WARNING]', '> The run was interrupted: results cover what ran before it stopped.', '')
  for (const f of result.files) {
    for (const s of f.scenarios) md.push(...scenarioSection(s, result.interrupted))
    if (f.error) {
      const where = f.error.location ? ` (${formatLocation(f.error.location)})` : ''
      md.push(`### 💥 ${mdText(f.file)} crashed`, '', `${mdLine(f.error.message)}${mdText(where)}`, '')
    }
  }
  return md.join('\n') + '\n'
}

function scenarioSection(s: ScenarioResult, interrupted: boolean): string[] {
  const md = [`### ${ICON[s.status]} ${mdText(`${s.file} > ${s.id}`)}`, '']
  if (s.status === 'skipped' || s.status === 'todo') return [...md, `_${s.status}_`, '']
  if (s.levels.length) {
    for (const line of suiteScenarioHeadline(s, interrupted).lines) md.push(`- ${mdText(line.text)}`)
    md.push('')
    md.push('| level | req/s | TTFT p50 (ms) | TTFT p99 (ms) | TPOT p50 (ms) | TPOT p99 (ms) | goodput | verdict |')
    md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    for (const { summary } of s.levels) md.push(levelRow(s, summary))
    md.push('')
  }
  const failed = failedChecks(s)
  if (failed.length) {
    md.push('Failed checks:', '')
    for (const c of failed) {
      const where = c.location && !mentionsLocation(checkMessage(c), c.location) ? ` (${formatLocation(c.location)})` : ''
      md.push(`- ❌ ${mdText(c.name)}: ${mdText(checkMessage(c))}${mdText(where)}`)
    }
    md.push('')
  }
  if (s.error) md.push(`Error: ${mdText(s.error.message)}`, '')
  return md
}

function levelRow(s: ScenarioResult, l: LevelSummary): string {
  const checks = s.checks.filter((c) => c.level === l.load.value)
  const verdict = !checks.length ? '—' : checks.every((c) => c.passed) ? '✅ pass' : '❌ fail'
  const cells = [
    loadLabel(l.load),
    fmt(l.throughput.requestsPerSec, 2),
    fmt(l.stats.ttft?.p50),
    fmt(l.stats.ttft?.p99),
    fmt(l.stats.tpot?.p50, 2),
    fmt(l.stats.tpot?.p99, 2),
    l.goodput ? `${(l.goodput.ratio * 100).toFixed(1)}%` : '-',
    verdict,
  ]
  return `| ${cells.join(' | ')} |`
}

/**
 * Markdown text on one line: controls removed, line breaks as spaces, and punctuation that could
 * start markup (emphasis, links, images, HTML, headings, quotes, strikethrough) or split a table
 * cell escaped with a backslash, so server or bench text renders as the characters it is.
 */
function mdText(text: string): string {
  return stripControl(text).replace(/\r?\n|\r|[\u2028\u2029]/g, ' ').replace(/[\\`*_[\]<>|#&~]/g, '\\$&')
}

/** mdText for text that opens a line: a leading list, heading or code-block marker escaped too. */
function mdLine(text: string): string {
  return mdText(text).trimStart().replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2')
}
