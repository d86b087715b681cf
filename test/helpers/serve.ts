/**
 * `llmbench serve` in the test's process, over a history folder in a temp dir, with a config that
 * names the built-in simulator (started by the test, in its own process) as the one allowed server.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { validateConfig } from '../../src/config/index.js'
import { FileStore } from '../../src/store/file.js'
import { openApiDocument } from '../../src/serve/openapi.js'
import { startServe, type RunningServer } from '../../src/serve/server.js'
import { sse, type Ev } from './raw-http.js'

/** A simulator fast enough for runs of a few requests in well under a second. */
export const FAST_SIM = { decodeBaseMs: 2, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 }

export interface TestServe extends RunningServer {
  dir: string
  logs: string[]
}

export async function startTestServe(simUrl: string, o: { token?: string; uploadLimit?: number; dir?: string; allow?: string[] } = {}): Promise<TestServe> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'llmbench-serve-'))
  const config = validateConfig({ servers: { sim: { url: simUrl, model: 'sim-model' } }, serve: { allow: o.allow ?? [] } }, { cwd: dir })
  const logs: string[] = []
  const server = await startServe({ config, store: new FileStore(join(dir, 'store')), port: 0, token: o.token, uploadLimit: o.uploadLimit, log: (l) => logs.push(l) })
  return Object.assign(server, { dir, logs })
}

export interface Answer {
  status: number
  headers: Headers
  text: string
  body: any
}

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(20_000) })
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return { status: res.status, headers: res.headers, text, body: parsed }
}

/** A run's event stream, read until the server closes it (when the run ends). */
export async function follow(base: string, id: string): Promise<{ text: string; events: Array<Ev & { json: any }> }> {
  const res = await fetch(`${base}/api/v1/benchmark/run/${id}/events`, { signal: AbortSignal.timeout(20_000) })
  const text = await res.text()
  return { text, events: sse(text).map((e) => ({ ...e, json: JSON.parse(e.data) })) }
}

/** Checks answers against the schemas of the served OpenAPI document. */
export function openApiValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  ;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
  ajv.addSchema(openApiDocument(), 'openapi')
  const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1')
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>()
  return (path: string, method: string, status: number, body: unknown): string[] => {
    const pointer = `openapi#/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`
    let validate = compiled.get(pointer)
    if (!validate) compiled.set(pointer, (validate = ajv.compile({ $ref: pointer })))
    return validate(body) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`)
  }
}

/** Polls `probe` every 50 ms until it answers, failing with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
