/**
 * Every stream is a socket, and a process may only open so many files. Node raises its soft limit
 * to the hard limit as it starts, so the limit read here is already as high as this process may
 * go: a run that needs more says so before it starts, with what raises the hard limit.
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
      `raise the hard limit (ulimit -Hn ${Math.max(65536, sockets * 2)} as root, nofile in /etc/security/limits.conf, ` +
      `LimitNOFILE= for a systemd service, --ulimit nofile= for a container), or lower the concurrency`,
  )
}
