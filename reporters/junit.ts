/**
 * JUnit XML for CI (Jenkins, GitLab, GitHub test reporters), written when the run ends: one
 * <testsuite> per bench file, one <testcase> per check, each level's key figures as properties.
 * The output validates against reporters/junit.xsd (the common Jenkins/Ant JUnit schema).
 */
import { resolve } from 'node:path'
import type { CheckOutcome } from '../src/dsl/types.js'
import type { ErrorInfo, FileResult, ScenarioResult, SuiteResult } from '../src/results/suite.js'
import type { LevelSummary } from '../src/results/types.js'
import { writeFileAtomic } from '../src/write-file.js'
import { checkMessage, formatLocation } from './suite-counts.js'
import { stripEscapes } from '../src/text/sanitize.js'
import type { Reporter, ReporterOptions } from './types.js'

export const DEFAULT_JUNIT_FILE = 'llmbench-results/junit.xml'

interface Outcome {
  tag: 'failure' | 'error'
  message: string
  type: string
  text: string
}

interface TestCase {
  name: string
  classname: string
  seconds: number
  outcome?: Outcome
  skipped?: string
}

export function createJunitReporter(options: ReporterOptions): Reporter {
  const file = resolve(options.root, options.outputFile ?? DEFAULT_JUNIT_FILE)
  const stdout = options.stdout ?? process.stdout
  return {
    onRunEnd(result: SuiteResult) {
      writeFileAtomic(file, renderJunit(result))
      stdout.write(`JUnit report: ${file}\n`)
    },
  }
}

