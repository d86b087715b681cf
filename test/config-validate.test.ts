import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defineConfig, loadConfig, validateConfig } from '../src/config/index.js'
import { UsageError } from '../src/errors.js'
import { project, removeProjects } from './fixtures/config/project.js'

afterAll(removeProjects)

const DIR = join('/', 'work', 'proj')
const check = (raw: unknown) => validateConfig(raw, { file: join(DIR, 'llmbench.config.ts'), cwd: DIR })
/** The message of the UsageError `check(raw)` throws. */
const error = (raw: unknown) => {
  try {
    check(raw)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }
  throw new Error('no error thrown')
}

describe('config validation: unknown keys', () => {
  it('suggests the closest known key at the top', () => {
    expect(error({ inclde: ['a'] })).toBe('llmbench.config.ts: unknown key "inclde", did you mean "include"?')
    expect(error({ FileParallelism: 2 })).toBe('llmbench.config.ts: unknown key "FileParallelism", did you mean "fileParallelism"?')
  })

  it('lists the known keys when none is close', () => {
    expect(error({ color: true })).toBe(
      'llmbench.config.ts: unknown key "color": expected one of include, exclude, defaults, servers, reporters, outputFile, fileParallelism, bail, fileTimeout, history, serve',
    )
  })

  it('checks the keys of defaults, of each server, and of input/output', () => {
    expect(error({ defaults: { concurency: 4 } })).toBe('llmbench.config.ts: unknown key "defaults.concurency", did you mean "defaults.concurrency"?')
    expect(error({ servers: { vllm: { url: 'http://a:1', modle: 'm' } } })).toBe(
      'llmbench.config.ts: unknown key "servers.vllm.modle", did you mean "servers.vllm.model"?',
    )
    expect(error({ servers: { 'gpu box': { url: 'http://a:1', key: 'k' } } })).toBe(
      'llmbench.config.ts: unknown key "servers["gpu box"].key": expected one of url, model, apiKey, headers, endpoint',
    )
    expect(error({ defaults: { input: { token: 5 } } })).toBe('llmbench.config.ts: unknown key "defaults.input.token", did you mean "defaults.input.tokens"?')
  })

  it('checks serve: its keys, the allow-list URLs, the port', () => {
    expect(check({ serve: { allow: ['http://gpu-3:8000/'], host: '0.0.0.0', port: 5050, store: 'postgres://db/llmbench' } }).serve).toEqual({
      allow: ['http://gpu-3:8000'], host: '0.0.0.0', port: 5050, store: 'postgres://db/llmbench',
    })
    expect(error({ serve: { alow: [] } })).toBe('llmbench.config.ts: unknown key "serve.alow", did you mean "serve.allow"?')
    expect(error({ serve: { allow: ['gpu-3:8000'] } })).toBe('llmbench.config.ts: serve.allow[0] must be an http:// or https:// URL such as http://127.0.0.1:8000, got "gpu-3:8000"')
    expect(error({ serve: { allow: 'http://a:1' } })).toBe('llmbench.config.ts: serve.allow must be a list of http:// or https:// URLs, got "http://a:1"')
    expect(error({ serve: { port: 70000 } })).toBe('llmbench.config.ts: serve.port must be a port from 0 to 65535, got 70000')
  })

  it('keeps objectives out of defaults', () => {
    expect(error({ defaults: { slo: { 'ttft.p95': '< 500' } } })).toBe(
      "llmbench.config.ts: defaults.slo is not allowed here: objectives belong to each bench's options",
    )
  })
})

