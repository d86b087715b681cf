/**
 * What a server speaks and which model it serves, asked once before a run: `endpoint: 'auto'`
 * and `llmbench run` without --model. Each probe is a cheap GET; the first that answers wins.
 */
import { request } from 'undici'
import { UsageError } from '../errors.js'
import { describeError } from './http.js'

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

export interface Detected {
  endpoint: string
  /** The first model the server lists, when it lists any. */
  model?: string
  /** The probe that answered, for the user: `GET /api/tags`. */
  via: string
}

export async function detectServer(server: string, headers: Record<string, string>): Promise<Detected> {
  const base = server.replace(/\/+$/, '').replace(/\/v1$/, '')
  let lastError: Error | undefined
  for (const probe of PROBES) {
    try {
      const res = await request(base + probe.path, { headers, headersTimeout: 10_000, bodyTimeout: 10_000 })
      const text = await res.body.text()
      if (res.statusCode !== 200) continue
      let body: unknown = null
      try {
        body = text ? JSON.parse(text) : null
      } catch {
        if (probe.endpoint !== 'triton') continue
      }
      const model = probe.model(body)
      if (model === undefined) continue
      return { endpoint: probe.endpoint, ...(model ? { model } : {}), via: `GET ${probe.path}` }
    } catch (err) {
      lastError = err as Error
      const code = (err as { code?: string }).code
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') break
    }
  }
  if (lastError) throw new UsageError(`cannot reach the server at ${server}: ${describeError(lastError)}. Start it, or pass the right --server URL.`)
  throw new UsageError(`could not tell which API ${server} speaks (none of ${PROBES.map((p) => p.path).join(', ')} answered): pass --endpoint`)
}
