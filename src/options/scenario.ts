/**
 * Every scenario option, declared once: the bench-file key, its type and checks, default, unit,
 * secrecy and `llmbench run` flags. Bench options, the config's `defaults`, the API's run body,
 * the command line, the result's `scenario`, the OpenAPI document and the doc tables all come
 * from here (docs/architecture.md, "Adding an option").
 */
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { parseSlo, sloSchema } from './slo.js'
import { parseExpect } from './slo-text.js'
import { parseDuration } from './duration.js'
import { length, sharedPrefixTooLong, spreadFits } from './lengths.js'
import { sessionShape } from './sessions.js'
import { countOrTime, duration, headers, milliseconds, nonEmpty, positive, secret, url, whole } from './values.js'
import { ARRIVALS, CONFIDENCE_RULES, ENDPOINTS, FILE_FORMATS } from './vocabulary.js'
import { headerFlag, jsonObjectFlag, rampFlag, sweepFlag } from './flag-parsers.js'
import { kindsShape } from './kinds.js'

/** Sampling faster than this loads the server it measures. */
export const MIN_TELEMETRY_INTERVAL_MS = 100

export { length }

const inputSchema = expecting(
  length()
    .extend({
      /** Tokens every prompt starts with, the same text for all. */
      prefix: z.strictObject({ tokens: whole(1) }).optional(),
      /** SGLang's generated-shared-prefix groups. */
      groups: z.strictObject({ count: whole(1), systemTokens: whole(1), shuffle: z.boolean().optional() }).optional(),
    })
    .superRefine(spreadFits)
    .superRefine((i, ctx) => {
      const long = sharedPrefixTooLong(i, i.prefix?.tokens ?? 0, i.groups?.systemTokens ?? 0, '')
      if (long) ctx.addIssue({ code: 'custom', path: long.path, input: i, message: long.message })
    }),
  'an object like { tokens: 256 }',
)
const outputSchema = expecting(length().superRefine(spreadFits), 'an object like { tokens: 128 }')

/** Keys that apply to some formats only: the first one given for another format, and what to say. */
export function formatMismatch(d: { column?: unknown; multiTurn?: unknown; speed?: unknown; blockTokens?: unknown; filters?: unknown; shuffle?: unknown }, format: string): { key: string; message: string } | undefined {
  const only: Array<[keyof typeof d, string[]]> = [['column', ['csv']], ['multiTurn', ['sharegpt', 'jsonl']], ['speed', ['trace']], ['blockTokens', ['trace']]]
  for (const [key, formats] of only) {
    if (d[key] !== undefined && !formats.includes(format)) return { key, message: `applies to ${formats.join(' and ')} files, not to {@format} ${format}` }
  }
  if (format === 'trace' && d.filters !== undefined) return { key: 'filters', message: 'do not apply to a trace: every line is replayed' }
  if (format === 'trace' && d.shuffle === true) return { key: 'shuffle', message: 'cannot be used with a trace: its lines are replayed in order' }
  return undefined
}

export const datasetObject = z.strictObject({
  path: nonEmpty(),
  format: z.enum(FILE_FORMATS).optional(),
  /** CSV: the column holding the prompt. */
  column: nonEmpty().optional(),
  filters: z.strictObject({ minInput: whole(0).optional(), minOutput: whole(0).optional(), maxInput: whole(0).optional(), maxTotal: whole(0).optional() }).optional(),
  multiTurn: z.boolean().optional(),
  outputTokens: whole(1).optional(),
  speed: positive('a number of times the recorded rate above 0').optional(),
  blockTokens: whole(1).optional(),
  shuffle: z.boolean().optional(),
}).superRefine((d, ctx) => {
  const wrong = d.format === undefined ? undefined : formatMismatch(d, d.format)
  if (wrong) ctx.addIssue({ code: 'custom', path: [wrong.key], input: d[wrong.key as keyof typeof d], message: wrong.message })
})

