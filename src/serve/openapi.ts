/**
 * The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json. Self-contained: the
 * result and suite JSON Schemas llmbench ships are embedded under components (their references
 * rewritten to point there), so a client generator needs no other file.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonSchemaOf } from '../options/json-schema.js'
import { runRequestSchema } from '../options/run-request.js'
import { STORED_STATUSES } from '../store/store.js'
import { PACKAGE_ROOT, VERSION } from '../version.js'

type Schema = Record<string, unknown>
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } })
const error = (description: string) => json(ref('Error'), description)
const str = { type: 'string' }
const int = { type: 'integer', minimum: 0 }
const date = { type: 'string', format: 'date-time' }
const ID = { name: 'id', in: 'path', required: true, description: 'A run id, as the history lists it', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' } }
const object = (properties: Schema, required: string[] = Object.keys(properties)) => ({ type: 'object', additionalProperties: false, required, properties })

function components(): Schema {
  const load = (name: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', name), 'utf8')) as Schema
  const level = { type: 'object', description: 'A level as the result holds it: loads, request counts, statistics', additionalProperties: true }
  const runRequest = jsonSchemaOf(runRequestSchema, '#/components/schemas/')
  return {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The access token: required when the server was started with one (always, off loopback)' } },
    schemas: {
      RunResult: embed(load('result.schema.json'), 'RunResult'),
      SuiteResult: embed(load('suite.schema.json'), 'SuiteResult'),
      Result: { oneOf: [ref('RunResult'), ref('SuiteResult')] },
      LevelSummary: { $ref: '#/components/schemas/RunResult/$defs/summary' },
      ScenarioOptions: { $ref: '#/components/schemas/RunResult/$defs/scenario' },
      Error: object({ error: object({ code: str, message: str }) }),
      Run: object({
        id: str, status: { enum: STORED_STATUSES }, origin: { enum: ['api', 'upload', 'cli'] }, kind: { enum: ['run', 'suite'] },
        name: str, createdAt: date, startedAt: date, finishedAt: date, servers: { type: 'array', items: str }, models: { type: 'array', items: str },
        scenarios: int, levels: int, version: str, error: str, hasResult: { type: 'boolean' }, options: ref('ScenarioOptions'),
        digest: { type: 'array', description: "Each scenario's key, name, settings, headline lines and key figures per level (src/report/digest.ts)", items: { type: 'object' } },
        baseline: { type: 'boolean', description: 'Marked as the baseline of its scenarios' },
      }, ['id', 'status', 'origin', 'kind', 'createdAt', 'servers', 'models', 'scenarios', 'levels', 'hasResult']),
      RunPage: object({ runs: { type: 'array', items: ref('Run') }, total: int, limit: int, offset: int }),
      Sample: { type: 'array', description: '[seconds since measuring began, TTFT ms or null, E2E ms, output tokens, 1 ok / 0 failed]', prefixItems: [{ type: 'number' }, { type: ['number', 'null'] }, { type: 'number' }, int, { enum: [0, 1] }], minItems: 5, maxItems: 5 },
      LiveLevel: object({
        index: int, label: str, load: { type: 'object' }, phase: { enum: ['warmup', 'measuring', 'done'] }, total: int, durationSec: { type: 'number' },
        done: int, failed: int, samples: { type: 'array', items: ref('Sample') }, stride: { type: 'integer', minimum: 1 }, summary: ref('LevelSummary'),
      }, ['index', 'label', 'load', 'phase', 'done', 'failed', 'samples', 'stride']),
      LiveProgress: object({ planned: { type: ['integer', 'null'] }, levels: { type: 'array', items: ref('LiveLevel') }, notices: { type: 'array', items: str } }),
      RunState: object({ run: ref('Run'), progress: ref('LiveProgress'), position: { ...int, description: '0: running; n: n-th in the queue' } }, ['run']),
      Accepted: object({ id: str, run: ref('Run') }),
      RunOnly: object({ run: ref('Run') }),
      Deleted: object({ deleted: str }),
      Servers: object({ servers: { type: 'array', items: object({ name: str, url: str, model: str, endpoint: str }, ['url']) } }),
      Health: object({ status: { const: 'ok' }, version: str, store: { enum: ['file', 'postgres'] }, running: { type: ['string', 'null'] }, queued: int }),
      ...runRequest.defs,
      RunRequest: { ...runRequest.schema, description: "A bench file's scenario options (docs/bench-files.md), a name, and goodput bounds under slo.goodput" },
      CompareRequest: object({ ids: { type: 'array', items: str, minItems: 2, maxItems: 8, description: 'The first is the baseline' } }),
      Verdicts: { $ref: '#/components/schemas/RunResult/$defs/verdicts' },
      Comparison: object({
        against: { type: 'array', description: 'Each later run against the first: the verdict document of docs/verdicts.md (every figure, its change, interval and verdict)', items: { allOf: [{ type: 'object', required: ['run'], properties: { run: int } }, ref('Verdicts')] } },
      }),
      ReportData: {
        type: 'object', description: 'What the HTML report draws (src/report/types.ts): a digest of the results, never the records',
        required: ['version', 'kind', 'generatedAt', 'generator', 'runs'],
        properties: { version: { const: 1 }, kind: { enum: ['runs', 'history'] }, generatedAt: date, generator: str, runs: { type: 'array', items: { type: 'object', properties: { levels: level } } }, comparison: ref('Comparison') },
      },
      CompareResponse: object({ ids: { type: 'array', items: str }, report: ref('ReportData') }),
    },
  }
}

const RUN_EVENTS = `Server-sent events. First \`snapshot\` ({ run, progress?, position? }), then while the run is live:
\`run\` ({ run }: its state changed), \`level-start\`, \`measuring\` (warm-up over), \`progress\` ({ index, done, failed, samples }:
every 250 ms), \`level-end\` ({ index, summary }), \`notice\` ({ line }); last \`end\` ({ run }) or \`deleted\` ({ id }), and the stream closes.
Each event's data is one line of JSON; folding them in order with applyEvent (src/serve/progress.ts) gives the LiveProgress snapshot.`

const LIST_EVENTS = `Server-sent events: \`hello\` ({ version }) at once, then \`run\` ({ run }) whenever a run is queued, starts,
ends, is uploaded or is marked as a baseline, and \`deleted\` ({ id }). Each event's data is one line of JSON.`

function paths(): Schema {
  const id = { parameters: [ID] }
  const notFound = { 400: error('Not a run id'), 404: error('No such run') }
  return {
    '/api/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: json({ type: 'object' }, 'OpenAPI 3.1') } } },
    '/api/v1/health': { get: { summary: 'Liveness, version, store and queue', security: [], responses: { 200: json(ref('Health'), 'Up') } } },
    '/api/v1/benchmark/servers': { get: { summary: 'The servers runs may target (the allow-list)', responses: { 200: json(ref('Servers'), 'Names and URLs, never credentials') } } },
    '/api/v1/benchmark/run': {
      post: {
        summary: 'Queue a run; it starts when the runs before it are done',
        requestBody: { required: true, content: { 'application/json': { schema: ref('RunRequest') } } },
        responses: {
          202: json(ref('Accepted'), 'Queued; Location names the run'), 400: error('Bad JSON or an invalid option (one line naming the key)'),
          403: error('Server, DCGM exporter or file not allowed'), 413: error('Body over 1 MiB'), 415: error('Not JSON'),
          429: error('32 runs are already waiting (Retry-After)'), 503: error('The server is stopping'),
        },
      },
    },
    '/api/v1/benchmark/run/{id}': {
      ...id,
      get: { summary: 'A run: its state, and live progress while queued or running', responses: { 200: json(ref('RunState'), 'The run'), ...notFound } },
      delete: { summary: 'Delete a run and its result (a queued run leaves the queue, a running one is aborted first)', responses: { 200: json(ref('Deleted'), 'Deleted'), ...notFound } },
    },
    '/api/v1/benchmark/run/{id}/events': {
      ...id,
      get: { summary: 'Follow a run live', responses: { 200: { description: RUN_EVENTS, content: { 'text/event-stream': { schema: str } } }, ...notFound } },
    },
    '/api/v1/benchmark/run/{id}/baseline': {
      ...id,
      put: { summary: 'Mark a finished run as the baseline of its scenarios (any other baseline of them is unmarked)', responses: { 200: json(ref('RunOnly'), 'Marked'), ...notFound, 409: error('Still running, or no result') } },
      delete: { summary: 'Unmark a run as a baseline', responses: { 200: json(ref('RunOnly'), 'Unmarked'), ...notFound, 409: error('Still running') } },
    },
    '/api/v1/benchmark/run/{id}/verdict': {
      ...id,
      get: {
        summary: "The run's verdict against the baseline of its scenario (a run marked as baseline that started before it): the counts of regressed, improved, equivalent and inconclusive figures and the headline; null when there is none",
        responses: { 200: json(object({ verdict: { type: 'object', nullable: true, properties: { baseline: str, headline: str, counts: { type: 'object', additionalProperties: { type: 'integer' } } } } }), 'The verdict, or null'), ...notFound },
      },
    },
    '/api/v1/benchmark/events': {
      get: { summary: 'Follow the list of runs', responses: { 200: { description: LIST_EVENTS, content: { 'text/event-stream': { schema: str } } } } },
    },
    '/api/v1/benchmark/result/{id}': {
      ...id,
      get: { summary: "A finished run's result document", responses: { 200: json(ref('Result'), 'As llmbench run --output or the json reporter writes it'), ...notFound, 409: error('Still queued or running') } },
    },
    '/api/v1/benchmark/result': {
      post: {
        summary: 'Upload a result produced elsewhere (CI), so history fills from pipelines',
        parameters: [{ name: 'name', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } }],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Result') } } },
        responses: { 201: json(ref('Accepted'), 'Stored'), 400: error('Not JSON or not a result'), 413: error('Over the upload limit (--max-upload-mb)'), 422: error('Does not match the JSON Schema') },
      },
    },
    '/api/v1/benchmark/report/{id}': {
      ...id,
      get: { summary: "A finished run's report data, as the HTML report draws it", responses: { 200: json(ref('ReportData'), 'Report data'), ...notFound, 409: error('Still queued or running') } },
    },
    '/api/v1/benchmark/history': {
      get: {
        summary: 'Runs, newest first, with filters and paging',
        parameters: [
          ['q', 'Text in the id, name, models, servers, scenario names or command (case-insensitive)'], ['model', 'Exact model name'], ['server', 'Exact server URL'],
          ['status', STORED_STATUSES.join(', ')], ['from', 'Earliest start (ISO date or time)'], ['to', 'Latest start (ISO date or time)'],
          ['limit', '1 to 200, default 50'], ['offset', 'Runs to skip, default 0'],
        ].map(([name, description]) => ({ name, in: 'query', required: false, description, schema: ['limit', 'offset'].includes(name) ? int : str })),
        responses: { 200: json(ref('RunPage'), 'A page of runs'), 400: error('An unknown or invalid parameter') },
      },
    },
    '/api/v1/benchmark/compare': {
      post: {
        summary: 'Compare two or more results: each figure per level against the first, as the report does',
        requestBody: { required: true, content: { 'application/json': { schema: ref('CompareRequest') } } },
        responses: { 200: json(ref('CompareResponse'), 'The comparison, and the report data that draws it'), 400: error('Not 2 to 8 ids'), 404: error('A run or its result is missing') },
      },
    },
  }
}

let document: Schema | undefined

export function openApiDocument(): Schema {
  document ??= {
    openapi: '3.1.0',
    info: {
      title: 'llmbench serve',
      version: VERSION,
      description: 'Start load tests of LLM servers, follow them live, keep and compare their results (docs/serve.md). Errors are { "error": { "code", "message" } }.',
    },
    servers: [{ url: '/' }],
    security: [{}, { bearer: [] }],
    paths: withUnauthorized(paths()),
    components: components(),
  }
  return document
}

/** Every operation that takes the token can answer 401. */
function withUnauthorized(all: Schema): Schema {
  for (const item of Object.values(all) as Array<Record<string, { security?: unknown[]; responses?: Schema }>>) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters' || op.security?.length === 0 || !op.responses) continue
      op.responses[401] ??= error('The access token is missing or wrong')
    }
  }
  return all
}

/** A shipped JSON Schema as a component: no $id or $schema, every reference pointing inside this document. */
function embed(schema: Schema, name: string): Schema {
  const { $id: _id, $schema: _schema, ...rest } = schema
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite)
    if (v === null || typeof v !== 'object') return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => {
      if (k !== '$ref' || typeof x !== 'string') return [k, rewrite(x)]
      const [file, pointer] = x.split('#')
      return [k, `#/components/schemas/${file === 'result-2.json' ? 'RunResult' : file ? '' : name}${pointer}`]
    }))
  }
  return rewrite(rest) as Schema
}
