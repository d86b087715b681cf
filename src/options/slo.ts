/**
 * How objectives are written (`slo` of a bench, `--goodput` of `llmbench run`): figure names,
 * threshold expressions and goodput bounds. Checking them against a run's levels, and evaluating
 * them, is the objectives module's (dsl/objectives.ts).
 */
import * as z from 'zod'
import { declarations, expecting } from './declare.js'
import { parseExpression, type ExpressionText } from './expression.js'
export { SLO_KEYS }

import { CONFIDENCE_RULES, FIGURE_FORMS, FIGURE_NAMES, isTurnFigure, SLO_KEYS, STAT_FIELDS, TURN_FIGURE_PATTERN, TURN_STATS, type FigureName, type SloKey, type TurnFigure } from './vocabulary.js'
import { closest } from './check.js'
import { whole } from './values.js'
import { sloBounds, type SloSet } from './slo-text.js'
export { parseSlo, sloBounds, type SloSet } from './slo-text.js'

/** `'< 800'`: an operator and a number in the figure's unit (any other value says how to write one). */
const anyExpression = z.unknown().superRefine((text, ctx) => {
  // An object is meant as { expect, level }: the union's other branch.
  if (typeof text === 'object' && text !== null && !Array.isArray(text)) {
    ctx.addIssue({ code: 'invalid_type', expected: 'string', input: text, message: 'Invalid input' })
    return
  }
  try {
    parseExpression(text)
  } catch (err) {
    ctx.addIssue({ code: 'custom', input: text, message: (err as Error).message, params: { sentence: true } })
  }
}) as unknown as z.ZodType<ExpressionText, ExpressionText>

const rule = z.enum(CONFIDENCE_RULES)
/** `adapter`: the figure of one LoRA adapter's requests (request-kinds.md). */
const adapterName = expecting(z.string().regex(/\S/), 'the name of a LoRA adapter of the scenario')
const onLevel = z.strictObject({ expect: anyExpression, level: whole(1).optional(), confidence: rule.optional(), adapter: adapterName.optional() })
declarations.add(onLevel, { description: '', unknownKey: (key) => `has an unknown field "${key}": write { expect: '< 800', level: 50 }` })

/** A share such as `'5%'`: how much the figure may change against the baseline. */
export const TOLERANCE_TEXT = /^\s*([0-9]*\.?[0-9]+)\s*%\s*$/
const regress = z.strictObject({
  regress: expecting(z.string().regex(TOLERANCE_TEXT), "a tolerance such as '5%'"),
  level: whole(1).optional(),
})
declarations.add(regress, { description: '', unknownKey: (key) => `has an unknown field "${key}": write { regress: '5%', level: 50 }` })

/** `'< 800'`, the same limited to one level (`{ expect: '< 800', level: 50 }`), or no regression against the baseline (`{ regress: '5%' }`). */
export const threshold = z.union([anyExpression, onLevel, regress]).meta({ id: 'objectiveThreshold' })

/** `'5%'` as 0.05. */
export function toleranceOfText(text: string): number {
  return Number(TOLERANCE_TEXT.exec(text)![1]) / 100
}
export type ThresholdValue = z.input<typeof threshold>

const ms = () => expecting(z.number().positive(), 'a number of milliseconds above 0')

/** SLO bounds in ms, the least ratio of requests that meet them all, and optionally one level. */
export const goodputObjective = z
  .strictObject({
    ...(Object.fromEntries(SLO_KEYS.map((k) => [k, ms().optional()])) as Record<SloKey, z.ZodOptional<z.ZodNumber>>),
    /** vLLM's name of e2e. */
    e2el: ms().optional(),
    min: expecting(z.number().min(0).max(1), 'a ratio between 0 and 1, e.g. 0.9').optional(),
    level: whole(1).optional(),
    confidence: rule.optional(),
    /** A good request's output must also be valid (structured outputs). */
    valid: z.boolean().optional(),
    adapter: adapterName.optional(),
  })
  .superRefine((g, ctx) => {
    if (!SLO_KEYS.some((k) => g[k] !== undefined) && g.e2el === undefined && g.valid !== true) {
      ctx.addIssue({ code: 'custom', input: g, message: `needs at least one bound in ms (${SLO_KEYS.join(', ')}) or valid: true, e.g. { ttft: 500, tpot: 50, min: 0.9 }` })
    }
  })
