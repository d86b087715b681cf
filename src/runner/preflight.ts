/**
 * The preflight request, sent before the first level, tells a configuration mistake (no server
 * there, a wrong model, a missing key) from a server that is merely failing: the first stops the
 * run with one line, the second is what the run is there to measure.
 */
import type { RequestRecord } from '../results/types.js'
import { redactSecrets } from '../results/redact.js'
import { terminalLine } from '../text/sanitize.js'

/** Longest server message quoted in a preflight line. */
const MESSAGE_CHARS = 300

export function isConfigurationError(r: RequestRecord): boolean {
  if (r.outcome === 'connect' || r.outcome === 'timeout') return true
  const status = r.error?.status
  return r.outcome === 'http' && status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429
}

/**
 * One line a user can act on. It quotes the server (its error message, its body) and the model:
 * that text is redacted of the known secrets (an error body may echo the request's credentials)
 * and stripped of terminal control sequences, on one line.
 */
export function preflightMessage(server: string, model: string, r: RequestRecord): string {
  return terminalLine(redactSecrets(preflightLine(terminalLine(server), terminalLine(model), r)))
}

function preflightLine(server: string, model: string, r: RequestRecord): string {
  const raw = r.error?.message ?? r.outcome
  const detail = terminalLine(raw, MESSAGE_CHARS)
  switch (r.outcome) {
    case 'connect':
      return `cannot reach the server at ${server}: ${detail}. Start it, or pass the right --server URL.`
    case 'timeout':
      return `the server at ${server} did not answer in time: ${detail}. Check that it is up, or raise --timeout.`
    case 'http': {
      const status = r.error?.status
      const message = serverMessage(raw)
      if (status === 404 && /model/i.test(message)) return `the server at ${server} does not serve model "${model}": ${message} Pick a model it lists at /v1/models.`
      if (status === 401 || status === 403) return `the server at ${server} refused the request (HTTP ${status}): ${message} Pass an API key with --api-key or OPENAI_API_KEY.`
      return `the server at ${server} answered HTTP ${status} to a test request: ${message} Check --server, --model and --endpoint.`
    }
    default:
      return `a test request to ${server} failed (${r.outcome}): ${detail}. Check --server, --model and --endpoint.`
  }
}

/** The `message` of a JSON error body in either shape servers use, else the excerpt itself. */
export function serverMessage(excerpt: string): string {
  try {
    const o = JSON.parse(excerpt)
    const m = o?.error?.message ?? o?.message ?? (typeof o?.error === 'string' ? o.error : undefined) ?? o?.detail
    if (typeof m === 'string') {
      const line = terminalLine(m, MESSAGE_CHARS)
      return line.endsWith('.') ? line : line + '.'
    }
  } catch {
    // not JSON (or cut at 200 bytes): show it as it is
  }
  return terminalLine(excerpt, MESSAGE_CHARS)
}
