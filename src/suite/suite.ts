/**
 * The main side of `npx llmbench`: load the config, find the bench files, run each in a worker
 * thread (one at a time unless asked otherwise: scenarios that hit one server at once spoil each
 * other's numbers), relay the workers' events to the reporters, and decide the exit code.
 */
import { join, resolve } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { loadConfig } from '../config/index.js'
import { createReporters } from '../../reporters/registry.js'
import { ReporterDispatcher } from '../../reporters/dispatch.js'
import { machineEnvironment } from '../results/result.js'
import { SUITE_SCHEMA_VERSION, type FileResult, type SuiteResult } from '../results/suite.js'
import type { BenchOptions } from '../dsl/types.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { PACKAGE_ROOT, VERSION } from '../version.js'
import { discoverFiles } from './discover.js'
import type { RunEvent } from '../results/events.js'
import type { ListedScenario, WorkerTask } from './worker.js'
import { historyDir, type HistorySettings } from '../report/history.js'
import { createHistoryReporter } from '../../reporters/history.js'

export interface SuiteOptions {
  root: string
  configFile?: string
  filters: string[]
  namePattern?: string
  reporters?: Array<string | [string, Record<string, unknown>]>
  outputFile?: Record<string, string>
  list?: boolean
  bail?: boolean
  fileParallelism?: number
  overrides: BenchOptions
  /** A name filter that selects no scenario is a failure (exit 1) unless this is set. */
  passWithNoTests?: boolean
  stdout?: NodeJS.WritableStream
  /** `--history-dir`, `--no-history`: over the config's `history` (src/report/history.ts). */
  history?: HistorySettings
}

const WORKER = join(PACKAGE_ROOT, 'dist', 'src', 'suite', 'worker.js')

export async function runSuite(opts: SuiteOptions): Promise<number> {
  const root = resolve(opts.root)
  const { config } = await loadConfig(root, opts.configFile)
  const files = await discoverFiles(config.root, config.include, config.exclude, opts.filters)
  if (!files.length) {
    const what = opts.filters.length ? ` matching ${opts.filters.map((f) => `"${f}"`).join(', ')}` : ''
    throw new UsageError(`no bench files found${what} in ${config.root} (include: ${config.include.join(', ')}): add a *.bench.ts file or change "include" in the config`)
  }
  const parallelism = Math.max(1, opts.fileParallelism ?? config.fileParallelism ?? 1)
  const pool = new Tinypool({ filename: WORKER, maxThreads: parallelism, minThreads: 0, isolateWorkers: true })
  const task = (file: string, mode: WorkerTask['mode'], port: WorkerTask['port']): WorkerTask => ({
    mode,
    file: join(config.root, file),
    relative: file,
    root: config.root,
    configFile: opts.configFile,
    overrides: opts.overrides,
    namePattern: opts.namePattern,
    bail: opts.bail ?? Boolean(config.bail),
    port,
  })

  try {
    if (opts.list) {
      const listed = await listScenarios(pool, files, task, opts.stdout ?? process.stdout)
      return listed.code !== EXIT.OK ? listed.code : noneMatched(opts, listed.count)
    }

    const reporters = await createReporters(opts.reporters ?? config.reporters, {
      root: config.root,
      outputFile: { ...config.outputFile, ...opts.outputFile },
      stdout: opts.stdout,
    })
    const keep = historyDir(config.root, opts.history, config.history)
    // Through the dispatcher like any reporter: the saved result is redacted of the run's secrets.
    if (keep) reporters.push({ name: 'history', reporter: createHistoryReporter(keep) })
    const dispatcher = new ReporterDispatcher(reporters)
    const startedAt = new Date()
    await dispatcher.runStart({ root: config.root, files, startedAt: startedAt.toISOString() })

    const controllers = new Set<MessageChannel>()
    let interrupted = false
    const onSignal = () => {
      if (interrupted) process.exit(EXIT.INTERRUPTED)
      interrupted = true
      process.stderr.write('\nStopping: in-flight requests end as aborted; results so far are kept (Ctrl-C again to quit now).\n')
      for (const c of controllers) c.port1.postMessage({ type: 'abort' })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)

    let failedFast = false
    const runOne = async (file: string): Promise<FileResult> => {
      if (interrupted || failedFast) return { file, scenarios: [], durationMs: 0 }
      const channel = new MessageChannel()
      controllers.add(channel)
      channel.port1.on('message', (event: RunEvent) => dispatcher.dispatch(event))
      const started = performance.now()
      try {
        const signal = config.fileTimeout ? AbortSignal.timeout(config.fileTimeout * 1000) : undefined
        const result = (await pool.run(task(file, 'run', channel.port2), { transferList: [channel.port2], signal })) as FileResult
        if (opts.bail && result.scenarios.some((s) => s.status === 'failed' || s.status === 'error')) failedFast = true
        return result
      } catch (err) {
        // The worker itself died (a crash, an exit): the file fails, the run goes on.
        const e = err instanceof Error ? err : new Error(String(err))
        const message = config.fileTimeout && performance.now() - started >= config.fileTimeout * 1000
          ? `the file ran longer than fileTimeout (${config.fileTimeout} s) and was stopped`
          : `the worker running this file crashed: ${e.message}`
        const result: FileResult = { file, scenarios: [], error: { message, stack: e.stack }, durationMs: performance.now() - started }
        dispatcher.dispatch({ type: 'file-error', file, error: result.error! })
        return result
      } finally {
        await new Promise((r) => setImmediate(r)) // let the last events of the port arrive
        channel.port1.close()
        controllers.delete(channel)
      }
    }
    const results = await runLimited(files, parallelism, runOne)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)

    const suite: SuiteResult = {
      schemaVersion: SUITE_SCHEMA_VERSION,
      llmbench: { version: VERSION },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted,
      environment: machineEnvironment(),
      files: results.filter((r) => r.durationMs > 0 || r.error || r.scenarios.length),
      exitCode: 0,
    }
    const matched = suite.files.reduce((n, f) => n + f.scenarios.filter((s) => !opts.namePattern || s.id.search(new RegExp(opts.namePattern)) >= 0).length, 0)
    suite.exitCode = interrupted ? EXIT.INTERRUPTED : Math.max(exitCodeOf(suite.files), noneMatched(opts, matched))
    await dispatcher.runEnd(suite)
    return suite.exitCode
  } finally {
    await pool.destroy()
  }
}

