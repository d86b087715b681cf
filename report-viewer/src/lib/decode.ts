/** Reads what llmbench put into the page: report data (plain JSON, or gzip + base64), or the dashboard's live config. */
import type { LiveConfig } from '../../../src/report/page'
import type { ReportData } from '../../../src/report/types'

export type { LiveConfig }

export async function readReportData(doc: Document = document): Promise<ReportData | LiveConfig | undefined> {
  const el = doc.getElementById('llmbench-data')
  const text = el?.textContent?.trim()
  if (!el || !text) return undefined
  if (el.dataset.encoding !== 'gzip-base64') return JSON.parse(text) as ReportData | LiveConfig
  const raw = atob(text)
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))
  return JSON.parse(await new Response(stream).text()) as ReportData
}
