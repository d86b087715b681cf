/**
 * Whether the server went away during a level, so a run stops instead of measuring refused
 * connections, and how to say so.
 */
import type { LevelResult } from '../results/types.js'
import { loadLabel } from '../results/labels.js'

export interface ServerGone {
  level: string
  total: number
  failed: number
  connect: number
  disconnect: number
}

/**
 * The server went away during a level when new connections were refused (at least one `connect`
 * failure: a server that is up accepts connections, however badly it answers) and either more than
 * half of the level's measured requests failed with `connect` or `disconnect`, or, on the last
 * level, every one did. A server that cuts streams but still accepts connections is measured, not
 * declared gone.
 */
export function serverWentAway(level: LevelResult, last: boolean): ServerGone | undefined {
  const s = level.summary
  const connect = s.errors.connect ?? 0
  const disconnect = s.errors.disconnect ?? 0
  const failed = connect + disconnect
  const total = s.requests.total
  if (connect === 0 || total === 0) return undefined
  if (failed * 2 > total || (last && failed === total)) return { level: loadLabel(s.load), total, failed, connect, disconnect }
  return undefined
}

/** One line: where it happened and how the level's requests ended. */
export function serverGoneText(server: string, gone: ServerGone): string {
  return (
    `the server at ${server} went away during the run: at ${gone.level}, ` +
    `${gone.failed} of ${gone.total} requests could not connect or were cut off (connect: ${gone.connect}, disconnect: ${gone.disconnect})`
  )
}

/** Refused connections in a row after which a level stops sending: the server is not there. */
export const REFUSED_IN_A_ROW = 8
