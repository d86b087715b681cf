// README.md's and docs/' tables of options and flags, and the scenario of the result's JSON Schema, are
// generated from the declarations in src/options/ (npm run generate): the committed files must match.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { docTables, generatedSources, resultSchema } from '../src/cli/generated.js'
import { replaceGenerated } from '../src/options/docs.js'

const sources = await generatedSources()
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')

describe('generated from the declarations (run npm run generate)', () => {
  it.each(docTables().map((t) => [`${t.file} ${t.name}`, t] as const))('%s', (_, t) => {
    const text = read(t.file)
    expect(replaceGenerated(text, t.name, t.body)).toBe(text)
  })

  it.each(sources.map((s) => [s.file, s] as const))('%s', (_, s) => {
    expect(read(s.file)).toBe(s.text)
  })

  it('schema/result.schema.json scenario', () => {
    const text = read('schema/result.schema.json')
    expect(resultSchema(text)).toBe(text)
  })
})
