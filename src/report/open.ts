/** Opening a report in the user's browser, and when a reporter should. */
import { spawn } from 'node:child_process'
import { UsageError } from '../errors.js'

export const OPEN_MODES = ['always', 'never', 'on-failure'] as const
export type OpenMode = (typeof OPEN_MODES)[number]

export function openMode(value: unknown, where: string): OpenMode {
  if (value === undefined) return 'on-failure'
  if ((OPEN_MODES as readonly unknown[]).includes(value)) return value as OpenMode
  throw new UsageError(`${where}: open must be 'always', 'never' or 'on-failure', got ${JSON.stringify(value)}`)
}

/** Only on a terminal (never in CI or a pipe): a browser window nobody asked for is a nuisance. */
export function shouldOpen(mode: OpenMode, failed: boolean, out: { isTTY?: boolean } = process.stdout, env = process.env): boolean {
  if (mode === 'never' || out.isTTY !== true || env.CI) return false
  return mode === 'always' || failed
}

/** Opens a file path or URL with the system's opener; never waits for it and never throws. */
export function openInBrowser(target: string): boolean {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [target]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', target]] : ['xdg-open', [target]]
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
    return true
  } catch {
    return false
  }
}
