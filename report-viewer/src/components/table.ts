/** A column of the sortable Table. */
export interface Column<Row> {
  key: string
  label: string
  /** The value sorted on; numbers sort numerically, undefined last. */
  value: (row: Row) => number | string | undefined
  format?: (row: Row) => string
  title?: string
  /** A class for the cell, e.g. `better` or `worse`. */
  tone?: (row: Row) => string | undefined
  /** The cell is a link to this address. */
  href?: (row: Row) => string | undefined
  /** Long text that wraps rather than widening the table. */
  wrap?: boolean
}
