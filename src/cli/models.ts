/** The model a server serves, for `llmbench run` without --model (as vLLM's client does). */
import { request } from 'undici'
import { UsageError } from '../errors.js'
import { describeError } from '../client/http.js'

export async function detectModel(server: string, headers: Record<string, string>, apiKey?: string): Promise<string> {
  const base = server.replace(/\/v1$/, '')
  const auth = apiKey ? { authorization: `Bearer ${apiKey}` } : {}
  let body: any
  try {
    const res = await request(`${base}/v1/models`, { headers: { ...headers, ...auth }, headersTimeout: 10_000, bodyTimeout: 10_000 })
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new UsageError(`could not list the models of ${server} (HTTP ${res.statusCode} from /v1/models): pass --model NAME`)
    }
    body = await res.body.json()
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`cannot reach the server at ${server}: ${describeError(err as Error)}. Start it, or pass the right --server URL.`)
  }
  const id = body?.data?.[0]?.id
  if (typeof id !== 'string') throw new UsageError(`${server}/v1/models lists no model: pass --model NAME`)
  return id
}
