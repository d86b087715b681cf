/**
 * The doc tables of options and flags, from their declarations: README's `llmbench run` table,
 * and docs/bench-files.md's scenario options and `npx llmbench` flags. scripts/generate.mjs writes them
 * between `<!-- generated:NAME -->` markers; a test fails when the committed text differs.
 */
import type * as z from 'zod'
import { docOf, type OptionDoc } from './declare.js'
import type { Flag } from './flags.js'

const code = (t: string) => '`' + t + '`'
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/**
 * A default as a table shows it: as a bench file writes it (`'chat'`, `{ tokens: 256 }`), or as a
 * flag does (`chat`, `1`, seconds for a flag in seconds).
 */
function shownDefault(doc: OptionDoc | undefined, style: 'option' | 'flag', scale = 1): string {
  if (doc?.defaultText !== undefined) return doc.defaultText.startsWith('$') ? code(doc.defaultText) : doc.defaultText
  const v = doc?.default
  if (v === undefined) return 'none'
  if (typeof v === 'number') return code(String(v / scale))
  if (style === 'flag') return code(Array.isArray(v) ? v.join(',') : String(v))
  return code(typeof v === 'string' ? `'${v}'` : JSON.stringify(v).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ').replace(/[{]/g, '{ ').replace(/[}]/g, ' }'))
}

/** The page that explains an option, linked from a table in `docsDir` (`docs/` from README.md, `` from docs/). */
function seeAlso(doc: OptionDoc | undefined, docsDir: string): string {
  return doc?.docs ? `: see [${doc.docs}](${docsDir}${doc.docs})` : ''
}

/** One row per option of `shape`: key, default, meaning. */
export function optionsTable(shape: Record<string, z.ZodType>, docsDir = ''): string {
  const rows = Object.entries(shape).map(([key, schema]) => {
    const doc = docOf(schema)
    const meaning = doc ? doc.description + (doc.unit ? ` (${doc.unit})` : '') + seeAlso(doc, docsDir) : ''
    return `| ${code(key)} | ${cell(shownDefault(doc, 'option'))} | ${cell(meaning)} |`
  })
  return ['| option | default | meaning |', '| --- | --- | --- |', ...rows].join('\n')
}

/** One row per flag: how it is written, its default, its meaning. */
export function flagsTable(flags: readonly Flag[], shape: Record<string, z.ZodType>, docsDir = ''): string {
  const rows = flags.map((f) => {
    const key = String(f.targets[0].path[0])
    const doc = docOf(shape[key])
    const main = f.targets[0].path.length === 1
    const value = f.boolean ? '' : ` ${f.decl.placeholder ?? 'VALUE'}`
    const written = f.boolean && (doc?.default === true || f.decl.defaultText === 'on') ? `${code(`--${f.name}`)} / ${code(`--no-${f.name}`)}` : code(`--${f.name}${value}`) + (f.alias ? `, ${code(`-${f.alias}`)}` : '')
    const def = f.decl.defaultText !== undefined ? code(f.decl.defaultText) : main ? shownDefault(doc, 'flag', f.decl.scale) : 'none'
    const unit = f.decl.unit ? ` (${f.decl.unit})` : ''
    const meaning = (f.describe.replace(/ \[default: [^\]]*\]$/, '') || doc?.description || '') + unit + (main ? seeAlso(doc, docsDir) : '')
    return `| ${cell(written)} | ${cell(def)} | ${cell(meaning)} |`
  })
  return ['| flag | default | meaning |', '| --- | --- | --- |', ...rows].join('\n')
}

/** `text` with the block between `<!-- generated:name -->` and `<!-- /generated:name -->` replaced by `body`. */
export function replaceGenerated(text: string, name: string, body: string): string {
  const open = `<!-- generated:${name} -->`
  const close = `<!-- /generated:${name} -->`
  const a = text.indexOf(open)
  const b = text.indexOf(close)
  if (a < 0 || b < a) throw new Error(`no ${open} … ${close} block`)
  return `${text.slice(0, a + open.length)}\n${body}\n${text.slice(b)}`
}
