import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { resolveScenario, validateConfig, type UserConfig } from '../src/config/index.js'
import type { BenchOptions } from '../src/dsl/types.js'
import { UsageError } from '../src/errors.js'

const DIR = process.cwd()
const configOf = (user: UserConfig = {}) => validateConfig(user, { file: join(DIR, 'llmbench.config.ts'), cwd: DIR })
const WHERE = { file: 'bench/latency.bench.ts', scenario: 'qwen > chat' }
const resolve = (bench: BenchOptions, user: UserConfig = {}, overrides: BenchOptions = {}) =>
  resolveScenario(bench, configOf(user), overrides, WHERE)
const error = (bench: BenchOptions, user: UserConfig = {}, overrides: BenchOptions = {}) => {
  try {
    resolve(bench, user, overrides)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }
  throw new Error('no error thrown')
}
const SCENARIO = 'bench/latency.bench.ts, scenario "qwen > chat"'

beforeEach(() => {
  vi.stubEnv('OPENAI_API_KEY', undefined)
})
afterEach(() => {
  vi.unstubAllEnvs()
})

describe('resolveScenario: built-in defaults and names', () => {
  it('gives the defaults of llmbench run, under ScenarioOptions names', () => {
    const { recorded: _, ...options } = resolve({ model: 'm' }, {})
    expect(options).toEqual({
      server: 'http://127.0.0.1:8000',
      model: 'm',
      endpoint: 'chat',
      stream: true,
      concurrency: [1],
      numPrompts: 100,
      inputLen: 256,
      outputLen: 128,
      ignoreEos: true,
      includeUsage: true,
      continuousUsage: false,
      timeoutMs: 300_000,
      headers: {},
      body: {},
      seed: 0,
    })
  })

  it('maps every bench option to its scenario option', () => {
    const options = resolve({
      server: 'http://gpu:8000/', model: 'm', endpoint: 'completions', apiKey: 'k', headers: { 'X-Team': 'a' },
      body: { temperature: 0 }, concurrency: 4, requests: 10, warmup: 0, input: { tokens: 32 }, output: { tokens: 8 },
      stream: false, timeout: 5000, ignoreEos: false, includeUsage: false, continuousUsage: true, seed: 7,
      slo: { goodput: { e2e: 2000, min: 0.9, level: 4 }, 'e2e.p95': '< 3000' },
    })
    const { recorded, ...runner } = options
    expect(runner).toEqual({
      server: 'http://gpu:8000', model: 'm', endpoint: 'completions', apiKey: 'k', headers: { 'x-team': 'a' },
      body: { temperature: 0 }, concurrency: [4], numPrompts: 10, warmup: 0, inputLen: 32, outputLen: 8,
      stream: false, timeoutMs: 5000, ignoreEos: false, includeUsage: false, continuousUsage: true, seed: 7,
      goodput: { e2e: 2000 },
    })
  })
})