export type GoodputObjective = z.input<typeof goodputObjective>

const figureKeys = FIGURE_NAMES.filter((n) => n !== 'goodput') as Exclude<FigureName, 'goodput' | TurnFigure>[]

const sloShape = {
  /**
   * Bounds in ms and the least ratio of good requests (`{ ttft: 500, tpot: 50, min: 0.9 }`), or an
   * expression on the ratio of the scenario's own goodput bounds (`'>= 0.9'`).
   */
  goodput: z.union([goodputObjective, threshold]).optional(),
  ...(Object.fromEntries(figureKeys.map((k) => [k, threshold.optional()])) as Record<Exclude<FigureName, 'goodput' | TurnFigure>, z.ZodOptional<typeof threshold>>),
}

/**
 * The objectives: one key per listed figure, and any key of the turn figures' pattern
 * (`turn2.ttft.p95`, which no list can hold). Other keys are unknown, as in a strict object; the
 * JSON Schema says the same with patternProperties (`keyPattern`, read by json-schema.ts).
 */
const sloObject = z
  .strictObject(sloShape)
  .catchall(threshold)
  .superRefine(
    (o, ctx) => {
      const unknown = Object.keys(o).filter((k) => !Object.hasOwn(sloShape, k) && !isTurnFigure(k))
      if (unknown.length) ctx.addIssue({ code: 'unrecognized_keys', keys: unknown, input: o, path: [] })
    },
    // Unknown keys are reported even when a value is wrong too: the key is the likelier mistake.
    { when: (p) => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value) },
  )
  .meta({ keyPattern: TURN_FIGURE_PATTERN })
type SloShapeInput = z.input<z.ZodObject<typeof sloShape>>
type SloShapeOutput = z.output<z.ZodObject<typeof sloShape>>
/** Typed as the listed keys and the turn figures' template literal, so a bench file's typo is a type error too. */
export const sloSchema = sloObject as unknown as z.ZodType<SloShapeOutput & Partial<Record<TurnFigure, z.output<typeof threshold>>>, SloShapeInput & Partial<Record<TurnFigure, ThresholdValue>>>
declarations.add(sloSchema, {
  description: '',
  expected: "an object of objectives, e.g. { 'ttft.p95': '< 800', 'errors.rate': '< 0.01' }",
  unknownKey: (key, guess) => {
    const meant = guess ?? turnGuess(key)
    return `has an unknown objective "${key}": ${meant ? `did you mean "${meant}"? ` : ''}use ${FIGURE_FORMS}`
  },
})
export type SloObjectives = z.input<typeof sloSchema>

/** A turn figure one typo away (`turn2.ttft.p96` → `turn2.ttft.p95`): no list holds them for the usual guess. */
function turnGuess(key: string): string | undefined {
  const m = /^turn([1-9][0-9]{0,5})\.([^.]+)\.([^.]+)$/.exec(key)
  if (!m) return undefined
  const stat = closest(m[2], TURN_STATS)
  const field = closest(m[3], STAT_FIELDS)
  return stat && field ? `turn${m[1]}.${stat}.${field}` : undefined
}

/** `slo.goodput` as bounds (`{ ttft: 500, min: 0.9 }`) rather than an expression (`'>= 0.9'`, `{ expect }`). */
export function isGoodputBounds(v: unknown): v is GoodputObjective {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { expect?: unknown }).expect === undefined
}

/** The bounds of an object-form `slo.goodput`, for the scenario's own goodput summary. */
export function goodputBounds(slo: SloObjectives | undefined): SloSet | undefined {
  const g = slo?.goodput
  return isGoodputBounds(g) ? sloBounds(g) : undefined
}