const rampSchema = expecting(
  z.strictObject({
    of: z.enum(['concurrency', 'rate']).optional(),
    from: z.number().min(0),
    to: positive(),
    over: duration(),
    shape: z.enum(['linear', 'exponential']).optional(),
  }),
  'an object like { from: 1, to: 50, over: "2m" }',
)

const sweepSchema = expecting(
  z.strictObject({
    method: z.enum(['capacity', 'rates']).optional(),
    of: z.enum(['concurrency', 'rate']).optional(),
    min: expecting(z.number().gt(0).max(1), 'a goodput ratio in (0, 1], e.g. 0.95').optional(),
    start: positive().optional(),
    max: positive().optional(),
    factor: expecting(z.number().gt(1), 'a number above 1').optional(),
    resolution: positive().optional(),
    levels: whole(1).optional(),
    maxTime: duration().optional(),
    saturation: whole(2).optional(),
  }),
  'an object like { method: "capacity", min: 0.95 }',
)

const telemetrySchema = expecting(
  z.strictObject({
    enabled: z.boolean().optional(),
    interval: duration()
      .refine((v) => parseDuration(v) >= MIN_TELEMETRY_INTERVAL_MS, { message: `must be at least ${MIN_TELEMETRY_INTERVAL_MS}ms` })
      .optional(),
    gpu: z.boolean().optional(),
    dcgmUrl: url().optional(),
  }),
  "an object like { interval: '2s' } or { enabled: false }",
)

const both = ['run', 'bench'] as const
const SYNTHETIC_ONLY = { flags: ['dataset'], message: 'applies to synthetic prompts, not to --dataset' }
const DATASET_ONLY = { flags: ['dataset'], message: 'applies to a dataset file: pass --dataset <path> too' }
const SWEEP_ONLY = { flags: ['sweep'], message: 'only applies with --sweep concurrency|rate|rates' }