describe('resolveScenario: load shapes and telemetry', () => {
  it('maps rates, arrivals, phases, ramps and telemetry to the runner options', () => {
    const options = resolve({
      model: 'm', rate: [5, 10], burstiness: 0.5, maxConcurrency: 16, duration: '30s', warmup: '5s', cooldown: 4,
      telemetry: { interval: '2s', dcgmUrl: 'http://gpu:9400' },
    })
    expect(options).toMatchObject({
      rate: [5, 10], arrival: 'gamma', burstiness: 0.5, maxConcurrency: 16, durationMs: 30_000, warmupMs: 5000, cooldown: 4,
      telemetry: { intervalMs: 2000, gpu: { dcgmUrl: 'http://gpu:9400' } },
    })
    expect(resolve({ model: 'm', ramp: { of: 'rate', from: 1, to: 20, over: '1m', shape: 'exponential' } }).ramp).toEqual({
      kind: 'rate', from: 1, to: 20, overMs: 60_000, shape: 'exponential',
    })
  })

  it('takes recordsLimit, a whole number from 0', () => {
    expect(resolve({ model: 'm', recordsLimit: 500 }).recordsLimit).toBe(500)
    expect(resolve({ model: 'm' }).recordsLimit).toBeUndefined()
    expect(error({ model: 'm', recordsLimit: -1 })).toMatch(/recordsLimit must be a whole number of at least 0, got -1/)
  })

  it('takes threads when every level has a slot for each thread', () => {
    expect(resolve({ model: 'm', concurrency: [2, 8], threads: 2 }).threads).toBe(2)
    expect(resolve({ model: 'm', rate: [5], threads: 4 }).threads).toBe(4)
    expect(() => resolve({ model: 'm', concurrency: [1, 8], threads: 2 })).toThrow(/threads 2: concurrency 1 cannot be split over 2 threads/)
    expect(error({ model: 'm', threads: 0 })).toMatch(/threads must be a whole number of at least 1, got 0/)
  })

  it('asks a capacity sweep for goodput bounds, naming the scenario', () => {
    expect(() => resolve({ model: 'm', sweep: { min: 0.95 } })).toThrow(/scenario ".*": sweep needs goodput bounds to judge each level/)
    expect(resolve({ model: 'm', sweep: { min: 0.95 }, slo: { goodput: { ttft: 500, min: 0.9 } } }).sweep).toMatchObject({ method: 'capacity', kind: 'concurrency', min: 0.95 })
  })
})

describe('resolveScenario: precedence, one layer at a time', () => {
  it('built-in defaults when nothing sets a value', () => {
    expect(resolve({ model: 'm' }).numPrompts).toBe(100)
  })

  it('config defaults over the built-in ones', () => {
    expect(resolve({ model: 'm' }, { defaults: { requests: 10 } }).numPrompts).toBe(10)
  })

  it("a named server's fields over config defaults", () => {
    const user: UserConfig = { defaults: { server: 'vllm', model: 'default-model', endpoint: 'chat' }, servers: { vllm: { url: 'http://gpu:8000', model: 'server-model', endpoint: 'completions' } } }
    const options = resolve({}, user)
    expect([options.model, options.endpoint]).toEqual(['server-model', 'completions'])
  })

  it("the bench's own options over the config", () => {
    const user: UserConfig = { defaults: { server: 'vllm', requests: 10 }, servers: { vllm: { url: 'http://gpu:8000', model: 'server-model' } } }
    const options = resolve({ model: 'bench-model', requests: 20 }, user)
    expect([options.model, options.numPrompts]).toEqual(['bench-model', 20])
  })

  it('command-line overrides over the bench', () => {
    const options = resolve({ model: 'bench-model', requests: 20 }, { defaults: { requests: 10 } }, { model: 'cli-model', requests: 30 })
    expect([options.model, options.numPrompts]).toEqual(['cli-model', 30])
  })

  it('merges headers and body across layers, names lowercased, the higher layer winning', () => {
    const user: UserConfig = {
      defaults: { server: 'vllm', headers: { 'X-A': 'defaults', 'X-B': 'defaults' }, body: { temperature: 1, top_p: 0.9 } },
      servers: { vllm: { url: 'http://gpu:8000', model: 'm', headers: { 'x-b': 'server', 'X-C': 'server' } } },
    }
    const options = resolve({ headers: { 'X-C': 'bench' }, body: { temperature: 0 } }, user, { headers: { 'x-d': 'cli' } })
    expect(options.headers).toEqual({ 'x-a': 'defaults', 'x-b': 'server', 'x-c': 'bench', 'x-d': 'cli' })
    expect(options.body).toEqual({ temperature: 0, top_p: 0.9 })
  })
})