describe('config validation: wrong types and values', () => {
  it.each([
    [{ defaults: { concurrency: 'ten' } }, 'defaults.concurrency must be a number or a list of numbers, got "ten"'],
    [{ defaults: { concurrency: [] } }, 'defaults.concurrency must list at least one concurrency level, got []'],
    [{ defaults: { concurrency: [1, 0] } }, 'defaults.concurrency[1] must be a whole number of at least 1, got 0'],
    [{ defaults: { requests: 1.5 } }, 'defaults.requests must be a whole number of at least 1, got 1.5'],
    [{ defaults: { warmup: -1 } }, 'defaults.warmup must be a number of requests (e.g. 10) or a time (e.g. 30s), got -1'],
    [{ defaults: { rate: [5, 'fast'] } }, 'defaults.rate[1] must be a rate above 0 in requests per second, got "fast"'],
    [{ defaults: { arrival: 'bursty' } }, 'defaults.arrival must be one of constant, poisson, gamma, got "bursty"'],
    [{ defaults: { duration: '10 minutes' } }, 'defaults.duration must be a time above 0 such as 60s, 2m, 1m30s or 500ms, got "10 minutes"'],
    [{ defaults: { ramp: { from: 1, to: 5 } } }, 'defaults.ramp.over must be a time above 0 such as 60s, 2m, 1m30s or 500ms, got undefined'],
    [{ defaults: { maxConcurrency: 0 } }, 'defaults.maxConcurrency must be a whole number of at least 1, got 0'],
    [{ defaults: { telemetry: { interval: '10ms' } } }, 'defaults.telemetry.interval must be at least 100ms, got "10ms"'],
    [{ defaults: { seed: '1' } }, 'defaults.seed must be a whole number of at least 0, got "1"'],
    [{ defaults: { input: 256 } }, 'defaults.input must be an object like { tokens: 256 }, got 256'],
    [{ defaults: { output: { tokens: 0 } } }, 'defaults.output.tokens must be a whole number of at least 1, got 0'],
    [{ defaults: { endpoint: 'chatt' } }, 'defaults.endpoint must be one of "chat", "completions", "responses", "anthropic", "embeddings", "triton", "tgi", "sglang", "ollama", "ollama-generate", "auto", got "chatt" (did you mean "chat"?)'],
    [{ defaults: { stream: 'yes' } }, 'defaults.stream must be true or false, got "yes"'],
    [{ defaults: { timeout: -1 } }, 'defaults.timeout must be a number of milliseconds above 0, got -1'],
    [{ defaults: { model: '' } }, 'defaults.model must be a non-empty string, got ""'],
    [{ defaults: { body: [] } }, 'defaults.body must be an object of fields to add to every request body, got []'],
    [{ defaults: { apiKey: 12345 } }, 'defaults.apiKey must be a string, got a number'],
    [{ defaults: { apiKey: 'env:' } }, 'defaults.apiKey must name an environment variable after "env:", e.g. "env:OPENAI_API_KEY"'],
    [{ defaults: { headers: 'x' } }, 'defaults.headers must be an object of header names to values, got "x"'],
    [{ defaults: { headers: { 'x-key': 5 } } }, 'defaults.headers["x-key"] must be a string, got a number'],
    [{ defaults: { headers: { 'bad name': 'v' } } }, 'defaults.headers has an invalid header name "bad name"'],
    [{ defaults: { server: 'vlm' }, servers: { vllm: { url: 'http://a:1' } } },
      'defaults.server must be an http:// or https:// URL or the name of a server in the config, got "vlm" (did you mean "vllm"?)'],
    [{ defaults: { server: 'gpu' } },
      'defaults.server must be an http:// or https:// URL or the name of a server in the config, got "gpu" (llmbench.config.ts names no servers)'],
    [{ servers: [] }, 'servers must be an object of server names to { url, model?, apiKey?, headers?, endpoint? }, got []'],
    [{ servers: { vllm: 'http://a:1' } }, "servers.vllm must be an object like { url: 'http://127.0.0.1:8000', model: '...' }, got \"http://a:1\""],
    [{ servers: { vllm: { model: 'm' } } }, 'servers.vllm.url must be an http:// or https:// URL such as http://127.0.0.1:8000, got undefined'],
    [{ servers: { vllm: { url: 'localhost:8000' } } }, 'servers.vllm.url must be an http:// or https:// URL such as http://127.0.0.1:8000, got "localhost:8000"'],
    [{ servers: { vllm: { url: 'http://a:1', endpoint: 'response' } } }, 'servers.vllm.endpoint must be one of "chat", "completions", "responses", "anthropic", "embeddings", "triton", "tgi", "sglang", "ollama", "ollama-generate", "auto", got "response" (did you mean "responses"?)'],
    [{ servers: { vllm: { url: 'http://a:1', apiKey: ['k'] } } }, 'servers.vllm.apiKey must be a string, got a list'],
    [{ include: '**/*.bench.ts' }, 'include must be a list of glob patterns, got "**/*.bench.ts"'],
    [{ exclude: ['ok', ''] }, 'exclude must be a list of glob patterns, got ["ok",""]'],
    [{ reporters: 'console' }, "reporters must be a list of reporter names or module paths, each alone or as [name, options], e.g. ['console', ['junit', { suiteName: 'llm' }]], got \"console\""],
    [{ reporters: ['console', 3] }, 'reporters[1] must be a reporter name or module path, or [name, options], got 3'],
    [{ reporters: [['junit', 5]] }, 'reporters[0][1] must be an object of reporter options, got 5'],
    [{ outputFile: 5 }, 'outputFile must be a path, or an object of reporter names to paths, got 5'],
    [{ outputFile: { junit: '' } }, 'outputFile.junit must be a non-empty string, got ""'],
    [{ fileParallelism: 0 }, 'fileParallelism must be a whole number of at least 1, got 0'],
    [{ bail: 'yes' }, 'bail must be true, false or a number of failed scenarios, got "yes"'],
    [{ bail: -2 }, 'bail must be a whole number of at least 0, got -2'],
    [{ fileTimeout: 0 }, 'fileTimeout must be a number of seconds above 0, got 0'],
    [{ defaults: 'fast' }, 'defaults must be an object, got "fast"'],
  ])('%j', (raw, message) => {
    expect(error(raw)).toBe(`llmbench.config.ts: ${message}`)
  })

  it('asks for an object at the top', () => {
    expect(error(42)).toBe('llmbench.config.ts must export an object, e.g. export default defineConfig({ ... }), got 42')
  })

  it('names the file as found from the folder searched', async () => {
    const dir = project({ 'configs/ci.yaml': 'defaults:\n  concurrency: ten\n' })
    await expect(loadConfig(dir, 'configs/ci.yaml')).rejects.toThrowError(
      'configs/ci.yaml: defaults.concurrency must be a number or a list of numbers, got "ten"',
    )
  })
})

