/** One colour per run when runs are overlaid; one per percentile within a run. */
export const RUN_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f']
export const PERCENTILE_COLORS = { p50: '#2563eb', p90: '#d97706', p99: '#dc2626' } as const
/** Line styles for percentiles when colour already tells the runs apart. */
export const PERCENTILE_DASH = { p50: '', p90: '6 3', p99: '2 3' } as const
export const OUTCOME_COLORS: Record<string, string> = {
  ok: '#2563eb',
  http: '#dc2626',
  connect: '#7c2d12',
  timeout: '#d97706',
  'stream-error': '#be185d',
  parse: '#7c3aed',
  disconnect: '#ea580c',
  empty: '#64748b',
  aborted: '#94a3b8',
}

export const runColor = (i: number) => RUN_COLORS[i % RUN_COLORS.length]
