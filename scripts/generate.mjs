#!/usr/bin/env node
// Writes what is generated from the declarations: the tables in README.md and docs/, the scenario of
// schema/result.schema.json, and the generated source files (run `npm run build` first; `npm run
// generate` does both).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { docTables, generatedSources, resultSchema } from '../dist/src/cli/generated.js'
import { replaceGenerated } from '../dist/src/options/docs.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const texts = new Map()
for (const t of docTables()) {
  const path = join(root, t.file)
  texts.set(path, replaceGenerated(texts.get(path) ?? readFileSync(path, 'utf8'), t.name, t.body))
}
const schema = join(root, 'schema', 'result.schema.json')
texts.set(schema, resultSchema(readFileSync(schema, 'utf8')))
for (const s of await generatedSources()) texts.set(join(root, s.file), s.text)
for (const [path, text] of texts) writeFileSync(path, text)
console.log(`wrote ${[...texts.keys()].map((p) => p.slice(root.length)).join(', ')}`)
