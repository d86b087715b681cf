/**
 * Calls every reporter's hooks for each run event. Hooks of one reporter run in order (an async
 * hook finishes before that reporter's next hook starts); reporters do not wait for each other.
 * A reporter that throws or rejects is reported once per hook on stderr and otherwise ignored:
 * it never stops the run, the other reporters, or changes the exit code.
 *
 * Every hook's arguments pass through secret redaction first (src/results/redact.ts): the known
 * secrets of the run (API keys and header values from flags, the environment and the config) and
 * credential-shaped text are replaced by `***` in every string, so no reporter, built-in or
 * custom, can print or write a key a server echoed in an error body or a message carried.
 */
import type { RunEvent } from '../src/results/events.js'
import type { FileResult, ScenarioResult, SuiteResult } from '../src/results/suite.js'
import type { Reporter, RunStart } from './types.js'
import { knownSecrets, redactDeep, redactSecrets } from '../src/results/redact.js'

export interface NamedReporter {
  name: string
  reporter: Reporter
}

type Hook = keyof Reporter

export interface ReporterFailure {
  name: string
  hook: Hook
  message: string
  count: number
}

interface Entry extends NamedReporter {
  pending?: Promise<void>
}

export class ReporterDispatcher {
  private readonly entries: Entry[]
  private readonly failed = new Map<string, ReporterFailure>()
  /** Per file: when it started and the scenarios it finished, to build a FileResult on file-error. */
  private readonly files = new Map<string, { startedAt: number; scenarios: ScenarioResult[] }>()

  constructor(
    reporters: NamedReporter[],
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {
    this.entries = reporters.map((r) => ({ ...r }))
  }

  /** Every failure so far, one entry per reporter and hook, with how often it happened. */
  get failures(): ReporterFailure[] {
    return [...this.failed.values()]
  }

  /** Calls onRunStart; the promise resolves when every reporter has finished it. */
  runStart(run: RunStart): Promise<void> {
    this.call('onRunStart', run)
    return this.flush()
  }

  dispatch(event: RunEvent): void {
    switch (event.type) {
      case 'file-start':
        this.files.set(event.file, { startedAt: Date.now(), scenarios: [] })
        return this.call('onFileStart', event.file)
      case 'scenario-start':
        return this.call('onScenarioStart', event.scenario, event.levels, event.kind)
      case 'level-start':
        return this.call('onLevelStart', event.scenario, event.load, event.total)
      case 'level-progress':
        return this.call('onLevelProgress', event)
      case 'level-end':
        return this.call('onLevelEnd', event.scenario, event.summary)
      case 'check':
        return this.call('onCheck', event.scenario, event.check)
      case 'scenario-end':
        this.files.get(event.result.file)?.scenarios.push(event.result)
        return this.call('onScenarioEnd', event.result)
      case 'file-end':
        this.files.delete(event.result.file)
        return this.call('onFileEnd', event.result)
      case 'file-error': {
        const seen = this.files.get(event.file)
        this.files.delete(event.file)
        const result: FileResult = {
          file: event.file,
          scenarios: seen?.scenarios ?? [],
          error: event.error,
          durationMs: seen ? Date.now() - seen.startedAt : 0,
        }
        return this.call('onFileEnd', result)
      }
    }
  }

  /** Calls onRunEnd; the promise resolves when every pending hook has finished (never rejects). */
  runEnd(result: SuiteResult): Promise<void> {
    this.call('onRunEnd', result)
    return this.flush()
  }

  /** Resolves when every hook called so far has finished (never rejects). */
  async flush(): Promise<void> {
    while (this.entries.some((e) => e.pending)) {
      await Promise.all(this.entries.map((e) => e.pending))
    }
  }

  private call(hook: Hook, ...raw: unknown[]): void {
    const secrets = knownSecrets()
    const args = redactDeep(raw, (text) => redactSecrets(text, secrets))
    for (const entry of this.entries) {
      const fn = entry.reporter[hook] as ((...a: unknown[]) => unknown) | undefined
      if (typeof fn !== 'function') continue
      const run = (): Promise<void> | undefined => {
        try {
          const out = fn.apply(entry.reporter, args)
          if (isThenable(out)) return Promise.resolve(out).then(() => undefined, (err) => this.fail(entry, hook, err))
        } catch (err) {
          this.fail(entry, hook, err)
        }
        return undefined
      }
      const started = entry.pending ? entry.pending.then(run) : run()
      if (!started) continue
      const tracked: Promise<void> = started.then(() => {
        if (entry.pending === tracked) entry.pending = undefined
      })
      entry.pending = tracked
    }
  }

  private fail(entry: Entry, hook: Hook, err: unknown): void {
    const key = `${entry.name}\0${hook}`
    const known = this.failed.get(key)
    if (known) {
      known.count++
      return
    }
    const message = redactSecrets(errorMessage(err))
    this.failed.set(key, { name: entry.name, hook, message, count: 1 })
    try {
      this.stderr.write(`llmbench: reporter "${entry.name}" failed in ${hook}: ${message}\n`)
    } catch {
      // stderr itself is gone: nothing more to do.
    }
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
}

function errorMessage(err: unknown): string {
  let text: string
  try {
    text = err instanceof Error ? err.message : String(err)
  } catch {
    text = 'unknown error'
  }
  return text.split('\n')[0] ?? ''
}
