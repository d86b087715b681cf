/**
 * The request kinds' options (options/kinds.ts) as the runner takes them (docs/request-kinds.md):
 * defaults filled in, folders and files resolved against the config's folder, schema and tool
 * files read and compiled, and the rules that need other options (a dataset for per-row adapters,
 * a check for goodput with validity, an endpoint that can send them) checked with the key to fix.
 */
import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { OptionError } from '../options/check.js'
import type { BenchOptions } from '../options/scenario.js'
import type { SloSet } from '../options/slo.js'
import type { MediaSpec } from '../data/media.js'
import type { LoraSpec } from '../data/lora.js'
import { checkSchema, type StructuredSpec, type ToolSpec } from '../client/structured.js'
import { kindsRefusal } from '../client/kinds-check.js'
import type { ScenarioOptions } from '../runner/types.js'

type Kinds = Pick<BenchOptions, 'images' | 'audio' | 'lora' | 'structured' | 'cost'>

const DEFAULT_IMAGE_SIDE = 512
const DEFAULT_AUDIO_SECONDS = 5

const range = (v: number | [number, number] | undefined, dflt: number): [number, number] => (v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]])
const pathIn = (root: string, p: string) => (isAbsolute(p) ? p : resolve(root, p))

/** The runner's kinds options; `endpoint` is checked unless it is still `auto` (the runner checks it once known). */
export function resolveKinds(k: Kinds, ctx: { root: string; endpoint: string; dataset: boolean; goodput?: SloSet }): Pick<ScenarioOptions, 'media' | 'lora' | 'structured' | 'cost'> {
  const out: Pick<ScenarioOptions, 'media' | 'lora' | 'structured' | 'cost'> = {}
  const media: MediaSpec = {}
  if (k.images) {
    const i = k.images
    media.images = i.dir !== undefined
      ? { count: i.count ?? 1, dir: existingDir(pathIn(ctx.root, i.dir), ['images', 'dir']) }
      : { count: i.count ?? 1, width: range(i.width, DEFAULT_IMAGE_SIDE), height: range(i.height, DEFAULT_IMAGE_SIDE), format: i.format ?? 'png' }
  }
  if (k.audio) {
    const a = k.audio
    media.audio = a.dir !== undefined
      ? { count: a.count ?? 1, dir: existingDir(pathIn(ctx.root, a.dir), ['audio', 'dir']) }
      : { count: a.count ?? 1, seconds: range(a.seconds, DEFAULT_AUDIO_SECONDS) }
  }
  if (media.images || media.audio) out.media = media
  if (k.lora) {
    const l = k.lora
    const lora: LoraSpec = { adapters: [...l.adapters], assignment: l.assignment ?? 'random', field: l.field ?? 'model', ...(l.weights ? { weights: [...l.weights] } : {}) }
    if (lora.assignment === 'dataset' && !ctx.dataset) throw new OptionError(['lora', 'assignment'], 'dataset reads each row\'s "lora": give a JSONL dataset too ({@/dataset.path})')
    out.lora = lora
  }
  if (k.structured) out.structured = structuredSpec(k.structured, ctx.root)
  if (ctx.goodput?.valid && (!out.structured || out.structured.check === 'none')) {
    throw new OptionError(['slo', 'goodput', 'valid'], 'asks for valid output, which needs a validity check: ask for structured output too ({@/structured.responseFormat}, {@/structured.schema} or {@/structured.tools})', true)
  }
  if (k.cost) out.cost = { ...k.cost }
  if (ctx.endpoint !== 'auto') {
    const refused = kindsRefusal(ctx.endpoint, out)
    if (refused) throw new OptionError(refused.path, refused.message, true)
  }
  return out
}

function existingDir(path: string, key: string[]): string {
  let dir = false
  try {
    dir = statSync(path).isDirectory()
  } catch {
    throw new OptionError(key, `${path} does not exist: give a folder of files`, true)
  }
  if (!dir) throw new OptionError(key, `${path} is not a folder`, true)
  return path
}

function readJson(path: string, key: string[]): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new OptionError(key, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a JSON file`, true)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new OptionError(key, `${path} is not JSON: ${(err as Error).message}`, true)
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function compiles(schema: Record<string, unknown>, key: Array<string | number>): void {
  try {
    checkSchema(schema)
  } catch (err) {
    throw new OptionError(key, `is not a JSON Schema ajv can compile: ${(err as Error).message}`, true)
  }
}

function structuredSpec(s: NonNullable<Kinds['structured']>, root: string): StructuredSpec {
  const spec: StructuredSpec = { check: 'none' }
  if (s.schema !== undefined) {
    const schema = typeof s.schema === 'string' ? readJson(pathIn(root, s.schema), ['structured', 'schema']) : s.schema
    if (!isObject(schema)) throw new OptionError(['structured', 'schema'], 'must be a JSON Schema object', true)
    compiles(schema, ['structured', 'schema'])
    spec.responseFormat = { type: 'json_schema', name: s.schemaName ?? 'output', schema }
  } else if (s.responseFormat === 'json_object') {
    spec.responseFormat = { type: 'json_object' }
  }
  if (s.tools !== undefined) spec.tools = toolsOf(typeof s.tools === 'string' ? readJson(pathIn(root, s.tools), ['structured', 'tools']) : s.tools)
  if (s.toolChoice !== undefined) {
    if (!spec.tools) throw new OptionError(['structured', 'toolChoice'], 'applies to tools: give {@tools} too')
    const known = ['auto', 'required', 'none', ...spec.tools.map((t) => t.name)]
    if (!known.includes(s.toolChoice)) throw new OptionError(['structured', 'toolChoice'], `must be auto, required, none or a tool's name (${spec.tools.map((t) => t.name).join(', ')}), got "${s.toolChoice}"`, true)
    spec.toolChoice = s.toolChoice
  }
  spec.check = s.check ?? (spec.responseFormat?.type === 'json_schema' ? 'schema' : spec.tools ? 'tool-args' : 'json')
  return spec
}

/** Tools as `{ name, description?, parameters }`, or OpenAI's `{ type: 'function', function: {…} }`. */
function toolsOf(value: unknown): ToolSpec[] {
  const key: Array<string | number> = ['structured', 'tools']
  if (!Array.isArray(value) || value.length === 0) throw new OptionError(key, 'must be a list of tools like [{ "name": "get_weather", "parameters": { "type": "object" } }]', true)
  return value.map((raw, i) => {
    const t = isObject(raw) && isObject(raw.function) ? raw.function : raw
    if (!isObject(t) || typeof t.name !== 'string' || !t.name) throw new OptionError([...key, i], 'needs a "name" (and "parameters", a JSON Schema)', true)
    const parameters = t.parameters ?? { type: 'object' }
    if (!isObject(parameters)) throw new OptionError([...key, i, 'parameters'], 'must be a JSON Schema object', true)
    compiles(parameters, [...key, i, 'parameters'])
    return { name: t.name, ...(typeof t.description === 'string' ? { description: t.description } : {}), parameters }
  })
}