describe('resolveScenario: servers', () => {
  const servers: UserConfig['servers'] = {
    vllm: { url: 'http://gpu-1:8000/', model: 'qwen3-14b', apiKey: 'vllm-key', headers: { 'X-Route': 'a' }, endpoint: 'completions' },
    sglang: { url: 'http://gpu-2:30000' },
  }

  it("takes a named server's url, model, apiKey, headers and endpoint", () => {
    expect(resolve({ server: 'vllm' }, { servers })).toMatchObject({
      server: 'http://gpu-1:8000', model: 'qwen3-14b', apiKey: 'vllm-key', headers: { 'x-route': 'a' }, endpoint: 'completions',
    })
  })

  it('lets the command line pick another named server', () => {
    expect(resolve({ server: 'vllm', model: 'm' }, { servers }, { server: 'sglang' }).server).toBe('http://gpu-2:30000')
  })

  it('takes a URL as it is, without its trailing slash', () => {
    expect(resolve({ server: 'https://api.example.com/v1/', model: 'm' }, { servers }).server).toBe('https://api.example.com/v1')
  })

  it('rejects a name that is neither a URL nor a configured server, listing the names', () => {
    expect(error({ server: 'tgi', model: 'm' }, { servers })).toBe(
      `${SCENARIO}: server must be an http:// or https:// URL or the name of a server in the config, got "tgi" (the servers of llmbench.config.ts are vllm, sglang)`,
    )
    expect(error({ server: 'vlm', model: 'm' }, { servers })).toBe(
      `${SCENARIO}: server must be an http:// or https:// URL or the name of a server in the config, got "vlm" (did you mean "vllm"?)`,
    )
    expect(error({ model: 'm' }, {}, { server: 'localhost:8000' })).toBe(
      'command line: server must be an http:// or https:// URL or the name of a server in the config, got "localhost:8000" (llmbench.config.ts names no servers)',
    )
  })
})

describe('resolveScenario: secrets', () => {
  it('falls back to OPENAI_API_KEY, after every layer', () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-env')
    expect(resolve({ model: 'm' }).apiKey).toBe('sk-env')
    expect(resolve({ model: 'm', apiKey: 'sk-bench' }).apiKey).toBe('sk-bench')
    vi.stubEnv('OPENAI_API_KEY', '')
    expect(resolve({ model: 'm' })).not.toHaveProperty('apiKey')
  })

  it('replaces env:NAME in apiKey and header values of every layer', () => {
    vi.stubEnv('LLMBENCH_T_SERVER_KEY', 'server-secret')
    vi.stubEnv('LLMBENCH_T_TEAM', 'team-a')
    vi.stubEnv('LLMBENCH_T_BENCH', 'bench-secret')
    const user: UserConfig = {
      defaults: { headers: { 'X-Team': 'env:LLMBENCH_T_TEAM' } },
      servers: { vllm: { url: 'http://gpu:8000', model: 'm', apiKey: 'env:LLMBENCH_T_SERVER_KEY' } },
    }
    expect(resolve({ server: 'vllm' }, user)).toMatchObject({ apiKey: 'server-secret', headers: { 'x-team': 'team-a' } })
    expect(resolve({ server: 'vllm', headers: { 'X-Token': 'env:LLMBENCH_T_BENCH' } }, user).headers['x-token']).toBe('bench-secret')
  })

  it('names the key and the variable when the variable is not set', () => {
    vi.stubEnv('LLMBENCH_T_MISSING', undefined)
    const servers = { vllm: { url: 'http://gpu:8000', model: 'm', apiKey: 'env:LLMBENCH_T_MISSING' } }
    expect(error({ server: 'vllm' }, { servers })).toBe(
      'llmbench.config.ts: servers.vllm.apiKey is "env:LLMBENCH_T_MISSING" but the environment variable LLMBENCH_T_MISSING is not set: set it or change servers.vllm.apiKey',
    )
    expect(error({ model: 'm' }, { defaults: { headers: { 'x-key': 'env:LLMBENCH_T_MISSING' } } })).toBe(
      'llmbench.config.ts: defaults.headers["x-key"] is "env:LLMBENCH_T_MISSING" but the environment variable LLMBENCH_T_MISSING is not set: set it or change defaults.headers["x-key"]',
    )
    expect(error({ model: 'm', apiKey: 'env:LLMBENCH_T_MISSING' })).toBe(
      `${SCENARIO}: apiKey is "env:LLMBENCH_T_MISSING" but the environment variable LLMBENCH_T_MISSING is not set: set it or change apiKey`,
    )
  })

  it('does not read a variable whose value is overridden', () => {
    vi.stubEnv('LLMBENCH_T_MISSING', undefined)
    const user: UserConfig = { defaults: { apiKey: 'env:LLMBENCH_T_MISSING', headers: { 'X-Key': 'env:LLMBENCH_T_MISSING' } } }
    expect(resolve({ model: 'm', apiKey: 'k', headers: { 'x-key': 'v' } }, user)).toMatchObject({ apiKey: 'k', headers: { 'x-key': 'v' } })
  })
})

