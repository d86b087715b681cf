/**
 * The number format and plain table every console reporter shares: in their own file so that
 * console.ts and the files it draws on (kinds.ts) read them without importing each other.
 */
import Table from 'cli-table3'

export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '-'
  if (Math.abs(x) >= 1000) return x.toFixed(0)
  return x.toFixed(digits)
}

export function plain(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } })
}
