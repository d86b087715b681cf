/**
 * JSON documents written atomically (a temporary file renamed over the target), so a crash never
 * leaves half a file: the result of `llmbench run`, the suite result of `npx llmbench`, reports.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { makeDirs } from './dirs.js'
import { dirname, resolve } from 'node:path'

let tmpCounter = 0

/** Writes `text` to `file` atomically, creating its directory; returns the absolute path. */
export function writeFileAtomic(file: string, text: string): string {
  const path = resolve(file)
  makeDirs(dirname(path))
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
  return path
}

/** Writes any JSON document atomically (one-space indent, trailing newline); returns the absolute path. */
export function writeJsonFile(file: string, doc: unknown): string {
  return writeFileAtomic(file, JSON.stringify(doc, null, 1) + '\n')
}

