/**
 * Options of the kinds of request beyond text (issue 17): images and audio in chat requests, LoRA
 * adapters, structured outputs and their validity check, and the price of what tokens cost. Spread
 * into the scenario's options (scenario.ts); docs/request-kinds.md explains each.
 */
import * as z from 'zod'
import { expecting, option } from './declare.js'
import { nonEmpty, positive, whole } from './values.js'
import { imageSizeFlag, listFlag, rangeFlag } from './kinds-flags.js'

export const IMAGE_FORMATS = ['png', 'jpeg'] as const
export const LORA_ASSIGNMENTS = ['random', 'round-robin', 'dataset'] as const
export const LORA_FIELDS = ['model', 'lora_path'] as const
export const RESPONSE_FORMATS = ['json_object', 'json_schema'] as const
export const VALIDITY_CHECKS = ['json', 'schema', 'tool-args', 'none'] as const

/** A number, or the range [min, max] each request draws from (uniform, both ends included). */
const sizeOrRange = (what: string) =>
  expecting(
    z.union([whole(1), z.tuple([whole(1), whole(1)]).refine(([a, b]) => a <= b, { message: 'must be [min, max] with min <= max' })]),
    `a whole number of ${what}, or [min, max]`,
  )

const secondsOrRange = expecting(
  z.union([positive(), z.tuple([positive(), positive()]).refine(([a, b]) => a <= b, { message: 'must be [min, max] with min <= max' })]),
  'a number of seconds above 0, or [min, max]',
)

const imagesSchema = expecting(
  z.strictObject({
    /** Images per request. */
    count: whole(1).optional(),
    width: sizeOrRange('pixels').optional(),
    height: sizeOrRange('pixels').optional(),
    format: z.enum(IMAGE_FORMATS).optional(),
    /** Image files from this folder (in a seeded order) instead of synthetic images. */
    dir: nonEmpty().optional(),
  }).superRefine((i, ctx) => {
    if (i.dir !== undefined) {
      for (const k of ['width', 'height', 'format'] as const) {
        if (i[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], input: i[k], message: 'applies to synthetic images, not to {@dir}' })
      }
    }
  }),
  "an object like { count: 3, width: 512, height: 512 } or { dir: './images' }",
)

const audioSchema = expecting(
  z.strictObject({
    count: whole(1).optional(),
    /** Synthetic clips' length. */
    seconds: secondsOrRange.optional(),
    /** Audio files (.wav, .mp3) from this folder instead of synthetic clips. */
    dir: nonEmpty().optional(),
  }).superRefine((a, ctx) => {
    if (a.dir !== undefined && a.seconds !== undefined) ctx.addIssue({ code: 'custom', path: ['seconds'], input: a.seconds, message: 'applies to synthetic clips, not to {@dir}' })
  }),
  "an object like { count: 1, seconds: 5 } or { dir: './clips' }",
)

const loraSchema = expecting(
  z.strictObject({
    adapters: expecting(z.array(z.string().regex(/\S/)).min(1), 'a list of adapter names, e.g. ["sql-lora", "chat-lora"]'),
    /** `random` only: the chance of each adapter, in the order of `adapters` (normalised). */
    weights: expecting(z.array(z.number().min(0)).min(1), 'a list of weights, one per adapter, e.g. [0.7, 0.3]').optional(),
    assignment: z.enum(LORA_ASSIGNMENTS).optional(),
    field: z.enum(LORA_FIELDS).optional(),
  }).superRefine((l, ctx) => {
    if (l.weights === undefined) return
    if (l.weights.length !== l.adapters.length) {
      ctx.addIssue({ code: 'custom', path: ['weights'], input: l.weights, message: `must give one weight per adapter (${l.adapters.length}), got ${l.weights.length}` })
    } else if (!l.weights.some((w) => w > 0)) {
      ctx.addIssue({ code: 'custom', path: ['weights'], input: l.weights, message: 'must have a weight above 0' })
    }
    if ((l.assignment ?? 'random') !== 'random') ctx.addIssue({ code: 'custom', path: ['weights'], input: l.weights, message: `apply to random assignment only ({@assignment} is ${l.assignment})` })
  }),
  "an object like { adapters: ['a', 'b'], weights: [0.7, 0.3] }",
)

/** A user's own validity check: true (or nothing) is valid; false or a reason is invalid. */
export type ValidityFunction = (output: { text: string; toolCalls: Array<{ name: string; arguments: string }> }) => boolean | string | void