describe('resolveScenario: goodput', () => {
  it('passes the bounds of slo.goodput, without min and level, in canonical order', () => {
    expect(resolve({ model: 'm', slo: { goodput: { tpot: 50, ttft: 500, min: 0.9 } } }).goodput).toEqual({ ttft: 500, tpot: 50 })
  })

  it('has no goodput for a goodput expression or no slo', () => {
    expect(resolve({ model: 'm', slo: { goodput: '>= 0.9' } })).not.toHaveProperty('goodput')
    expect(resolve({ model: 'm', slo: { 'ttft.p95': '< 500' } })).not.toHaveProperty('goodput')
  })

  it('rejects streaming bounds on a scenario that does not stream', () => {
    expect(error({ model: 'm', stream: false, slo: { goodput: { ttft: 500, min: 0.9 } } })).toMatch(
      /^bench\/latency\.bench\.ts, scenario "qwen > chat": slo\.goodput: Goodput SLO ttft cannot be measured without streaming/,
    )
  })

  it('checks the bounds', () => {
    expect(error({ model: 'm', slo: { goodput: { ttft: -1, min: 0.9 } } })).toBe(`${SCENARIO}: slo.goodput.ttft must be a number of milliseconds above 0, got -1`)
    expect(error({ model: 'm', slo: { goodput: { ttft: 500, min: 90 } } })).toBe(`${SCENARIO}: slo.goodput.min must be a ratio between 0 and 1, e.g. 0.9, got 90`)
    expect(error({ model: 'm', slo: { goodput: { min: 0.9 } } })).toBe(
      `${SCENARIO}: slo.goodput needs at least one bound in ms (ttft, ttfc, tpot, itl, e2e) or valid: true, e.g. { ttft: 500, tpot: 50, min: 0.9 }`,
    )
    expect(error({ model: 'm', slo: { goodput: { ttf: 500, min: 0.9 } as never } })).toBe(
      `${SCENARIO}: unknown key "slo.goodput.ttf", did you mean "slo.goodput.ttft"?`,
    )
  })
})

describe('resolveScenario: one-line errors naming the bench file, scenario and key', () => {
  it('asks for a model and says where to set it', () => {
    expect(error({})).toBe(
      `${SCENARIO}: no model to ask for: set model in the bench options, defaults.model or servers.<name>.model in llmbench.config.ts, or pass --model`,
    )
  })

  it.each([
    [{ requests: 0 }, 'requests must be a whole number of at least 1, got 0'],
    [{ concurrency: [] }, 'concurrency must list at least one concurrency level, got []'],
    [{ concurrency: [1, 2.5] }, 'concurrency[1] must be a whole number of at least 1, got 2.5'],
    [{ endpoint: 'embedding' }, 'endpoint must be one of "chat", "completions", "responses", "anthropic", "embeddings", "triton", "tgi", "sglang", "ollama", "ollama-generate", "auto", got "embedding" (did you mean "embeddings"?)'],
    [{ input: { tokens: -5 } }, 'input.tokens must be a whole number of at least 1, got -5'],
    [{ timeout: 0 }, 'timeout must be a number of milliseconds above 0, got 0'],
    [{ concurency: 4 }, 'unknown key "concurency", did you mean "concurrency"?'],
  ])('%j', (bench, message) => {
    expect(error({ model: 'm', ...(bench as BenchOptions) })).toBe(`${SCENARIO}: ${message}`)
  })

  it('names the command line for a bad override', () => {
    expect(error({ model: 'm' }, {}, { requests: -1 })).toBe('command line: requests must be a whole number of at least 1, got -1')
  })
})
