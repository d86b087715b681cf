/**
 * Folders made one level at a time. `mkdirSync(dir, { recursive: true })` spins forever at 100%
 * CPU on a path it cannot create under some file systems (`/proc/x`: the parent exists, the mkdir
 * fails with ENOENT, and libuv tries again), so every folder llmbench writes into is made here.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** Creates `dir` and its missing parents; throws the first failure (ENOTDIR when a part is a file). */
export function makeDirs(dir: string): void {
  const missing: string[] = []
  for (let d = resolve(dir); ; ) {
    let isDir: boolean
    try {
      isDir = statSync(d).isDirectory()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      missing.push(d)
      const up = dirname(d)
      if (up === d) break
      d = up
      continue
    }
    if (!isDir) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d })
    break
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/**
 * Why `dir` cannot be a folder llmbench writes into, in a few words; undefined when it can. It is
 * created when missing, and a file is written into it and removed: permissions, read-only mounts
 * and pseudo file systems all answer the same way.
 */
export function unwritableDir(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return 'it is a file, not a folder'
  } catch {
    // missing: made below
  }
  const probe = join(dir, `.llmbench-probe-${process.pid}`)
  try {
    makeDirs(dir)
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return e.code === 'ENOTDIR' ? `${e.path ?? 'a part of it'} is a file, not a folder` : `it cannot be created or written (${e.code ?? e.message})`
  }
  return undefined
}