const validityFunction = expecting(
  z.custom<ValidityFunction>((v) => typeof v === 'function'),
  'a function of the output',
)

const structuredSchema = expecting(
  z.strictObject({
    responseFormat: z.enum(RESPONSE_FORMATS).optional(),
    /** The JSON Schema of json_schema (an object, or the path of a .json file); implies json_schema. */
    schema: z.union([nonEmpty(), z.record(z.string(), z.unknown())]).optional(),
    schemaName: nonEmpty().optional(),
    /** Tools the model may call: [{ name, description?, parameters }] (or OpenAI's { type: 'function', function }), or a .json file. */
    tools: z.union([nonEmpty(), z.array(z.record(z.string(), z.unknown())).min(1)]).optional(),
    toolChoice: nonEmpty().optional(),
    /** How each answer is judged: default schema with a schema, tool-args with tools, json with json_object. */
    check: z.union([z.enum(VALIDITY_CHECKS), validityFunction]).optional(),
  }).superRefine((s, ctx) => {
    if (s.responseFormat === 'json_object' && s.schema !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['schema'], input: s.schema, message: 'goes with {@responseFormat} json_schema, not json_object' })
    }
    if (s.responseFormat === 'json_schema' && s.schema === undefined) {
      ctx.addIssue({ code: 'custom', path: ['responseFormat'], input: s.responseFormat, message: 'json_schema needs {@schema} (an object or a .json file)' })
    }
    if (s.responseFormat === undefined && s.schema === undefined && s.tools === undefined && typeof s.check !== 'function' && s.check !== 'json') {
      ctx.addIssue({ code: 'custom', path: [], input: s, message: 'needs responseFormat, schema, tools, or a check of its own, e.g. { responseFormat: "json_object" }' })
    }
    if (s.check === 'schema' && s.schema === undefined) ctx.addIssue({ code: 'custom', path: ['check'], input: s.check, message: 'schema needs {@schema}' })
    if (s.check === 'tool-args' && s.tools === undefined) ctx.addIssue({ code: 'custom', path: ['check'], input: s.check, message: 'tool-args needs {@tools}' })
  }),
  "an object like { responseFormat: 'json_object' } or { schema: {...} } or { tools: [...] }",
)

const costSchema = expecting(
  z.strictObject({
    /** Price of one GPU for an hour. */
    perHour: positive().optional(),
    gpus: whole(1).optional(),
    /** Hosted APIs: price per million input and output tokens. */
    perMillionInput: z.number().min(0).optional(),
    perMillionOutput: z.number().min(0).optional(),
  }).superRefine((c, ctx) => {
    const perToken = c.perMillionInput !== undefined || c.perMillionOutput !== undefined
    if (c.perHour !== undefined && perToken) ctx.addIssue({ code: 'custom', path: ['perHour'], input: c.perHour, message: 'and per-token prices cannot both be given: price the GPUs by the hour, or the tokens' })
    if (c.gpus !== undefined && c.perHour === undefined) ctx.addIssue({ code: 'custom', path: ['gpus'], input: c.gpus, message: 'applies to {@perHour}, the price of one GPU for an hour' })
    if (c.perHour === undefined && !perToken) ctx.addIssue({ code: 'custom', path: [], input: c, message: 'needs a price: perHour (with gpus) or perMillionInput / perMillionOutput' })
  }),
  'an object like { perHour: 2.5, gpus: 8 } or { perMillionInput: 0.15, perMillionOutput: 0.6 }',
)

/** A GPU-hour price (× GPUs), or a hosted API's prices per million tokens. */
export type CostOptions = z.output<typeof costSchema>

const IMAGES_ONLY = { flags: ['images', 'image-dir'], message: 'applies to images in requests: pass --images N (or --image-dir DIR) too' }
const AUDIO_ONLY = { flags: ['audio', 'audio-dir'], message: 'applies to audio in requests: pass --audio N (or --audio-dir DIR) too' }
const LORA_ONLY = { flags: ['lora'], message: 'applies to LoRA adapters: pass --lora a,b,c too' }
const HOURLY_ONLY = { flags: ['gpu-hourly-cost'], message: 'applies to --gpu-hourly-cost, the price of one GPU for an hour' }

