/** Where llmbench is installed, and its version, found from its package.json wherever the build lives. */
import { readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findPackage(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'))
      if (pkg.name === 'llmbench') return { root: dir, version: String(pkg.version) }
    }
    dir = dirname(dir)
  }
  throw new Error('llmbench: cannot find its own package.json')
}

const pkg = findPackage()

export const VERSION = pkg.version
/** The folder holding llmbench's package.json. */
export const PACKAGE_ROOT = pkg.root
