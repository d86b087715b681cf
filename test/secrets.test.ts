/**
 * Secrets never leak: fake, distinctive keys are passed every way a user can (--api-key, --header,
 * $OPENAI_API_KEY, `env:` values in the config), against servers that work, fail, echo the
 * request's credentials in their error bodies, or are not there; then every byte llmbench printed
 * or wrote is searched for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { redactArgv, redactDeep, redactSecrets, secretsOfArgv } from '../src/results/redact.js'
import { runCli, type CliResult } from './helpers/cli.js'
import { makeProject } from './helpers/project.js'

const API_KEY = 'sk-FAKE-apikey-7f3a9c2e1b'
const HEADER_VALUE = 'tok-FAKE-header-4d8e2a6b0c'
const ENV_KEY = 'sk-FAKE-envkey-9b1c7d3e5f'
const CONFIG_KEY = 'cfgkey-FAKE-6a2f8e4c1d'
const CONFIG_HEADER = 'cfghdr-FAKE-3e7b9d1a5c'
const SECRETS = [API_KEY, HEADER_VALUE, ENV_KEY, CONFIG_KEY, CONFIG_HEADER]
// Parts of a secret a careless redaction might leave behind.
const FRAGMENTS = ['7f3a9c2e1b', '4d8e2a6b0c', '9b1c7d3e5f', '6a2f8e4c1d', '3e7b9d1a5c']

let sim: Simulator
const servers: Server[] = []
const dir = mkdtempSync(join(tmpdir(), 'llmbench-secrets-'))
const fast = { decodeBaseMs: 1, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 }

/** A server that answers every request with `status` and an error body echoing the request's credentials. */
async function reflectingServer(status: number): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'sim-model' }] }))
        return
      }
      // The raw token, without "Bearer": only knowing the secret can redact it.
      const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
      const echoed = ['x-auth', 'x-team-token'].map((h) => `${h}=${req.headers[h] ?? ''}`).join(' ')
      const body = JSON.stringify({ error: { message: `rejected key ${auth} with ${echoed}`, type: 'invalid_request_error' } })
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

let reflect500 = ''
let reflect401 = ''