/** The JUnit XML document of a suite result. */
export function renderJunit(result: SuiteResult): string {
  const suites = result.files.map((f) => ({ file: f, cases: fileCases(f) }))
  const all = suites.flatMap((s) => s.cases)
  const wall = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000
  const total = Number.isFinite(wall) ? wall : result.files.reduce((t, f) => t + f.durationMs / 1000, 0)
  const timestamp = junitTimestamp(result.startedAt)
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  out.push(`<testsuites${attrs({ name: 'llmbench', ...counts(all), time: secs(total) })}>`)
  for (const { file, cases } of suites) {
    const head = attrs({ name: file.file, ...counts(cases), time: secs(file.durationMs / 1000), timestamp })
    out.push(`  <testsuite${head}>`)
    const props = properties(file)
    if (props.length) {
      out.push('    <properties>')
      for (const [name, value] of props) out.push(`      <property${attrs({ name, value })}/>`)
      out.push('    </properties>')
    }
    for (const c of cases) out.push(renderCase(c))
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return out.join('\n') + '\n'
}

function fileCases(file: FileResult): TestCase[] {
  const cases = file.scenarios.flatMap(scenarioCases)
  if (file.error) {
    cases.push({ name: file.file, classname: file.file, seconds: 0, outcome: errorOutcome(file.error, 'file-error') })
  }
  return cases
}

function scenarioCases(s: ScenarioResult): TestCase[] {
  const base = { classname: s.file }
  const cases: TestCase[] = s.checks.map((c) => ({
    ...base,
    name: [s.id, c.level !== undefined ? `concurrency ${c.level}` : undefined, c.adapter !== undefined ? `adapter ${c.adapter}` : undefined, c.name].filter((x) => x !== undefined).join(' › '),
    seconds: levelOf(s, c.level)?.durationSec ?? s.durationMs / 1000 / s.checks.length,
    outcome: c.passed ? undefined : checkOutcome(c),
  }))
  const self: TestCase = { ...base, name: s.id, seconds: cases.length ? 0 : s.durationMs / 1000 }
  if (s.status === 'skipped' || s.status === 'todo') return cases.length ? cases : [{ ...self, skipped: s.status }]
  if (s.status === 'error') return [...cases, { ...self, outcome: errorOutcome(s.error ?? { message: 'scenario failed with an error' }, 'error') }]
  if (cases.length) return cases
  if (s.status === 'failed') {
    const message = s.error?.message ?? 'scenario failed'
    return [{ ...self, outcome: { tag: 'failure', message, type: 'assertion', text: message } }]
  }
  return [self]
}

function levelOf(s: ScenarioResult, concurrency: number | undefined): LevelSummary | undefined {
  if (concurrency === undefined) return undefined
  return s.levels.find((l) => l.summary.load.value === concurrency)?.summary
}

function checkOutcome(c: CheckOutcome): Outcome {
  const text: string[] = [c.name]
  if (c.expected !== undefined) text.push(`expected: ${c.expected}`)
  if (c.actual !== undefined) text.push(`actual: ${c.actual}`)
  if (c.location) text.push(`at ${formatLocation(c.location)}`)
  return { tag: 'failure', message: checkMessage(c), type: c.kind, text: text.join('\n') }
}

function errorOutcome(e: ErrorInfo, type: string): Outcome {
  const text = e.stack ?? (e.location ? `${e.message}\n    at ${formatLocation(e.location)}` : e.message)
  return { tag: 'error', message: e.message, type, text }
}

function renderCase(c: TestCase): string {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: secs(c.seconds) })}`
  if (c.skipped) return `${head}>\n      <skipped${attrs({ message: c.skipped })}/>\n    </testcase>`
  if (!c.outcome) return `${head}/>`
  const o = c.outcome
  return `${head}>\n      <${o.tag}${attrs({ message: o.message, type: o.type })}>${xmlText(o.text)}</${o.tag}>\n    </testcase>`
}

function counts(cases: TestCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.tag === 'failure').length,
    errors: cases.filter((c) => c.outcome?.tag === 'error').length,
    skipped: cases.filter((c) => c.skipped).length,
  }
}

/**
 * Each level's key figures: `concurrency.10.ttft.p50` (or `rate.20.…`) and so on, prefixed with the scenario id
 * (`<id> › concurrency.10.ttft.p50`) when the file has more than one scenario with levels.
 */
function properties(file: FileResult): Array<[string, string]> {
  const measured = file.scenarios.filter((s) => s.levels.length)
  const props: Array<[string, string]> = []
  for (const s of measured) {
    const prefix = measured.length > 1 ? `${s.id} › ` : ''
    for (const { summary: l } of s.levels) {
      const push = (summary: LevelSummary, at: string) => {
        for (const [key, value] of keyFigures(summary)) {
          if (value !== undefined && Number.isFinite(value)) props.push([`${prefix}${at}${key}`, String(round(value))])
        }
      }
      const at = `${l.load.kind}.${l.load.value}.`
      push(l, at)
      // Every LoRA adapter's own figures: `concurrency.10.adapter.sql-lora.ttft.p50`.
      for (const [name, a] of Object.entries(l.byAdapter ?? {})) push(a, `${at}adapter.${name}.`)
    }
  }
  return props
}

/** A level's key figures, with the request kinds' when it has them (docs/request-kinds.md). */
function keyFigures(l: LevelSummary): Array<[string, number | undefined]> {
  const energy = l.energy && 'joules' in l.energy ? l.energy : undefined
  return [
    ['ttft.p50', l.stats.ttft?.p50],
    ['ttft.p99', l.stats.ttft?.p99],
    ['tpot.p50', l.stats.tpot?.p50],
    ['tpot.p99', l.stats.tpot?.p99],
    ['itl.p99', l.stats.itl?.p99],
    ['e2e.p50', l.stats.e2e?.p50],
    ['e2e.p99', l.stats.e2e?.p99],
    ['throughput.requests', l.throughput.requestsPerSec],
    ['throughput.output', l.throughput.outputTokensPerSec],
    ['requests.succeeded', l.requests.succeeded],
    ['requests.total', l.requests.total],
    ['goodput', l.goodput?.ratio],
    ['valid.rate', l.validity?.rate],
    ['invalid.count', l.validity?.invalid],
    ['reasoning.share', l.reasoning?.share],
    ['ttfc.p50', l.reasoning ? l.stats.ttfc?.p50 : undefined],
    ['energy.perOutputToken', energy?.perOutputToken],
    ['cost.perMillionOutput', l.cost?.perMillionOutput],
    ['cost.perMillionInput', l.cost?.perMillionInput],
  ]
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000
}

function secs(x: number): string {
  return (Number.isFinite(x) && x > 0 ? x : 0).toFixed(3)
}

/** Ant's timestamp form (ISO 8601 without a zone), in UTC. */
function junitTimestamp(iso: string): string | undefined {
  const t = Date.parse(iso)
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19) : undefined
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('')
}

// Characters XML 1.0 does not allow, even as references: C0 controls but tab/LF/CR, lone
// surrogates, U+FFFE/U+FFFF. ANSI colour codes go first, so they leave no printable tail.
const ILLEGAL = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text content: `&`, `<`, `>` escaped, CR kept as a reference, illegal characters removed. */
export function xmlText(text: string): string {
  return stripEscapes(text)
    .replace(ILLEGAL, '')
    .replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;')
}

/** An attribute value in double quotes: also quotes escaped, and tab/LF as references so they survive. */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}
