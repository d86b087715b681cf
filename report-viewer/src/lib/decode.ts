/** Reads the report data llmbench put into the page: plain JSON, or gzip + base64. */
import type { ReportData } from '../../../src/report/types'

export async function readReportData(doc: Document = document): Promise<ReportData | undefined> {
  const el = doc.getElementById('llmbench-data')
  const text = el?.textContent?.trim()
  if (!el || !text) return undefined
  if (el.dataset.encoding !== 'gzip-base64') return JSON.parse(text) as ReportData
  const raw = atob(text)
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))
  return JSON.parse(await new Response(stream).text()) as ReportData
}
