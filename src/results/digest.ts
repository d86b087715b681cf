/**
 * A result in a few lines and numbers per scenario, the shape lists and trends read: what it ran,
 * its headline (src/report/headline.ts computes it), and each level's key figures. Plain data.
 */
import type { LoadMode } from './scenario-fields.js'

export type HeadlineTone = 'good' | 'bad' | 'warn' | 'neutral'

export interface HeadlineLine {
  kind: 'verdict' | 'capacity' | 'peak' | 'saturation' | 'client'
  tone: HeadlineTone
  text: string
}

/** One level's key figures. */
export interface LevelPoint {
  kind: 'concurrency' | 'rate'
  load: number
  ttftP50?: number
  ttftP99?: number
  tpotP50?: number
  itlP99?: number
  e2eP99?: number
  outputTokensPerSec: number
  requestsPerSec: number
  goodput?: number
  errorRate: number
}

export interface ScenarioDigest {
  /** The same scenario across runs: `run > <model, lengths (endpoint)>`, or `<file> > <id>` for bench files. */
  key: string
  name: string
  server?: string
  model?: string
  settings?: string
  mode?: LoadMode
  headline: HeadlineLine[]
  levels: LevelPoint[]
}
