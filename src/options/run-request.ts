/**
 * The body of `POST /api/v1/benchmark/run`: a bench scenario's options, a name, and goodput bounds
 * (objectives are checked by bench files, not by the API).
 */
import * as z from 'zod'
import { declarations, expecting, option } from './declare.js'
import { scenarioShape } from './scenario.js'
import { goodputObjective } from './slo.js'

const goodputOnly = z.strictObject({ goodput: goodputObjective.optional() })
declarations.add(goodputOnly, {
  description: '',
  unknownKey: (key) => `may hold only goodput bounds here, e.g. { goodput: { ttft: 500, tpot: 50, min: 0.9 } }; objectives such as ${JSON.stringify(key)} are checked by bench files`,
})

export const MAX_RUN_NAME = 200

export const runRequestShape = {
  name: option(expecting(z.string().regex(/\S/).max(MAX_RUN_NAME).refine((t) => !/[\u0000-\u001f]/.test(t)), `a line of text of at most ${MAX_RUN_NAME} characters`), {
    description: 'A name for the run, shown in the history and the dashboard',
  }),
  ...scenarioShape,
  slo: option(goodputOnly, { description: 'Goodput bounds in ms and the least ratio of good requests: each level reports its goodput under them' }),
} as const

export const runRequestSchema = z.strictObject(runRequestShape)
export type RunRequestBody = z.input<typeof runRequestSchema>
