/**
 * The DSL's state in a worker: the file being collected, and the scenario whose assertions are
 * running. Kept on `globalThis` under a registered symbol so that a bench file which loads a second
 * copy of this module (a CommonJS build, a linked checkout) still registers into the runner's copy.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { CheckOutcome } from './types.js'
import type { CollectState } from './collected.js'

/** The scenario whose assertions callback is running: where `expect` records its checks. */
export interface CheckScope {
  /** The scenario id, for messages. */
  scenario: string
  /** The bench file as the runner named it: frames in it are preferred for locations. */
  file: string
  record(check: CheckOutcome): void
  /** False once the callback returned: a late `expect` is an error, not a silent check. */
  open: boolean
}

/** The statistic a LevelView handed out last, so `expect(view.ttft.p95)` knows its level and metric. */
export interface StatRead {
  level: number
  metric: string
  /** The property path read: `ttft.p95`, `errorRate`. */
  path: string
  value: number
  /** The statistic has no samples on that level. */
  absent: boolean
}

interface DslGlobal {
  collecting: CollectState | null
  checks: AsyncLocalStorage<CheckScope>
  lastRead: StatRead | undefined
}

const KEY = Symbol.for('llmbench.dsl.state')
const holder = globalThis as unknown as Record<symbol, DslGlobal | undefined>

export const dsl: DslGlobal = (holder[KEY] ??= {
  collecting: null,
  checks: new AsyncLocalStorage<CheckScope>(),
  lastRead: undefined,
})