export const kindsShape = {
  images: option(imagesSchema, {
    description: 'Images in every chat request (OpenAI image_url parts): synthetic, seeded PNG or JPEG of a size or a range of sizes, or files from a folder',
    docs: 'request-kinds.md',
    flags: [
      { name: 'images', path: 'count', placeholder: 'N', describe: 'Synthetic images per chat request (PNG by default, 512x512 unless --image-size)' },
      { name: 'image-size', parse: imageSizeFlag, placeholder: 'WxH', requires: IMAGES_ONLY, describe: 'Size of synthetic images, e.g. 512x512, or ranges 256-1024x256-768 drawn per image' },
      { name: 'image-format', path: 'format', placeholder: 'png|jpeg', requires: IMAGES_ONLY, describe: 'Format of synthetic images' },
      { name: 'image-dir', path: 'dir', placeholder: 'DIR', describe: 'Send image files from this folder (seeded order) instead of synthetic images' },
    ],
  }),
  audio: option(audioSchema, {
    description: 'Audio clips in every chat request (OpenAI input_audio parts): synthetic WAV of a length or range, or files from a folder',
    docs: 'request-kinds.md',
    flags: [
      { name: 'audio', path: 'count', placeholder: 'N', describe: 'Synthetic WAV clips per chat request (5 s unless --audio-seconds)' },
      { name: 'audio-seconds', path: 'seconds', parse: rangeFlag, placeholder: 'S|MIN-MAX', requires: AUDIO_ONLY, describe: 'Length of synthetic clips in seconds, or a range drawn per clip' },
      { name: 'audio-dir', path: 'dir', placeholder: 'DIR', describe: 'Send audio files (.wav, .mp3) from this folder instead of synthetic clips' },
    ],
  }),
  lora: option(loraSchema, {
    description: "LoRA adapters: each request names one (in its model field, or SGLang's lora_path), drawn at random with weights, in turn, or as each dataset row says",
    docs: 'request-kinds.md',
    flags: [
      { name: 'lora', path: 'adapters', parse: listFlag, placeholder: 'a,b,c', describe: 'LoRA adapters to spread requests over (vLLM --lora-modules names); figures are broken down per adapter' },
      { name: 'lora-weights', path: 'weights', placeholder: '0.7,0.3', requires: LORA_ONLY, describe: 'Random assignment: the weight of each adapter, in --lora order' },
      { name: 'lora-assignment', path: 'assignment', placeholder: 'MODE', requires: LORA_ONLY, describe: 'random (with --lora-weights), round-robin, or dataset (each row\'s "lora")' },
      { name: 'lora-field', path: 'field', placeholder: 'FIELD', requires: LORA_ONLY, describe: "Where the adapter goes: model (vLLM, SGLang) or lora_path (SGLang's field; model stays the base)" },
    ],
  }),
  structured: option(structuredSchema, {
    description: 'Structured outputs: a response_format (json_object, json_schema) or tools, and how each answer is checked for validity',
    docs: 'request-kinds.md',
    flags: [
      { name: 'response-format', path: 'responseFormat', placeholder: 'KIND', describe: 'Ask for JSON output: json_object, or json_schema (with --json-schema)' },
      { name: 'json-schema', path: 'schema', placeholder: 'FILE', describe: 'A JSON Schema file: ask for output matching it (json_schema) and check each answer against it' },
      // Not --tools: that flag offers an agent tool loop its tools (options/sessions.ts).
      { name: 'structured-tools', path: 'tools', placeholder: 'FILE', describe: 'A JSON file of tools ([{"name", "parameters"}]) every request offers: tool-call arguments are checked against their parameters' },
      { name: 'structured-tool-choice', path: 'toolChoice', placeholder: 'auto|required|NAME', describe: 'tool_choice to send with --structured-tools (default: required)' },
      { name: 'validity', path: 'check', placeholder: 'CHECK', describe: 'How each answer is checked: json (parses), schema, tool-args, none (default: from what is asked for)' },
    ],
  }),
  cost: option(costSchema, {
    description: 'Price of the serving, for cost per million tokens: a GPU-hour price and GPU count, or per-token prices of a hosted API',
    docs: 'request-kinds.md',
    flags: [
      { name: 'gpu-hourly-cost', path: 'perHour', placeholder: 'PRICE', describe: 'Price of one GPU for an hour (e.g. 2.5): cost per million output and input tokens' },
      { name: 'gpus', path: 'gpus', placeholder: 'N', requires: HOURLY_ONLY, describe: 'GPUs the server runs on (with --gpu-hourly-cost; default 1)' },
      { name: 'price-input', path: 'perMillionInput', placeholder: 'PRICE', describe: "A hosted API's price per million input tokens" },
      { name: 'price-output', path: 'perMillionOutput', placeholder: 'PRICE', describe: "A hosted API's price per million output tokens" },
    ],
  }),
} as const