/** The options of one scenario, without its objectives: what a config's `defaults` may set. */
export const scenarioShape = {
  description: option(expecting(z.string().max(500).refine((t) => !/[\u0000-\u001f]/.test(t)), 'a line of text of at most 500 characters'), {
    description: 'What the scenario is for, in a sentence; kept in the result',
    flags: [{ name: 'description', placeholder: 'TEXT' }],
  }),
  server: option(nonEmpty(), {
    description: 'Base URL of the server (a trailing /v1 is fine), or the name of a server in the config',
    default: 'http://127.0.0.1:8000',
    flags: [{ name: 'server', commands: both, placeholder: 'URL', describe: 'Base URL of the server (a trailing /v1 is fine); with bench files, a URL or a configured name for every scenario' }],
  }),
  model: option(nonEmpty(), {
    description: 'Model to ask for',
    defaultText: 'the server\'s first model at /v1/models (llmbench run); from the config (bench files)',
    flags: [{ name: 'model', commands: both, placeholder: 'NAME' }],
  }),
  endpoint: option(z.enum(ENDPOINTS), {
    description: "The API to call (the README's table of servers); auto asks the server",
    default: 'chat',
    flags: [{ name: 'endpoint', placeholder: 'NAME' }],
  }),
  apiKey: option(secret(), {
    description: "Sent as a Bearer token (or the protocol's own header); never recorded. 'env:NAME' reads $NAME",
    defaultText: '$OPENAI_API_KEY',
    secret: true,
    flags: [{ name: 'api-key', commands: both, placeholder: 'KEY' }],
  }),
  headers: option(headers(), {
    description: "Extra headers sent with every request; values may be 'env:NAME' and are never recorded",
    secret: 'values',
    flags: [{ name: 'header', alias: 'H', parse: headerFlag, repeatable: true, placeholder: "'Name: value'", describe: 'Extra header "Name: value" (repeatable); only the name is recorded' }],
  }),
  body: option(expecting(z.record(z.string(), z.unknown()), 'an object of fields to add to every request body'), {
    description: 'Extra fields merged into every request body, e.g. {"temperature":0}',
    flags: [{ name: 'body', parse: jsonObjectFlag, placeholder: 'JSON' }],
  }),
  concurrency: option(expecting(z.union([whole(1), z.array(whole(1)).min(1, 'must list at least one concurrency level')]), 'a number or a list of numbers'), {
    description: 'Concurrency levels, run one after another: that many requests in flight',
    default: [1],
    flags: [{ name: 'concurrency', placeholder: '1,10,50' }],
  }),
  requests: option(whole(1), {
    description: 'Measured requests per level',
    default: 100,
    flags: [{ name: 'num-prompts', placeholder: 'N' }],
  }),
  warmup: option(countOrTime(), {
    description: 'Warm-up per level: N short requests (at most 16 tokens) before the clock starts, or a time at the level\'s full load; left out of every figure',
    defaultText: 'one per concurrent slot',
    flags: [{ name: 'warmup', placeholder: 'N|10s' }],
  }),
  input: option(inputSchema, {
    description: 'Prompt length in tokens, with a spread, a shared prefix or groups',
    default: { tokens: 256 },
    docs: 'datasets.md',
    flags: [
      { name: 'input-len', path: 'tokens', placeholder: 'N', defaultText: '256', describe: 'Prompt length in tokens (synthetic prompts, sized with the o200k BPE tokenizer)' },
      { name: 'input-spread', placeholder: 'S', path: 'spread', conflicts: SYNTHETIC_ONLY, describe: 'Draw each prompt length from a range around --input-len (see --range-mode)' },
      { name: 'range-mode', placeholder: 'MODE', path: 'range', conflicts: SYNTHETIC_ONLY, requires: { flags: ['input-spread', 'output-spread'], message: 'says how --input-spread and --output-spread are read: pass one of them too' }, describe: 'How spreads are read: symmetric (vLLM) [L(1-s), L(1+s)], s in [0, 1); min-ratio (SGLang) [L*s, L], s in [0, 1]' },
      { name: 'prefix-len', placeholder: 'N', path: 'prefix.tokens', conflicts: SYNTHETIC_ONLY, describe: 'The first N tokens of every synthetic prompt are the same text (prefix-cache tests)' },
      { name: 'groups', placeholder: 'N', path: 'groups.count', conflicts: SYNTHETIC_ONLY, requires: { flags: ['group-system-len'], message: 'and --group-system-len go together: pass both, e.g. --groups 8 --group-system-len 1024' }, describe: 'Synthetic prompts in N groups, each sharing a system prompt of --group-system-len tokens' },
      { name: 'group-system-len', placeholder: 'N', path: 'groups.systemTokens', conflicts: SYNTHETIC_ONLY, requires: { flags: ['groups'], message: 'and --groups go together: pass both, e.g. --groups 8 --group-system-len 1024' }, describe: "Tokens of each group's shared system prompt (with --groups)" },
      { name: 'shuffle', path: 'groups.shuffle', when: { absent: 'dataset' } },
    ],
  }),
  output: option(outputSchema, {
    description: 'Output length: max_tokens to ask for, with a spread',
    default: { tokens: 128 },
    flags: [
      { name: 'output-len', path: 'tokens', placeholder: 'N', defaultText: '128', describe: 'Output tokens to ask for (max_tokens)' },
      { name: 'output-spread', placeholder: 'S', path: 'spread', conflicts: SYNTHETIC_ONLY, describe: 'Draw each output length from a range around --output-len (see --range-mode)' },
      { name: 'range-mode', path: 'range', conflicts: SYNTHETIC_ONLY },
    ],
  }),
  stream: option(z.boolean(), {
    description: 'Streamed responses (SSE); not streamed requests have no TTFT, TPOT or ITL',
    default: true,
    flags: [{ name: 'stream' }],
  }),
  timeout: option(milliseconds(), {
    description: 'Per-request timeout (also the longest silence allowed inside a stream)',
    unit: 'milliseconds',
    default: 300_000,
    flags: [{ name: 'timeout', scale: 1000, unit: 'seconds', placeholder: 'S', defaultText: '300' }],
  }),
  ignoreEos: option(z.boolean(), {
    description: 'Send ignore_eos so outputs have exactly the output length (vLLM, SGLang, TensorRT-LLM); Ollama and OpenAI do not know it',
    default: true,
    flags: [{ name: 'ignore-eos' }],
  }),
  includeUsage: option(z.boolean(), {
    description: 'Ask for the final usage chunk (stream_options.include_usage)',
    default: true,
    flags: [{ name: 'include-usage' }],
  }),
  continuousUsage: option(z.boolean(), {
    description: 'Ask for usage on every chunk (vLLM, SGLang): exact per-token ITL when a chunk carries several tokens',
    default: false,
    flags: [{ name: 'continuous-usage' }],
  }),
  seed: option(whole(0), {
    description: 'Seed of the synthetic prompts and every random draw',
    default: 0,
    flags: [{ name: 'seed', placeholder: 'N' }],
  }),
  rate: option(expecting(z.union([positive('a rate above 0 in requests per second'), z.array(positive('a rate above 0 in requests per second')).min(1, 'must list at least one rate in requests per second, e.g. [5, 10, 20]')]), 'a rate above 0 in requests per second, or a list of them'), {
    description: 'Open-loop request rates in req/s, one level each (replaces the concurrency levels)',
    unit: 'requests per second',
    docs: 'workloads.md',
    flags: [{ name: 'request-rate', placeholder: '5,10' }],
  }),
  arrival: option(expecting(z.enum(ARRIVALS), `one of ${ARRIVALS.join(', ')}`), {
    description: 'How arrivals are spaced at a rate',
    defaultText: 'poisson',
    flags: [{ name: 'arrival', placeholder: 'KIND' }],
  }),
  burstiness: option(positive(), {
    description: "Gamma arrivals of this shape: 1 is Poisson, below 1 burstier, above 1 more regular (vLLM's --burstiness)",
    defaultText: '1',
    flags: [{ name: 'burstiness', placeholder: 'B' }],
  }),
  maxConcurrency: option(whole(1), {
    description: 'At a rate: most requests in flight; the others wait and keep their scheduled time',
    flags: [{ name: 'max-concurrency', placeholder: 'N' }],
  }),
  duration: option(duration(), {
    description: 'Length of each level by time instead of by requests',
    flags: [{ name: 'duration', placeholder: '60s' }],
  }),
  cooldown: option(countOrTime(), {
    description: "Requests (or a time) at the level's load after the measured ones, left out of the figures",
    flags: [{ name: 'cooldown', placeholder: 'N|5s' }],
  }),
  ramp: option(rampSchema, {
    description: 'One level whose concurrency (or rate) grows over a time; keeps figures per time slice',
    flags: [{ name: 'ramp', parse: rampFlag, placeholder: 'concurrency:1:50:2m', describe: 'One level whose load grows: concurrency:FROM:TO:OVER or rate:FROM:TO:OVER[:exponential]' }],
  }),
  sweep: option(sweepSchema, {
    description: 'Find the highest load meeting the goodput objective (capacity), or spread rates between the extremes (rates)',
    docs: 'workloads.md',
    flags: [
      { name: 'sweep', parse: sweepFlag, placeholder: 'concurrency|rate|rates', describe: 'Find the highest concurrency or rate meeting --goodput (capacity search), or run rates evenly between one-at-a-time and saturated throughput (rates)' },
      { name: 'sweep-min', placeholder: 'RATIO', path: 'min', requires: SWEEP_ONLY, describe: 'Goodput ratio a sweep level must reach to pass (default 0.9)' },
      { name: 'sweep-start', placeholder: 'X', path: 'start', requires: SWEEP_ONLY, describe: 'First load a capacity sweep probes (default 1)' },
      { name: 'sweep-max', placeholder: 'X', path: 'max', requires: SWEEP_ONLY, describe: 'Highest load a capacity sweep probes (default 1024 concurrency / 1000 req/s)' },
      { name: 'sweep-factor', placeholder: 'F', path: 'factor', requires: SWEEP_ONLY, describe: 'Growth between capacity probes while they pass (default 2)' },
      { name: 'sweep-resolution', placeholder: 'X', path: 'resolution', requires: SWEEP_ONLY, describe: 'Stop bisecting when pass and failure are this close (default 1 concurrency / start÷10 req/s)' },
      { name: 'sweep-levels', placeholder: 'N', path: 'levels', requires: SWEEP_ONLY, describe: 'Capacity: most levels in all (default 12); rates: rates between the ends (default 10)' },
      { name: 'sweep-time', placeholder: '10m', path: 'maxTime', requires: SWEEP_ONLY, describe: 'Capacity: start no new level after this long, e.g. 10m' },
      { name: 'sweep-saturation', placeholder: 'N', path: 'saturation', requires: SWEEP_ONLY, describe: 'Rates sweep: concurrency of the saturated level (default 256)' },
    ],
  }),
  telemetry: option(telemetrySchema, {
    description: "Sample the server's /metrics and GPUs during the run",
    defaultText: "{ enabled: true, interval: '1s' }",
    docs: 'telemetry.md',
    flags: [
      { name: 'telemetry', path: 'enabled', defaultText: 'on', describe: "Sample the server's /metrics (and local GPUs) during the run; --no-telemetry to skip" },
      { name: 'telemetry-interval', placeholder: '1s', path: 'interval', defaultText: '1s', describe: 'How often telemetry is sampled, e.g. 500ms or 2s' },
      { name: 'gpu-telemetry', path: 'gpu', describe: "Sample this machine's GPUs with nvidia-smi (default: when the server is on this machine)" },
      { name: 'dcgm-url', path: 'dcgmUrl', placeholder: 'URL', describe: 'An NVIDIA DCGM exporter to sample instead (e.g. http://gpu-host:9400)' },
    ],
  }),
  dataset: option(expecting(z.union([nonEmpty(), datasetObject]), "a path, or an object like { path: 'data.jsonl', format: 'jsonl' }"), {
    description: 'Prompts from a file: ShareGPT JSON, JSONL, CSV, text or a Mooncake trace; a path (format from its name) or { path, format, … }',
    defaultText: 'synthetic prompts',
    docs: 'datasets.md',
    flags: [
      { name: 'dataset', path: 'path', placeholder: 'FILE', describe: 'Prompts from a file: ShareGPT JSON, JSONL ({"prompt"} or {"messages"}), CSV, text (a prompt per line) or a Mooncake trace' },
      { name: 'dataset-format', placeholder: 'FORMAT', path: 'format', requires: DATASET_ONLY, describe: 'Format of --dataset (default: from its name; .jsonl with "timestamp" and "input_length" is a trace)' },
      { name: 'dataset-column', placeholder: 'NAME', path: 'column', requires: DATASET_ONLY, describe: 'CSV column holding the prompt (default: prompt)' },
      { name: 'dataset-output-len', placeholder: 'N', path: 'outputTokens', requires: DATASET_ONLY, describe: 'Output tokens for every dataset prompt, instead of the lengths the file gives' },
      { name: 'multi-turn', path: 'multiTurn', requires: DATASET_ONLY, describe: "ShareGPT/JSONL: every user turn is a prompt carrying the conversation so far (the dataset's replies)" },
      { name: 'sharegpt-min-input', placeholder: 'N', path: 'filters.minInput', requires: DATASET_ONLY, describe: 'Drop prompts shorter than this many tokens (ShareGPT default 4; 0: off)' },
      { name: 'sharegpt-min-output', placeholder: 'N', path: 'filters.minOutput', requires: DATASET_ONLY, describe: 'Drop prompts whose reply is shorter than this many tokens (ShareGPT default 4; 0: off)' },
      { name: 'sharegpt-max-input', placeholder: 'N', path: 'filters.maxInput', requires: DATASET_ONLY, describe: 'Drop prompts longer than this many tokens (ShareGPT default 1024; 0: off)' },
      { name: 'sharegpt-max-total', placeholder: 'N', path: 'filters.maxTotal', requires: DATASET_ONLY, describe: 'Drop prompts whose input + output exceeds this many tokens (ShareGPT default 2048; 0: off)' },
      { name: 'trace-speed', placeholder: 'X', path: 'speed', requires: DATASET_ONLY, describe: 'Trace replay speed factor: 2 sends at twice the recorded rate (default 1)' },
      { name: 'trace-block-len', placeholder: 'N', path: 'blockTokens', requires: DATASET_ONLY, describe: 'Tokens per trace hash block (default 512, as in Mooncake traces)' },
      { name: 'shuffle', path: 'shuffle', when: { given: 'dataset' }, requires: { flags: ['dataset', 'groups'], message: 'applies to a dataset (--dataset) or to synthetic groups (--groups)' }, describe: 'Seeded shuffle of dataset records and synthetic groups (default: on; --no-shuffle keeps file order)' },
    ],
  }),
  tokenizer: option(nonEmpty(), {
    description: 'A Hugging Face tokenizer.json to count and generate synthetic prompts with',
    defaultText: 'built-in o200k',
    flags: [{ name: 'tokenizer', placeholder: 'FILE' }],
  }),
  calibrate: option(z.boolean(), {
    description: "Fit synthetic prompts to the server's /tokenize (vLLM, SGLang) so input lengths are exact by the server's count",
    default: true,
    flags: [{ name: 'calibrate' }],
  }),
  threads: option(expecting(z.union([whole(1), z.literal('auto')]), "a whole number of at least 1, or 'auto'"), {
    description: 'Load-generating threads for the scenario: each runs its share of every level',
    defaultText: 'auto',
    docs: 'scale.md',
    flags: [{ name: 'threads', placeholder: 'N|auto', defaultText: 'auto' }],
  }),
  repeat: option(whole(1), {
    description: 'Run each level this many times, each with its own warm-up, kept apart in the result: run-to-run variance measured, not assumed (comparisons use it)',
    default: 1,
    docs: 'verdicts.md',
    flags: [{ name: 'repeat', commands: ['run', 'bench'], placeholder: 'N' }],
  }),
  stopEarly: option(z.boolean(), {
    description: 'End a level as soon as its objectives are decided at 95% confidence under continuous monitoring, or a rate level is over-saturated; the number of requests becomes the most a level sends',
    default: false,
    docs: 'verdicts.md',
    flags: [{ name: 'stop-early', commands: ['run', 'bench'] }],
  }),
  minRequests: option(whole(10), {
    description: 'With stopEarly: no level stops before this many measured requests',
    default: 100,
    docs: 'verdicts.md',
    flags: [{ name: 'min-requests', commands: ['run', 'bench'], placeholder: 'N', requires: { flags: ['stop-early'], message: 'applies with --stop-early: pass it too' } }],
  }),
  baseline: option(nonEmpty(), {
    description: 'A result to compare with as the run finishes (a file, a folder of repeats, history:latest or history:<id>): a figure that regressed fails the scenario',
    docs: 'verdicts.md',
    flags: [{ name: 'baseline', commands: ['run', 'bench'], placeholder: 'FILE|history:latest' }],
  }),
  confidence: option(z.enum(CONFIDENCE_RULES), {
    description: 'How objectives are decided from their interval: lenient fails only when the data show a miss, strict passes only when they show it met, point compares the estimate; marginal ones are flagged either way',
    default: 'lenient',
    docs: 'verdicts.md',
    flags: [{ name: 'confidence', commands: ['run', 'bench'], placeholder: 'RULE' }],
  }),
  recordsLimit: option(whole(0), {
    description: 'Records each level keeps in the result (a seeded sample beyond it); the records file has every one',
    defaultText: '100,000 (fewer past 3 levels)',
    flags: [{ name: 'records-limit', placeholder: 'N' }],
  }),
  // Kinds of request beyond text (issue 17): images, audio, LoRA adapters, structured outputs, cost.
  ...kindsShape,
  // Sessions, tool loops and the prefix cache (sessions.ts).
  ...sessionShape,
} as const

