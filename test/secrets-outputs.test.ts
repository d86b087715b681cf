/**
 * Secrets and hostile text in every output of `llmbench run` (issue 20, items 12-15): a secret the
 * error excerpt's cut splits, a password in the server URL, secret-named request-body fields, and
 * a server's escape sequences and workflow commands. Every file the run writes (result, records,
 * HTML report, history copy) and everything it prints is searched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { excerpt, isSecretFieldName, redactArgv, redactDeep, redactSecrets, requestSecrets, secretsOfArgv } from '../src/results/redact.js'
import { fileText } from '../src/text/sanitize.js'
import { runCli, type CliResult } from './helpers/cli.js'

const fast = { decodeBaseMs: 1, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 }
const dir = mkdtempSync(join(tmpdir(), 'llmbench-outputs-'))
const servers: Server[] = []
let sim: Simulator

/** A server listing one model and failing every other request with `body(req headers)`. */
async function failingServer(body: (headers: Record<string, string | string[] | undefined>) => string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"sim-model"}]}')
      res.writeHead(500, { 'content-type': 'text/plain' }).end(body(req.headers))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  sim = await startSimulator(fast)
})
afterAll(async () => {
  await sim.close()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  rmSync(dir, { recursive: true, force: true })
})

/** Every file under `root`, as text. */
function filesUnder(root: string): Array<[string, string]> {
  if (!existsSync(root)) return []
  if (statSync(root).isFile()) return [[root, readFileSync(root, 'utf8')]]
  return readdirSync(root).flatMap((n) => filesUnder(join(root, n)))
}

