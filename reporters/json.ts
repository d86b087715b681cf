/** The JSON reporter: the result document, written atomically so a crash never leaves half a file. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { RunResult } from '../src/results/types.js'

export function writeJsonResult(file: string, result: RunResult): string {
  const path = resolve(file)
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(result, null, 1) + '\n')
  renameSync(tmp, path)
  return path
}