beforeAll(async () => {
  sim = await startSimulator(fast)
  reflect500 = await reflectingServer(500)
  reflect401 = await reflectingServer(401)
})
afterAll(async () => {
  await sim.close()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

/** Every file under `root` (results, JUnit, summaries), as text. */
function filesUnder(root: string): Array<[string, string]> {
  if (!existsSync(root)) return []
  const stat = statSync(root)
  if (stat.isFile()) return [[root, readFileSync(root, 'utf8')]]
  return readdirSync(root).filter((n) => n !== 'node_modules').flatMap((n) => filesUnder(join(root, n)))
}

function expectNoSecret(where: string, text: string): void {
  for (const s of [...SECRETS, ...FRAGMENTS]) {
    if (text.includes(s)) throw new Error(`${where} leaks ${s}:\n${text.slice(Math.max(0, text.indexOf(s) - 300), text.indexOf(s) + 100)}`)
  }
}

function expectClean(r: CliResult, files: Array<[string, string]>): void {
  expectNoSecret('stdout', r.stdout)
  expectNoSecret('stderr', r.stderr)
  for (const [path, text] of files) expectNoSecret(path, text)
}

const secretArgs = ['--api-key', API_KEY, '--header', `X-Auth: ${HEADER_VALUE}`]
const env = { OPENAI_API_KEY: ENV_KEY }
const small = ['--model', 'sim-model', '--input-len', '16', '--output-len', '8', '--num-prompts', '4', '--concurrency', '1,2']

describe('llmbench run never shows or writes a secret', () => {
  it('a good run: the result file, stdout and stderr are clean', async () => {
    const out = join(dir, 'ok.json')
    const r = await runCli(['run', '--server', sim.url, ...small, ...secretArgs, '--output', out], env)
    expect(r.code).toBe(0)
    const text = readFileSync(out, 'utf8')
    expect(JSON.parse(text).command).toContain('--api-key ***')
    expectClean(r, [[out, text]])
  })

  it('$OPENAI_API_KEY alone is used and never shown, with --header=… and -H… forms', async () => {
    const out = join(dir, 'env.json')
    const r = await runCli(['run', '--server', reflect500, ...small, `--header=X-Auth: ${HEADER_VALUE}`, '--output', out], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/http \(4, first shown\): HTTP 500: .*rejected key \*\*\* with x-auth=\*\*\*/)
    expectClean(r, filesUnder(out))
  })

  it('a server failing every request (x-sim-quirks: http-500): error lines are shown, secrets are not', async () => {
    const out = join(dir, 'http500.json')
    const r = await runCli(['run', '--server', sim.url, ...small, ...secretArgs, '-H', 'x-sim-quirks: http-500', '--output', out], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Errors: http: 4/)
    expect(r.stdout).toMatch(/http \(4, first shown\): HTTP 500: /)
    const result = JSON.parse(readFileSync(out, 'utf8'))
    expect(result.levels[0].records.filter((x: { warmup: boolean }) => !x.warmup).every((x: { outcome: string }) => x.outcome === 'http')).toBe(true)
    expectClean(r, filesUnder(out))
  })

  it('a server echoing the credentials in its error bodies: redacted on screen and in the result file', async () => {
    const out = join(dir, 'reflect.json')
    const r = await runCli(['run', '--server', reflect500, ...small, ...secretArgs, '--output', out], env)
    expect(r.code).toBe(0)
    const text = readFileSync(out, 'utf8')
    const failed = JSON.parse(text).levels[0].records.find((x: { outcome: string }) => x.outcome === 'http')
    expect(failed.error.message).toContain('rejected key *** with x-auth=***')
    expect(r.stdout).toContain('rejected key *** with x-auth=***')
    expectClean(r, [[out, text]])
  })

  it('a preflight refused with the credentials echoed (HTTP 401): one clean line, exit 2', async () => {
    const out = join(dir, 'refused.json')
    const r = await runCli(['run', '--server', reflect401, ...small, ...secretArgs, '--output', out], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/refused the request \(HTTP 401\): rejected key \*\*\* with x-auth=\*\*\*/)
    expect(existsSync(out)).toBe(false)
    expectClean(r, [])
  })

  it('an unreachable server', async () => {
    const r = await runCli(['run', '--server', 'http://127.0.0.1:9', ...small, ...secretArgs], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot reach the server/)
    expectClean(r, [])
  })

  it('bad flags, even ones yargs echoes (a mistyped flag leaves the key as an unknown argument)', async () => {
    for (const args of [
      ['--concurrancy', '4', ...secretArgs],
      ['--api-kee', API_KEY, '--header', `X-Auth: ${HEADER_VALUE}`],
      ['--concurrency', '0', ...secretArgs],
      ['--header', `bad header ${HEADER_VALUE}`, '--api-key', API_KEY],
      ['--body', `{"key": "${API_KEY}"`, '-H', `X-Auth: ${HEADER_VALUE}`],
    ]) {
      const r = await runCli(['run', '--server', sim.url, ...args], env)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^llmbench: /)
      expectClean(r, [])
    }
  })
})

describe('npx llmbench never shows or writes a secret', () => {
  it('config secrets (env:), servers that fail and echo them, a failing objective, scenario errors: every output is clean', async () => {
    const summary = join(dir, 'step-summary.md')
    const root = makeProject({
      'llmbench.config.mjs': `export default {
  servers: {
    sim: { url: process.env.SIM_URL, model: 'sim-model', apiKey: 'env:MY_FAKE_KEY', headers: { 'x-team-token': 'env:MY_FAKE_HDR_VALUE' } },
    echo500: { url: process.env.ECHO500_URL, model: 'sim-model', apiKey: 'env:MY_FAKE_KEY', headers: { 'x-team-token': 'env:MY_FAKE_HDR_VALUE' } },
    echo401: { url: process.env.ECHO401_URL, model: 'sim-model', apiKey: 'env:MY_FAKE_KEY', headers: { 'x-team-token': 'env:MY_FAKE_HDR_VALUE' } },
  },
  defaults: { concurrency: [1, 2], requests: 4, input: { tokens: 16 }, output: { tokens: 8 } },
  reporters: ['console', 'json', 'junit', 'github'],
}
`,
      'secrets.bench.ts': `import { bench, describe, expect } from 'llmbench'
describe('secrets', () => {
  bench('impossible objective', { server: 'sim', slo: { 'ttft.p50': '< 0.001' } })
  bench('failing server', { server: 'sim', headers: { 'x-sim-quirks': 'http-500' }, slo: { 'errors.rate': '< 0.5' } })
  bench('echoing server', { server: 'echo500', slo: { 'errors.rate': '== 0' } })
  bench('refused', { server: 'echo401' })
  bench('assertion quoting the key', { server: 'sim' }, () => {
    throw new Error('the key was ' + process.env.MY_FAKE_KEY + ' and the header ' + process.env.MY_FAKE_HDR_VALUE)
  })
  bench('expect quoting the key', { server: 'sim' }, (result) => {
    expect(result.level(1).ttft.p50, 'ttft with ' + process.env.MY_FAKE_KEY).toBeLessThan(0)
  })
})
`,
    })
    const r = await runCli(['--root', root], {
      SIM_URL: sim.url,
      ECHO500_URL: reflect500,
      ECHO401_URL: reflect401,
      MY_FAKE_KEY: CONFIG_KEY,
      MY_FAKE_HDR_VALUE: CONFIG_HEADER,
      OPENAI_API_KEY: ENV_KEY,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    }, 120_000)
    expect(r.code).toBe(3) // scenario errors win over failed objectives
    const files = [...filesUnder(join(root, 'llmbench-results')), ...filesUnder(summary)]
    expect(files.map(([p]) => p.replace(root, '').replace(dir, ''))).toEqual(
      expect.arrayContaining(['/llmbench-results/results.json', '/llmbench-results/junit.xml', '/step-summary.md']),
    )
    // The run did meet the servers: the echoed bodies and the errors are there, redacted.
    const suite = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8'))
    const byName = Object.fromEntries(suite.files[0].scenarios.map((s: { name: string }) => [s.name, s]))
    expect(byName['impossible objective'].status).toBe('failed')
    expect(byName['failing server'].status).toBe('failed')
    const echoed = byName['echoing server'].levels[0].records.find((x: { outcome: string }) => x.outcome === 'http')
    expect(echoed.error.message).toContain('rejected key *** with x-auth= x-team-token=***')
    expect(byName.refused.status).toBe('error')
    expect(byName.refused.error.message).toMatch(/HTTP 401.*rejected key \*\*\*/)
    expect(byName['assertion quoting the key'].error.message).toBe('the key was *** and the header ***')
    expect(r.stdout).toMatch(/^::error file=secrets\.bench\.ts/m)
    expectClean(r, files)
  }, 150_000)
})

describe('redaction helpers', () => {
  it('redacts flag values in every form, and finds the secrets of a command line', () => {
    const argv = ['run', `--api-key=${API_KEY}`, `-HX-Auth: ${HEADER_VALUE}`, '--apiKey', ENV_KEY, '-H', 'Authorization: Bearer abcdefgh']
    expect(redactArgv(argv)).toEqual(['run', '--api-key=***', '-H=***', '--apiKey', '***', '-H', '***'])
    expect(secretsOfArgv(argv)).toEqual([API_KEY, HEADER_VALUE, ENV_KEY, 'Bearer abcdefgh', 'abcdefgh'])
  })

  it('redacts credential-shaped text without a list, and copies only what changed', () => {
    expect(redactSecrets('Authorization: Bearer abc.def-123 and x-api-key: "k-12345" api_key=zzzz9999 sk-abcdefghijk', [])).toBe(
      'Authorization: Bearer *** and x-api-key: "***" api_key=*** sk-***',
    )
    expect(redactSecrets('max token limit exceeded; Basic usage', [])).toBe('max token limit exceeded; Basic usage')
    const doc = { a: { b: [1, 2, 3] }, c: { message: `bad ${API_KEY}` } }
    const out = redactDeep(doc, (t) => redactSecrets(t, [API_KEY]))
    expect(out.c.message).toBe('bad ***')
    expect(out.a).toBe(doc.a)
    expect(doc.c.message).toContain(API_KEY)
  })
})
