/**
 * The report page: the prebuilt viewer (dist/report-viewer/index.html, one file with every script
 * and style inlined) with the report data put into its data element, gzip + base64 when that is
 * smaller. Nothing from the data is ever HTML: the JSON form escapes `<`, so `</script>` in a model
 * name cannot end the element, and the viewer shows every string as text. A Content-Security-Policy
 * allows only the viewer's own script (by its hash): even markup that got in could run nothing.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { writeFileAtomic } from '../write-file.js'
import { RuntimeError } from '../errors.js'
import { PACKAGE_ROOT } from '../version.js'
import type { ReportData } from './types.js'

export const VIEWER_PAGE = join(PACKAGE_ROOT, 'dist', 'report-viewer', 'index.html')
const DATA_ELEMENT = '<script id="llmbench-data" type="application/json"></script>'
/** Below this, plain JSON: gzip and base64 would not pay for the decoding. */
const COMPRESS_FROM = 16 * 1024

let template: string | undefined

export function viewerTemplate(): string {
  if (template) return template
  if (!existsSync(VIEWER_PAGE)) {
    throw new RuntimeError(`the report viewer is not built (${VIEWER_PAGE} is missing): run npm run build in ${PACKAGE_ROOT}`)
  }
  template = readFileSync(VIEWER_PAGE, 'utf8')
  return template
}

/** JSON safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no line separators. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

export interface PageOptions {
  /** `auto` (default): gzip + base64 from COMPRESS_FROM bytes of JSON. */
  compress?: boolean | 'auto'
}

/** The data element, its content either plain script-safe JSON or gzip + base64. */
export function dataElement(data: ReportData, opts: PageOptions = {}): string {
  const json = scriptSafeJson(data)
  const compress = opts.compress === undefined || opts.compress === 'auto' ? json.length >= COMPRESS_FROM : opts.compress
  if (!compress) return `<script id="llmbench-data" type="application/json">${json}</script>`
  const packed = gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64')
  return `<script id="llmbench-data" type="application/json" data-encoding="gzip-base64">${packed}</script>`
}

/** The whole page for `data`. */
export function renderReportPage(data: ReportData, opts: PageOptions = {}, page = viewerTemplate()): string {
  return withPolicy(withDataElement(page, dataElement(data, opts)), false)
}

/** What the dashboard of `llmbench serve` gets instead of report data: where its API is. */
export interface LiveConfig {
  mode: 'live'
  api: string
}

/**
 * The viewer in live mode, as `llmbench serve` serves it: it fetches from `api` on the same
 * origin, which its policy allows (connect-src 'self') and a report's never does.
 */
export function renderLivePage(config: LiveConfig, page = viewerTemplate()): string {
  const element = `<script id="llmbench-data" type="application/json">${scriptSafeJson(config)}</script>`
  return withPolicy(withDataElement(page, element), true)
}

function withDataElement(page: string, element: string): string {
  const at = page.lastIndexOf(DATA_ELEMENT)
  if (at < 0) throw new RuntimeError(`${VIEWER_PAGE} has no data element: rebuild it with npm run build`)
  return page.slice(0, at) + element + page.slice(at + DATA_ELEMENT.length)
}

/** Adds the Content-Security-Policy right after <meta charset>, before any script. */
function withPolicy(page: string, live: boolean): string {
  const hashes: string[] = []
  for (const m of page.matchAll(/<script type="module"[^>]*>([\s\S]*?)<\/script>/g)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`)
  }
  const policy = [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    ...(live ? ["connect-src 'self'"] : []),
  ].join('; ')
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`
  const charset = /<meta charset="utf-8"\s*\/?>/i.exec(page)
  if (!charset) return page.replace(/<head>/i, `<head>${meta}`)
  const end = charset.index + charset[0].length
  return `${page.slice(0, end)}\n    ${meta}${page.slice(end)}`
}

/**
 * Writes the report into `out`: a folder (the page is its index.html) or a path ending in .html.
 * Returns the page's absolute path.
 */
export function writeReport(out: string, data: ReportData, opts: PageOptions = {}): string {
  const file = /\.html?$/i.test(out) ? resolve(out) : resolve(out, 'index.html')
  return writeFileAtomic(file, renderReportPage(data, opts))
}
