/** llmbench's own version, read from its package.json wherever the build was installed. */
import { readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'))
      if (pkg.name === 'llmbench') return String(pkg.version)
    }
    dir = dirname(dir)
  }
  return '0.0.0'
}

export const VERSION = findVersion()
