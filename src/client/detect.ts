/**
 * What a server speaks and which model it serves, asked once before a run: `endpoint: 'auto'`
 * and `llmbench run` without --model. Each probe is a cheap GET; the first that answers wins.
 */
import { UsageError } from '../errors.js'
import { describeError } from './http.js'
import { BodyTooLargeError, readCapped, sizeText } from './capped-body.js'

interface Probe {
  path: string
  endpoint: string
  /** The model named in the answer, or undefined when the answer is not this protocol's. */
  model(body: any): string | undefined | null
}

// OpenAI-compatible first: vLLM, SGLang, LMDeploy, llama.cpp, TensorRT-LLM's trtllm-serve and
// recent TGI and Ollama all serve /v1/models; the native protocols are the fallback.
const PROBES: Probe[] = [
  { path: '/v1/models', endpoint: 'chat', model: (b) => (Array.isArray(b?.data) ? (b.data[0]?.id ?? null) : undefined) },
  { path: '/v2/health/ready', endpoint: 'triton', model: () => null },
  { path: '/api/tags', endpoint: 'ollama', model: (b) => (Array.isArray(b?.models) ? (b.models[0]?.name ?? null) : undefined) },
  { path: '/info', endpoint: 'tgi', model: (b) => (typeof b?.model_id === 'string' ? b.model_id : undefined) },
]

/** A probe's answer is a short JSON document: a server listing thousands of models stays far below this. */
export const MAX_PROBE_BYTES = 8 * 1024 * 1024
/** Errors that mean nothing answers at that address: no other probe is tried. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])
const PROBE_TIMEOUT_MS = 10_000

export interface Detected {
  endpoint: string
  /** The first model the server lists, when it lists any. */
  model?: string
  /** The probe that answered, for the user: `GET /api/tags`. */
  via: string
}

export async function detectServer(server: string, headers: Record<string, string>): Promise<Detected> {
  const base = server.replace(/\/+$/, '').replace(/\/v1$/, '')
  let lastError: { err: Error; path: string } | undefined
  for (const probe of PROBES) {
    let status: number
    let text: string
    try {
      // undici loads on first use, not with every command (docs/performance.md, Start-up).
      const res = await (await import('undici')).request(base + probe.path, { headers, headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS })
      status = res.statusCode
      text = await readCapped(res.body, MAX_PROBE_BYTES)
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        throw new UsageError(`${server} answered GET ${probe.path} with more than ${sizeText(MAX_PROBE_BYTES)}: not an answer llmbench can read. Set the model and the endpoint (--model, --endpoint).`)
      }
      lastError = { err: err as Error, path: probe.path }
      if (UNREACHABLE.has(errorCode(err))) break
      continue
    }
    if (status !== 200) continue
    let body: unknown = null
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      if (probe.endpoint !== 'triton') continue
    }
    const model = probe.model(body)
    if (model === undefined) continue
    return { endpoint: probe.endpoint, ...(model ? { model } : {}), via: `GET ${probe.path}` }
  }
  if (lastError) {
    const { err, path } = lastError
    const code = errorCode(err)
    if (TIMEOUTS.has(code)) throw new UsageError(`the server at ${server} did not answer GET ${path} within ${PROBE_TIMEOUT_MS / 1000} s. Check that it is up, or set the model and the endpoint (--model, --endpoint).`)
    if (UNREACHABLE.has(code) || code === 'ECONNRESET') throw new UsageError(`cannot reach the server at ${server}: ${describeError(err)}. Start it, or pass the right --server URL.`)
    throw new UsageError(`GET ${path} at ${server} failed: ${describeError(err)}. Set the model and the endpoint (--model, --endpoint).`)
  }
  throw new UsageError(`could not tell which API ${server} speaks (none of ${PROBES.map((p) => p.path).join(', ')} answered): pass --endpoint`)
}

function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } }
  return e?.code ?? e?.cause?.code ?? ''
}
