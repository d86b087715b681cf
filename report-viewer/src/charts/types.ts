/** What the chart components draw. */
export interface Point {
  x: number
  y: number | undefined
  /** Extra tooltip line (e.g. the level). */
  note?: string
  /** Written beside the point when the chart labels its points (the trade-off chart: each level's load). */
  label?: string
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

/** A vertical line at a load: the capacity found, or the first load that failed. */
export interface Mark {
  x: number
  label: string
  kind: 'capacity' | 'failing'
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