/**
 * 3 when a file or scenario crashed, else 2 when a scenario could not run for a usage or
 * configuration error (an unknown option, an unreachable server, an unknown model), else 1 when an
 * objective or assertion failed, else 0.
 */
export function exitCodeOf(files: FileResult[]): number {
  const errors = files.flatMap((f) => [f.error, ...f.scenarios.filter((s) => s.status === 'error').map((s) => s.error ?? { message: '' })]).filter((e) => e !== undefined)
  if (errors.some((e) => !e.usage)) return EXIT.RUNTIME
  if (errors.length) return EXIT.USAGE
  if (files.some((f) => f.scenarios.some((s) => s.status === 'failed'))) return EXIT.OBJECTIVE_FAILED
  return EXIT.OK
}

async function runLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return out
}

/** A name filter (`-t`) that selects no scenario fails the run, as a test runner does, unless --pass-with-no-tests. */
function noneMatched(opts: SuiteOptions, matched: number): number {
  if (!opts.namePattern || matched > 0 || opts.passWithNoTests) return EXIT.OK
  process.stderr.write(`llmbench: no scenario matched -t ${JSON.stringify(opts.namePattern)}: check the pattern (llmbench --list shows the names), or pass --pass-with-no-tests\n`)
  return EXIT.OBJECTIVE_FAILED
}

async function listScenarios(pool: Tinypool, files: string[], task: (f: string, m: WorkerTask['mode'], p: WorkerTask['port']) => WorkerTask, out: NodeJS.WritableStream): Promise<{ code: number; count: number }> {
  let code: number = EXIT.OK
  let count = 0
  for (const file of files) {
    const channel = new MessageChannel()
    const listed = (await pool.run(task(file, 'list', channel.port2), { transferList: [channel.port2] })) as ListedScenario[] | FileResult
    channel.port1.close()
    if (!Array.isArray(listed)) {
      out.write(`${file}: ${listed.error?.message ?? 'could not be loaded'}\n`)
      code = EXIT.RUNTIME
      continue
    }
    for (const s of listed) out.write(`${file} > ${s.id}${s.mode === 'run' ? '' : ` [${s.mode}]`}\n`)
    count += listed.length
  }
  return { code, count }
}
