#!/usr/bin/env node
// Writes the tables generated from the option declarations into README.md and docs/ (run `npm run build` first).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { docTables } from '../dist/src/cli/doc-tables.js'
import { replaceGenerated } from '../dist/src/options/docs.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const texts = new Map()
for (const t of docTables()) {
  const path = join(root, t.file)
  texts.set(path, replaceGenerated(texts.get(path) ?? readFileSync(path, 'utf8'), t.name, t.body))
}
for (const [path, text] of texts) writeFileSync(path, text)
console.log(`wrote ${[...texts.keys()].map((p) => p.slice(root.length)).join(', ')}`)
