/** What the chart components draw. */
export interface Point {
  x: number
  y: number | undefined
  /** Extra tooltip line (e.g. the level). */
  note?: string
}

export interface Series {
  id: string
  label: string
  color: string
  dash?: string
  points: Point[]
}

export interface Target {
  value: number
  label: string
  kind: 'objective' | 'slo'
}

/** Failed requests of one run at one level, by kind. */
export interface Stack {
  run: string
  color: string
  counts: Record<string, number>
  total: number
}

export interface Group {
  label: string
  stacks: Stack[]
}
