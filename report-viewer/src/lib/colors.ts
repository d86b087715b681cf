/**
 * Colours of series. Within one chart every series gets its own: a categorical set (Tableau 10,
 * readable on the light and the dark background) for up to ten, then hues spread evenly.
 */
const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

/** `n` distinct colours. */
export function palette(n: number): string[] {
  if (n <= CATEGORICAL.length) return CATEGORICAL.slice(0, n)
  return Array.from({ length: n }, (_, i) => `hsl(${Math.round((i * 360) / n)} 62% 52%)`)
}

/** One colour per run when runs are overlaid. */
export const RUN_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f']
export const PERCENTILE_COLORS = { p50: '#3b82f6', p90: '#f59e0b', p99: '#ef4444' } as const
/** Line styles for percentiles when colour already tells the runs apart. */
export const PERCENTILE_DASH = { p50: '', p90: '6 3', p99: '2 3' } as const
export const OUTCOME_COLORS: Record<string, string> = {
  ok: '#3b82f6',
  http: '#dc2626',
  connect: '#9a3412',
  timeout: '#d97706',
  'stream-error': '#db2777',
  parse: '#7c3aed',
  disconnect: '#ea580c',
  empty: '#64748b',
  aborted: '#94a3b8',
}

export const runColor = (i: number) => RUN_COLORS[i % RUN_COLORS.length]