export const scenarioSchema = z.strictObject(scenarioShape).superRefine(constraints)

/** A bench's options: the scenario's, and its objectives. */
export const benchShape = {
  ...scenarioShape,
  slo: option(sloSchema, {
    description: 'Objectives checked after the run; a missed one fails the scenario',
    flags: [
      { name: 'goodput', path: 'goodput', parse: parseSlo, repeatable: true, placeholder: 'ttft:500,tpot:50', describe: 'SLO bounds in ms for goodput, e.g. ttft:500,tpot:50 (keys ttft, ttfc, tpot, itl, e2e; vLLM\'s "ttft:500 tpot:50" works too)' },
      { name: 'expect', parse: parseExpect, repeatable: true, placeholder: "'FIGURE OP N'", describe: "An objective checked on every level, e.g. 'ttft.p95 < 500', 'errors.rate < 0.01', 'goodput >= 0.9' (with --goodput's bounds); repeatable; a missed one exits 1 (and --stop-early can settle it)" },
    ],
  }),
} as const

export const benchSchema = z.strictObject(benchShape).superRefine(constraints)

export type ScenarioDefaults = z.input<typeof scenarioSchema>
export type BenchOptions = z.input<typeof benchSchema>

/** Rules between options of one layer. Rules across layers (a sweep's goodput bounds) are checked once resolved. */
function constraints(o: { repeat?: number; stopEarly?: boolean; arrival?: string; burstiness?: number; ramp?: { of?: string; from: number; to: number; shape?: string }; sweep?: { start?: number; max?: number }; rate?: unknown }, ctx: z.RefinementCtx): void {
  if (o.burstiness !== undefined && o.arrival !== undefined && o.arrival !== 'gamma') {
    ctx.addIssue({ code: 'custom', path: ['burstiness'], input: o.burstiness, message: `applies to gamma arrivals only (arrival is ${o.arrival})` })
  }
  if (o.ramp) {
    const r = o.ramp
    if (r.of !== 'rate') {
      for (const k of ['from', 'to'] as const) {
        if (!Number.isInteger(r[k]) || r[k] < 1) ctx.addIssue({ code: 'custom', path: ['ramp', k], input: r[k], message: `must be a whole number of at least 1, got ${r[k]}` })
      }
    }
    if (r.shape === 'exponential' && r.from <= 0) ctx.addIssue({ code: 'custom', path: ['ramp', 'from'], input: r.from, message: 'must be above 0 for an exponential ramp' })
    if (o.sweep) ctx.addIssue({ code: 'custom', path: ['ramp'], input: o.ramp, message: 'cannot be combined with sweep: a sweep chooses its own levels' })
    if (o.rate !== undefined) ctx.addIssue({ code: 'custom', path: ['ramp'], input: o.ramp, message: 'replaces rate: give the ramp alone, e.g. { of: "rate", from: 1, to: 20, over: "60s" }' })
  }
  if (o.sweep && o.stopEarly) {
    ctx.addIssue({ code: 'custom', path: ['stopEarly'], input: o.stopEarly, message: 'cannot be combined with sweep: a sweep decides each probe from all its requests' })
  }
  if (o.sweep && o.repeat !== undefined && o.repeat > 1) {
    ctx.addIssue({ code: 'custom', path: ['repeat'], input: o.repeat, message: 'cannot be combined with sweep: a sweep chooses its levels one probe at a time' })
  }
  const s = o.sweep
  if (s?.start !== undefined && s.max !== undefined && s.max < s.start) {
    ctx.addIssue({ code: 'custom', path: ['sweep', 'max'], input: s.max, message: `must be at least sweep.start (${s.start}), got ${s.max}` })
  }
}
