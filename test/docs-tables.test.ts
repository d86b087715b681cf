// The option and flag tables of README.md and docs/ are generated from the declarations (npm run docs).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { docTables } from '../src/cli/doc-tables.js'
import { replaceGenerated } from '../src/options/docs.js'

describe('generated doc tables', () => {
  it.each(docTables().map((t) => [`${t.file} ${t.name}`, t] as const))('%s matches the declarations (run npm run docs)', (_, t) => {
    const text = readFileSync(new URL(`../${t.file}`, import.meta.url), 'utf8')
    expect(replaceGenerated(text, t.name, t.body)).toBe(text)
  })
})
