/**
 * The worker side: one bench file per task, in a fresh worker thread. TypeScript bench files are
 * compiled to CommonJS by esbuild-register (registered here: a worker does not inherit the main
 * thread's hooks), collected, then run scenario by scenario; events stream back over a port.
 */
import { createRequire } from 'node:module'
import type { MessagePort } from 'node:worker_threads'
import { register } from 'esbuild-register/dist/node'
import { collect, planFile, runFile, toErrorInfo, validateObjectives } from '../dsl/index.js'
import { loadConfig, resolveScenario } from '../config/index.js'
import { median } from '../metrics/stats.js'
import { recordedScenario } from '../runner/recorded.js'
import type { FileResult } from '../results/suite.js'
import type { BenchOptions } from '../dsl/types.js'
import { runScenario, type LevelStart } from '../runner/scenario.js'
import { levelKind, levelValues } from '../load/levels.js'
import type { LoadSpec } from '../results/types.js'
import { detectServer } from '../client/detect.js'
import type { RunEvent, ScenarioRef } from '../results/events.js'
import { baselinePath, NoBaselineYet, readResultSet, type ResultSet } from '../report/baseline.js'
import { historyDir, type HistorySettings } from '../report/history.js'
import { regressionObjectives } from '../dsl/objectives.js'
import type { CompareOptions } from '../verdicts/index.js'
import { baselineChecks } from './baseline-checks.js'

export interface WorkerTask {
  mode: 'run' | 'list'
  /** Absolute path of the bench file. */
  file: string
  /** The file as reported: relative to the root. */
  relative: string
  root: string
  configFile?: string
  overrides: BenchOptions
  /** `--tolerance`, `--primary`: how scenarios compare with their baseline. */
  compare?: CompareOptions
  /** `--history-dir`, `--no-history`: where `history:` baselines are read. */
  history?: HistorySettings
  namePattern?: string
  bail: boolean
  port: MessagePort
}

export interface ListedScenario {
  id: string
  mode: string
  levels?: number[]
}

const PROGRESS_EVERY_MS = 200

export default async function runTask(task: WorkerTask): Promise<FileResult | ListedScenario[]> {
  process.setSourceMapsEnabled(true)
  const { unregister } = register({ format: 'cjs', target: 'node20', hookIgnoreNodeModules: true })
  const abort = new AbortController()
  task.port.on('message', (m: { type?: string }) => {
    if (m?.type === 'abort') abort.abort()
  })
  const emit = (event: RunEvent) => task.port.postMessage(event)
  const started = performance.now()
  try {
    const { config } = await loadConfig(task.root, task.configFile)
    const require = createRequire(task.file)
    let collected
    try {
      collected = await collect(() => require(task.file), task.relative)
    } catch (err) {
      return fileError(task, err, started)
    }
    if (task.mode === 'list') {
      const plan = planFile(collected)
      const pattern = task.namePattern ? new RegExp(task.namePattern) : undefined
      return collected.benches.filter((b) => !pattern || b.id.search(pattern) >= 0).map((b) => ({ id: b.id, mode: plan.get(b) ?? 'run' }))
    }

    const baselines = new Map<string, ResultSet>()
    emit({ type: 'file-start', file: task.relative })
    const result = await runFile(collected, {
      emit,
      bail: task.bail,
      signal: abort.signal,
      namePattern: task.namePattern ? new RegExp(task.namePattern) : undefined,
      levels: (options, ref) => {
        const resolved = resolveScenario(options, config, task.overrides, { file: task.relative, scenario: ref.id })
        // A sweep chooses its levels as it goes: objectives are checked against those it ran.
        return resolved.sweep ? undefined : { values: levelValues(resolved), kind: levelKind(resolved) }
      },
      compare(bench, ref, levels, options) {
        const objectives = regressionObjectives(bench.options.slo)
        // Nothing to compare with yet (no baseline named, or an empty history): said, never failed.
        const none = (why: string) => [{ name: 'no baseline', kind: 'objective' as const, passed: true, message: `${ref.id}: ${why}: its regression objectives were not checked` }]
        if (!options.baseline) return objectives.length ? none('no baseline to compare with (set baseline in the bench options or the config, or pass --baseline)') : []
        const spec = options.baseline
        let set = baselines.get(spec)
        try {
          set ??= readResultSet(baselinePath(spec, config.root), historyDir(config.root, task.history, config.history))
        } catch (err) {
          if (err instanceof NoBaselineYet) return none(err.message.split(':').slice(0, 2).join(':'))
          throw err
        }
        baselines.set(spec, set)
        return baselineChecks(set, ref, levels, objectives, task.compare ?? {}, bench.location)
      },
      async run(bench, ref) {
        const options = resolveScenario(bench.options, config, task.overrides, { file: task.relative, scenario: ref.id })
        if (options.endpoint === 'auto') options.endpoint = (await detectServer(options.server, options.headers)).endpoint
        if (bench.options.slo && !options.sweep) validateObjectives(bench.options.slo, levelValues(options), { stream: options.stream })
        const { levels, ...more } = await runScenario(options, progressListener(ref, emit), abort.signal)
        return { options: recordedScenario(options), levels, ...more }
      },
    })
    emit({ type: 'file-end', result })
    return result
  } catch (err) {
    return fileError(task, err, started)
  } finally {
    unregister()
    task.port.close()
  }
}

function fileError(task: WorkerTask, err: unknown, started: number): FileResult {
  const error = toErrorInfo(err, task.relative)
  // A syntax error comes from esbuild, with its location beside the message rather than in a stack.
  const syntax = (err as { errors?: Array<{ text?: string; location?: { line: number; column: number } | null }> }).errors?.[0]
  if (syntax?.location) {
    error.location = { file: task.relative, line: syntax.location.line, column: syntax.location.column + 1 }
    if (syntax.text) error.message = `syntax error: ${syntax.text}`
  }
  task.port.postMessage({ type: 'file-error', file: task.relative, error } satisfies RunEvent)
  return { file: task.relative, scenarios: [], error, durationMs: performance.now() - started }
}

/** Level events for the main thread, with progress at most every 200 ms. */
function progressListener(scenario: ScenarioRef, emit: (e: RunEvent) => void) {
  let done = 0
  let failed = 0
  let total = 0
  let load: LoadSpec = { kind: 'concurrency', value: 0 }
  let last = 0
  let ttfts: number[] = []
  return {
    onWarmupEnd(l: LevelStart) {
      load = l.plan.load
      total = l.total ?? 0
      done = failed = 0
      ttfts = []
      emit({ type: 'level-start', scenario, load, total, ...(l.durationSec !== undefined ? { durationSec: l.durationSec } : {}) })
    },
    onRecord(r: { outcome: string; firstTokenAt?: number; sentAt: number }) {
      if (r.outcome === 'aborted') return // cut by Ctrl-C: not a request of the figures
      done++
      if (r.outcome !== 'ok') failed++
      else if (r.firstTokenAt !== undefined) ttfts.push(r.firstTokenAt - r.sentAt)
      const t = performance.now()
      if (t - last < PROGRESS_EVERY_MS && done < total) return
      last = t
      const ttftP50 = ttfts.length ? median(ttfts) : undefined
      emit({ type: 'level-progress', scenario, load, done, failed, total, ttftP50 })
    },
    onLevelEnd(level: { summary: import('../results/types.js').LevelSummary }) {
      emit({ type: 'level-end', scenario, summary: level.summary })
    },
  }
}
