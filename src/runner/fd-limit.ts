/**
 * Every stream is a socket, and a process may only open so many files. Node cannot raise its own
 * limit, so a run that needs more says so before it starts, with the shell command that fixes it.
 */
import { readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'

/** Files besides the sockets: stdio, node's own handles, result files, a tokenizer, headroom. */
const SPARE_FILES = 64

/** The soft limit on open files (Linux), or undefined where it cannot be read. */
export function openFileLimit(limits = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(limits, 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft)
  } catch {
    return undefined
  }
}

export function checkOpenFiles(sockets: number, limit = openFileLimit()): void {
  if (limit === undefined || sockets + SPARE_FILES <= limit) return
  throw new UsageError(
    `${sockets} concurrent streams need about ${sockets + SPARE_FILES} open files, but this process may open ${limit}: ` +
      `raise the limit in the shell that runs llmbench (ulimit -n ${Math.max(65536, sockets * 2)}), or lower the concurrency`,
  )
}
