/**
 * The scenario as a result records it: every option with the value it ran with (after the config's
 * layers and the built-in defaults), never a secret. Its JSON Schema is the `scenario` of
 * schema/result.schema.json (npm run generate), and it can be sent back as an API run's body.
 */
import * as z from 'zod'
import { docOf, option } from './declare.js'
import { benchShape } from './scenario.js'
import { whole } from './values.js'

const { apiKey: _secret, server, model, ...rest } = benchShape

/** Always recorded: the option's schema, no longer optional. */
const required = <T extends z.ZodType>(s: z.ZodOptional<T>) => s.unwrap().meta({ description: docOf(s)?.description }) as T

export const recordedScenarioShape = {
  server: required(server),
  model: required(model),
  ...rest,
  shard: option(z.strictObject({ index: whole(0), count: whole(1) }), {
    description: 'This run was shard index of count (llmbench run --shard I/N); llmbench merge combines the shards',
  }),
  startAt: option(z.number(), { description: 'Wall-clock time (epoch ms) the first level started, so shards began together' }),
} as const

export const recordedScenarioSchema = z.strictObject(recordedScenarioShape)

/** Header values are recorded as this, never as they were sent. */
export const REDACTED = '***'

export type RecordedScenario = z.output<typeof recordedScenarioSchema>