/** A run with every output on: result, records, HTML report and the history copy, each in `name`'s folder. */
async function runAll(name: string, args: string[]): Promise<{ r: CliResult; out: string; files: Array<[string, string]>; result: any; records: any[] }> {
  const root = join(dir, name)
  mkdirSync(root)
  const out = join(root, 'result.json')
  const r = await runCli(['run', '--model', 'sim-model', '--input-len', '16', '--output-len', '8', '--num-prompts', '3', '--concurrency', '1',
    '--no-telemetry', '--output', out, '--html', join(root, 'html'), '--history-dir', join(root, 'history'), ...args])
  expect(r.code, r.stdout + r.stderr).toBe(0)
  const files = filesUnder(root)
  expect(files.map(([p]) => p.slice(root.length).replace(/^\/history\/.*\.json$/, '/history/<id>.json')).sort()).toEqual(['/history/<id>.json', '/html/index.html', '/result.json', '/result.records.jsonl'])
  const records = readFileSync(join(root, 'result.records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  return { r, out, files, result: JSON.parse(readFileSync(out, 'utf8')), records }
}

function expectAbsent(what: string, r: CliResult, files: Array<[string, string]>, ...needles: string[]): void {
  for (const [where, text] of [['stdout', r.stdout], ['stderr', r.stderr], ...files] as Array<[string, string]>) {
    for (const n of needles) {
      const at = text.indexOf(n)
      if (at >= 0) throw new Error(`${what}: ${where} holds ${JSON.stringify(n)}: …${text.slice(Math.max(0, at - 120), at + 60)}…`)
    }
  }
}

describe('item 12: a secret split by the error excerpt\'s cut', () => {
  const SECRET = 'hdr-SECRET-cutvalue-7e5d3c91'
  it('is redacted whole before the cut: no piece of it in stdout, result, records, HTML or history', async () => {
    // The echoed secret starts at character 190 of the body: a cut at 200 splits it.
    const lead = '{"error":{"message":"'
    const server = await failingServer((h) => `${lead}${'p'.repeat(190 - lead.length - ' echoed x-auth='.length)} echoed x-auth=${h['x-auth']} and more text after it"}}`)
    const { r, files, result, records } = await runAll('cut', ['--server', server, '-H', `X-Auth: ${SECRET}`])
    expect(r.code, r.stderr).toBe(0)
    const message = result.levels[0].records.find((x: any) => x.outcome === 'http').error.message as string
    expect(message).toContain(' echoed x-auth=*** and')
    expect(message.length).toBeLessThanOrEqual(200)
    expect(records.find((l) => l.type === 'record' && l.outcome === 'http').error.message).toBe(message)
    expect(r.stdout).toContain('echoed x-auth=***')
    expectAbsent('split secret', r, files, 'hdr-SECRET', 'SECRET-cu', 'x-auth=hdr')
  })

  it('excerpt: redacts before cutting, and the beginning of a secret or a credential shape left at the cut', () => {
    const s = 'tok-ABCDEFGHIJKLMNOP'
    const text = `key ${s} tail`
    // Cut inside the secret: redacted whole first, so the cut meets *** and never the secret.
    for (let max = 4; max < text.length; max++) {
      const cut = excerpt(text, max, { secrets: [s] })
      expect(cut, `max ${max}`).not.toMatch(/tok-A|ABC/)
    }
    // A text its source already cut inside a secret: the piece at the end goes.
    expect(excerpt(`key ${s.slice(0, 9)}`, 200, { secrets: [s], truncated: true })).toBe('key ***')
    expect(excerpt(`key ${s.slice(0, 9)}`, 200, { secrets: [s] })).toBe(`key ${s.slice(0, 9)}`)
    // Shapes cut too short to match: a bearer token, an sk- key, a password field, a URL password.
    expect(excerpt('Authorization: Bearer ab', 100, { secrets: [], truncated: true })).toBe('Authorization: Bearer ***')
    expect(excerpt('the key sk-abc', 100, { secrets: [], truncated: true })).toBe('the key sk-***')
    expect(excerpt('"password": "hun', 100, { secrets: [], truncated: true })).toBe('"password": "***')
    expect(excerpt('at postgres://me:hunt', 100, { secrets: [], truncated: true })).toBe('at postgres://***')
    // Text that needs no cut is only redacted.
    expect(excerpt('short and clean', 100, { secrets: [] })).toBe('short and clean')
  })
})

describe('item 13: a password in the server URL', () => {
  const PASSWORD = 'pa55-URL-word-4c1b'
  const BODY = { temperature: 0, token: 'tok-BODY-5e6f7a8b9c', extra: { api_key: 'ak-BODY-1c2d3e4f5a', stop: ['x'] }, max_tokens_hint: 8 }
  it('never shows or writes it; with item 14: secret-named body fields are redacted by name', async () => {
    const url = sim.url.replace('http://', `http://bench-user:${PASSWORD}@`)
    const { r, files, result, records } = await runAll('url', ['--server', url, '--body', JSON.stringify(BODY)])
    expect(r.code, r.stderr).toBe(0)
    const shown = sim.url.replace('http://', 'http://bench-user:***@')
    expect(r.stdout).toContain(`at ${shown}`)
    expect(result.scenario.server).toBe(shown)
    expect(result.command).toContain(`--server ${shown}`)
    expect(records[0].scenario.server).toBe(shown)
    expect(result.scenario.body).toEqual({ temperature: 0, token: '***', extra: { api_key: '***', stop: ['x'] }, max_tokens_hint: 8 })
    expect(records[0].scenario.body).toEqual(result.scenario.body)
    expectAbsent('URL password or body secret', r, files, PASSWORD, 'tok-BODY', 'ak-BODY')
  })

  it('redaction helpers: URL credentials in text and argv, secret field names', () => {
    expect(redactSecrets('GET http://u:pw-1234@h:80/v1 and https://ghp_tok3n@github.com/x and http://h:8000/v1', [])).toBe(
      'GET http://u:***@h:80/v1 and https://***@github.com/x and http://h:8000/v1',
    )
    // A raw `@` inside the password: the whole of it goes, as a URL parser reads it.
    expect(redactSecrets('http://u:p@ss@host/x', [])).toBe('http://u:***@host/x')
    expect(redactSecrets(redactSecrets('http://u:pw-1234@h', []), [])).toBe('http://u:***@h')
    expect(redactArgv(['run', '--server', 'http://u:pw-1234@h:1', '--server=http://u:pw-1234@h:1'])).toEqual(['run', '--server', 'http://u:***@h:1', '--server=http://u:***@h:1'])
    expect(secretsOfArgv(['--server', 'http://u:p%40ss-9@h'])).toEqual(['p%40ss-9', 'p@ss-9', Buffer.from('u:p@ss-9').toString('base64')])
    for (const name of ['token', 'apiKey', 'api_key', 'x-api-key', 'client_secret', 'Authorization', 'password', 'access_token', 'APIKEY']) expect(isSecretFieldName(name), name).toBe(true)
    for (const name of ['max_tokens', 'tokenTimes', 'tokens', 'key_count', 'keyword', 'temperature', 'tokenizer']) expect(isSecretFieldName(name), name).toBe(false)
    expect(redactDeep({ body: { headers: { authorization: ['Bearer x', 'y'] }, n: { token: 5 } }, tokenTimes: [1, 2] })).toEqual({ body: { headers: { authorization: ['***', '***'] }, n: { token: 5 } }, tokenTimes: [1, 2] })
    expect(requestSecrets({ server: 'http://a:bcdef@h', apiKey: 'k-1234', headers: { x: 'Bearer t-5678' }, body: { nested: [{ secret: 's-9012' }] } })).toEqual(
      ['k-1234', 'Bearer t-5678', 't-5678', 'bcdef', 'bcdef', Buffer.from('a:bcdef').toString('base64'), 's-9012'],
    )
  })
})

describe('item 14: a body secret echoed by the server', () => {
  it('is redacted by value wherever it is echoed, as the API key is', async () => {
    const server = await failingServer(() => 'rejected: your body said tok-BODY-echo-2b3c4d and that is wrong')
    const { r, files, result } = await runAll('body-echo', ['--server', server, '--body', '{"auth":{"token":"tok-BODY-echo-2b3c4d"}}'])
    expect(r.code, r.stderr).toBe(0)
    expect(result.levels[0].records.find((x: any) => x.outcome === 'http').error.message).toBe('rejected: your body said *** and that is wrong')
    expectAbsent('echoed body secret', r, files, 'tok-BODY-echo')
  })
})

describe('item 15: escape sequences and workflow commands from the server', () => {
  it('are removed from the result, records, HTML and history as they are from the terminal', async () => {
    const hostile = '\x1b[2J\x1b]0;owned\x07\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 bad\r\n::error::injected\n  ::add-mask::x \x9b31m\u202eevil'
    const server = await failingServer(() => hostile)
    const { r, files, result, records } = await runAll('escapes', ['--server', server])
    expect(r.code, r.stderr).toBe(0)
    const messages = [
      result.levels[0].records.find((x: any) => x.outcome === 'http').error.message,
      records.find((l) => l.type === 'record' && l.outcome === 'http').error.message,
    ]
    for (const m of messages) {
      expect(m).toBe('click bad\r\n: :error::injected\n  : :add-mask::x evil')
    }
    // On the terminal a workflow command needs a line of its own; in a file, any `::name::` could start one for `jq -r`.
    for (const [where, text] of [['stdout', r.stdout], ['stderr', r.stderr]]) expect(text, where).not.toMatch(/[\x1b\x07\x9b\u202e]|^\s*::/m)
    for (const [where, text] of files) expect(text, where).not.toMatch(/[\x1b\x07\x9b\u202e]|\\u001b|\\u0007|::error::|::add-mask::/)
  })

  it('fileText: controls and bidi overrides removed, line breaks kept, workflow commands broken', () => {
    expect(fileText('a\x1b[31mred\x1b[0m\tb\r\n::warning::w\n\t::x\u2028::y')).toBe('ared\tb\r\n: :warning::w\n\t: :x\u2028: :y')
    const clean = 'nothing to change: 1::2 stays'
    expect(fileText(clean)).toBe(clean)
  })
})
