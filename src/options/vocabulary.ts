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

/** Every figure objectives may name: `ttft.p95`, `errors.rate`, `goodput`, … */
export type FigureName = `${StatName}.${StatField}` | (typeof LEVEL_FIGURES)[number]
export const FIGURE_NAMES: readonly FigureName[] = [
  ...STAT_NAMES.flatMap((m) => STAT_FIELDS.map((f) => `${m}.${f}` as const)),
  ...LEVEL_FIGURES,
]
