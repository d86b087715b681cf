// The dispatcher: events to hooks, order per reporter, and one broken reporter never hurting others.
import { describe, expect, it } from 'vitest'
import { ReporterDispatcher } from '../reporters/dispatch.js'
import { replayEvents } from '../reporters/replay.js'
import type { Reporter } from '../reporters/types.js'
import type { RunEvent } from '../src/results/events.js'
import { BROKEN_FILE, CHAT_FILE, captureStream, passing, suiteResult } from './fixtures/reporters/suite.js'

const HOOKS = ['onRunStart', 'onFileStart', 'onScenarioStart', 'onLevelStart', 'onLevelProgress', 'onLevelEnd', 'onCheck', 'onScenarioEnd', 'onFileEnd', 'onRunEnd'] as const

/** A reporter that logs every hook call, optionally after a delay. */
function recorder(delayMs = 0): Reporter & { log: Array<[string, unknown]> } {
  const log: Array<[string, unknown]> = []
  const r: Reporter & { log: typeof log } = { log }
  for (const hook of HOOKS) {
    ;(r as unknown as Record<string, unknown>)[hook] = (...args: unknown[]) => {
      if (!delayMs) return void log.push([hook, args[0]])
      return new Promise<void>((res) => setTimeout(() => (log.push([hook, args[0]]), res()), Math.random() * delayMs))
    }
  }
  return r
}

function failing(how: 'throw' | 'reject'): Reporter {
  const r: Record<string, unknown> = {}
  for (const hook of HOOKS) {
    r[hook] = how === 'throw'
      ? () => { throw new Error(`boom in ${hook}\nsecond line`) }
      : async () => { throw new Error(`async boom in ${hook}`) }
  }
  return r as Reporter
}

function allEvents(): RunEvent[] {
  const events = replayEvents(suiteResult())
  const ref = { file: CHAT_FILE, id: passing.id, name: passing.name }
  // progress events go between the first level's start and end
  const i = events.findIndex((e) => e.type === 'level-end')
  events.splice(i, 0, { type: 'level-progress', scenario: ref, load: { kind: 'concurrency', value: 1 }, done: 50, failed: 1, total: 100, ttftP50: 42 })
  return events
}

async function run(reporters: Array<{ name: string; reporter: Reporter }>) {
  const stderr = captureStream()
  const d = new ReporterDispatcher(reporters, stderr)
  const result = suiteResult()
  await d.runStart({ root: '/p', files: [CHAT_FILE, BROKEN_FILE], startedAt: result.startedAt })
  for (const e of allEvents()) d.dispatch(e)
  await d.runEnd(result)
  return { d, stderr }
}

describe('ReporterDispatcher', () => {
  it('maps each event to its hook, in order', async () => {
    const r = recorder()
    await run([{ name: 'rec', reporter: r }])
    const hooks = r.log.map(([h]) => h)
    expect(hooks[0]).toBe('onRunStart')
    expect(hooks.at(-1)).toBe('onRunEnd')
    expect(hooks.filter((h) => h === 'onLevelStart')).toHaveLength(3)
    expect(hooks.filter((h) => h === 'onLevelEnd')).toHaveLength(3)
    expect(hooks.filter((h) => h === 'onLevelProgress')).toHaveLength(1)
    expect(hooks.filter((h) => h === 'onCheck')).toHaveLength(6)
    expect(hooks.filter((h) => h === 'onScenarioEnd')).toHaveLength(5)
    expect(hooks.filter((h) => h === 'onFileStart')).toHaveLength(2)
    expect(hooks.filter((h) => h === 'onFileEnd')).toHaveLength(2)
  })

  it('turns file-error into onFileEnd with a FileResult carrying the error and the scenarios seen', () => {
    const r = recorder()
    const d = new ReporterDispatcher([{ name: 'rec', reporter: r }], captureStream())
    d.dispatch({ type: 'file-start', file: CHAT_FILE })
    d.dispatch({ type: 'scenario-end', result: passing })
    d.dispatch({ type: 'file-error', file: CHAT_FILE, error: { message: 'worker died' } })
    const [hook, file] = r.log.at(-1)!
    expect(hook).toBe('onFileEnd')
    expect(file).toMatchObject({ file: CHAT_FILE, scenarios: [passing], error: { message: 'worker died' } })
    expect((file as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0)
  })

  it('keeps each reporter\'s async hooks in order', async () => {
    const slow = recorder(5)
    const fast = recorder()
    await run([{ name: 'slow', reporter: slow }, { name: 'fast', reporter: fast }])
    expect(slow.log.map(([h]) => h)).toEqual(fast.log.map(([h]) => h))
  })

  it('isolates a throwing and a rejecting reporter: others get every event, each failure reported once', async () => {
    const before = recorder()
    const after = recorder(2)
    const alone = recorder()
    await run([{ name: 'alone', reporter: alone }])
    const { d, stderr } = await run([
      { name: 'before', reporter: before },
      { name: 'thrower', reporter: failing('throw') },
      { name: 'rejecter', reporter: failing('reject') },
      { name: 'after', reporter: after },
    ])
    const hooks = (r: { log: Array<[string, unknown]> }) => r.log.map(([h]) => h)
    expect(hooks(before)).toEqual(hooks(alone))
    expect(hooks(after)).toEqual(hooks(alone))
    expect(before.log.filter(([h]) => h === 'onCheck')).toEqual(alone.log.filter(([h]) => h === 'onCheck'))

    const lines = stderr.text.trimEnd().split('\n')
    expect(lines).toHaveLength(2 * HOOKS.length)
    expect(lines).toContain('llmbench: reporter "thrower" failed in onCheck: boom in onCheck')
    expect(lines).toContain('llmbench: reporter "rejecter" failed in onRunEnd: async boom in onRunEnd')
    expect(new Set(lines).size).toBe(lines.length)
    const calls = alone.log.length
    const total = (name: string) => d.failures.filter((f) => f.name === name).reduce((n, f) => n + f.count, 0)
    expect(total('thrower')).toBe(calls)
    expect(total('rejecter')).toBe(calls)
    expect(d.failures.find((f) => f.name === 'thrower' && f.hook === 'onCheck')?.count).toBe(6)
  })

  it('never throws from dispatch, and flush waits for pending hooks', async () => {
    let done = false
    const d = new ReporterDispatcher([
      { name: 'x', reporter: { onFileStart: () => { throw 'not an Error' } } },
      { name: 'slow', reporter: { onFileStart: () => new Promise<void>((r) => setTimeout(() => { done = true; r() }, 20)) } },
    ], captureStream())
    expect(() => d.dispatch({ type: 'file-start', file: 'a' })).not.toThrow()
    expect(done).toBe(false)
    await d.flush()
    expect(done).toBe(true)
    expect(d.failures).toEqual([{ name: 'x', hook: 'onFileStart', message: 'not an Error', count: 1 }])
  })

  it('calls hooks with the reporter as this (class instances work)', async () => {
    class Counter implements Reporter {
      n = 0
      onFileStart() { this.n++ }
    }
    const c = new Counter()
    const stderr = captureStream()
    const d = new ReporterDispatcher([{ name: 'c', reporter: c }], stderr)
    d.dispatch({ type: 'file-start', file: 'a' })
    await d.flush()
    expect(c.n).toBe(1)
    expect(stderr.text).toBe('')
  })
})
