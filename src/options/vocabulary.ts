/**
 * The words users write in options, objectives and flags: endpoints, arrivals, prompt formats,
 * SLO keys and figure names. Every other module takes them from here, so a name exists once.
 */

/** Protocols llmbench speaks, one adapter each (client/registry.ts). */
export const ADAPTER_ENDPOINTS = ['chat', 'completions', 'responses', 'anthropic', 'embeddings', 'triton', 'tgi', 'sglang', 'ollama', 'ollama-generate'] as const
export type AdapterEndpoint = (typeof ADAPTER_ENDPOINTS)[number]
/** What a user may name: an adapter, or `auto` (ask the server, client/detect.ts). */
export const ENDPOINTS = [...ADAPTER_ENDPOINTS, 'auto'] as const
export type Endpoint = (typeof ENDPOINTS)[number]

/** How arrivals are spaced at a rate; `trace` replays a trace file's own times (never written by users). */
export const ARRIVALS = ['constant', 'poisson', 'gamma'] as const
export type Arrival = (typeof ARRIVALS)[number] | 'trace'

/**
 * `symmetric` (vLLM's --random-range-ratio): uniform integer in [floor(L·(1−s)), ceil(L·(1+s))],
 * s in [0, 1). `min-ratio` (SGLang's --random-range-ratio): uniform integer in [max(1, trunc(L·s)), L],
 * s in [0, 1]. See data/lengths.ts.
 */
export const RANGE_MODES = ['symmetric', 'min-ratio'] as const
export type RangeMode = (typeof RANGE_MODES)[number]

export const FILE_FORMATS = ['sharegpt', 'jsonl', 'csv', 'text', 'trace'] as const
export type FileFormat = (typeof FILE_FORMATS)[number]

/**
 * How an objective is decided from its figure's interval (docs/verdicts.md): `lenient` fails only
 * when the whole interval misses the bound, `strict` passes only when it all meets it, `point`
 * compares the estimate. Every rule warns "marginal" when the interval spans the bound.
 */
export const CONFIDENCE_RULES = ['lenient', 'strict', 'point'] as const
export type ConfidenceRule = (typeof CONFIDENCE_RULES)[number]

/** Goodput bound keys in report order (METRICS.md, "Goodput"). */
export const SLO_KEYS = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e'] as const
export type SloKey = (typeof SLO_KEYS)[number]

/** Per-request distributions a level summarizes. */
export const STAT_NAMES = ['ttft', 'ttfc', 'tpot', 'itl', 'e2e', 'e2eWithQueue', 'queueDelay', 'maxTokenGap', 'outputTokens', 'inputTokens', 'reasoningTokens', 'visibleTokens'] as const
export type StatName = (typeof STAT_NAMES)[number]

/** The statistics of each distribution. */
export const STAT_FIELDS = ['mean', 'std', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999', 'count'] as const
export type StatField = (typeof STAT_FIELDS)[number]

/** Statistics only streamed requests have (METRICS.md: absent, never zero, without streaming). */
export const STREAM_ONLY: readonly StatName[] = ['ttft', 'ttfc', 'tpot', 'itl', 'maxTokenGap']

/**
 * Figures of the request kinds (docs/request-kinds.md): validity of structured outputs, the
 * reasoning share of output tokens, energy from GPU power samples, and cost from a price.
 */
export const KIND_FIGURES = [
  'valid.rate', 'invalid.count', 'reasoning.share',
  'energy.perOutputToken', 'energy.joules', 'energy.watts',
  'cost.perMillionOutput', 'cost.perMillionInput', 'cost.perRequest', 'cost.total',
] as const
export type KindFigure = (typeof KIND_FIGURES)[number]

/** Token counts among the distributions (their unit is tokens, not ms). */
export const TOKEN_STATS: readonly StatName[] = ['outputTokens', 'inputTokens', 'reasoningTokens', 'visibleTokens']

/** Figures that are not `<stat>.<field>`. */
export const LEVEL_FIGURES = ['errors.rate', 'errors.count', 'throughput.requests', 'throughput.output', 'throughput.input', 'throughput.total', 'goodput', ...KIND_FIGURES] as const

// ---- Figures of sessions and tool loops (docs/workloads.md, "Objectives on sessions and tool loops") ----

/**
 * Distributions of sessions and tool loops, each `<name>.<stat field>`: time per whole session and
 * turns per session (a session is one sample), TTFT and E2E of turns 2 and later pooled (requests),
 * and per task the time to its final answer, its requests (steps) and its tool calls.
 */
export const WORKLOAD_STATS = ['session.duration', 'session.turns', 'laterTurns.ttft', 'laterTurns.e2e', 'tools.timeToAnswer', 'tools.steps', 'tools.toolCalls'] as const
export type WorkloadStat = (typeof WORKLOAD_STATS)[number]
/** The share of ended tasks that ended with a final answer (a proportion). */
export const WORKLOAD_SHARES = ['tools.answered'] as const
/** Per-turn distributions of sessions: `turn<k>.<stat>.<field>`, k from 1. */
export const TURN_STATS = ['ttft', 'e2e'] as const
export type TurnStat = (typeof TURN_STATS)[number]
/** `turn2.ttft.p95`: one turn index's requests (k ≥ 1; a template literal, so not listed in FIGURE_NAMES). */
export type TurnFigure = `turn${number}.${TurnStat}.${StatField}`
/** Matches a turn figure; groups: the turn index, the statistic, the field. */
export const TURN_FIGURE = new RegExp(`^turn([1-9][0-9]{0,5})\\.(${TURN_STATS.join('|')})\\.(${STAT_FIELDS.join('|')})$`)
/** The pattern of turn figures as JSON Schema writes it (patternProperties). */
export const TURN_FIGURE_PATTERN = TURN_FIGURE.source
export const isTurnFigure = (name: string): name is TurnFigure => TURN_FIGURE.test(name)

/** Every figure objectives may name: `ttft.p95`, `errors.rate`, `goodput`, `session.duration.p90`, `turn2.ttft.p95`, … */
export type FigureName = `${StatName}.${StatField}` | (typeof LEVEL_FIGURES)[number] | `${WorkloadStat}.${StatField}` | (typeof WORKLOAD_SHARES)[number] | TurnFigure
/** The figure names that can be listed (every one but the turn figures, which match TURN_FIGURE). */
export const FIGURE_NAMES: readonly FigureName[] = [
  ...STAT_NAMES.flatMap((m) => STAT_FIELDS.map((f) => `${m}.${f}` as const)),
  ...LEVEL_FIGURES,
  ...WORKLOAD_STATS.flatMap((m) => STAT_FIELDS.map((f) => `${m}.${f}` as const)),
  ...WORKLOAD_SHARES,
]
/** The forms of figure names, for messages. */
export const FIGURE_FORMS =
  `<metric>.<stat> (metric ${STAT_NAMES.join(', ')}; stat ${STAT_FIELDS.join(', ')}), ${LEVEL_FIGURES.join(', ')}; ` +
  `sessions and tool loops: ${WORKLOAD_STATS.join(', ')} or turn<k>.ttft|e2e, each .<stat>, and ${WORKLOAD_SHARES.join(', ')}`