describe('config validation: what a valid config becomes', () => {
  it('fills in every default, roots at the config folder, and normalizes', () => {
    const config = check(defineConfig({
      defaults: { model: 'm', apiKey: undefined },
      servers: { vllm: { url: 'https://gpu-1.example.com/v1/', headers: { 'X-Team': 'env:TEAM' } } },
      reporters: ['console', ['junit', { suiteName: 'llm' }]],
      outputFile: 'out/result.json',
      bail: false,
      fileTimeout: 600,
    }))
    expect(config).toEqual({
      root: DIR,
      configFile: join(DIR, 'llmbench.config.ts'),
      include: ['**/*.bench.{ts,mts,js,mjs}'],
      exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
      defaults: { model: 'm', apiKey: undefined },
      servers: { vllm: { url: 'https://gpu-1.example.com/v1', headers: { 'X-Team': 'env:TEAM' } } },
      reporters: ['console', ['junit', { suiteName: 'llm' }]],
      outputFile: { json: 'out/result.json' },
      fileParallelism: 1,
      bail: 0,
      fileTimeout: 600,
    })
  })

  it('gives a reporter written as [name] empty options', () => {
    expect(check({ reporters: [['junit'], ['./my-reporter.js', undefined]] }).reporters).toEqual([['junit', {}], ['./my-reporter.js', {}]])
  })

  it('reads bail as a count: true is 1, a number is itself', () => {
    expect(check({ bail: true }).bail).toBe(1)
    expect(check({ bail: 3 }).bail).toBe(3)
  })

  it('accepts goodput-free, env-referencing and URL-server defaults', () => {
    expect(check({ defaults: { server: 'http://127.0.0.1:9000', apiKey: 'env:MY_KEY', concurrency: 8 } }).defaults)
      .toEqual({ server: 'http://127.0.0.1:9000', apiKey: 'env:MY_KEY', concurrency: 8 })
  })
})
