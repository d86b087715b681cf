// Results written before schemaVersion 2 read as today's: the scenario under the names bench files use.
import { describe, expect, it } from 'vitest'
import { classifyResult } from '../src/results/read.js'
import type { RunResult } from '../src/results/types.js'
import type { SuiteResult } from '../src/results/suite.js'
import { syntheticRunResult, syntheticSuiteResult } from '../bench/synthetic-result.js'
import { schemaErrors, suiteSchemaErrors } from './helpers/schema.js'

const V1_SCENARIO = {
  server: 'http://gpu:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [1, 8], numPrompts: 50, warmup: null,
  inputLen: 256, outputLen: 128, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 60_000, seed: 3,
  headerNames: ['x-team'], body: { temperature: 0 }, goodput: { ttft: 500, tpot: 50 },
  rate: [5, 10], arrival: 'gamma', burstiness: 0.5, durationMs: 30_000, warmupMs: 5000, cooldown: 4,
  ramp: { kind: 'rate', from: 1, to: 20, overMs: 60_000, shape: 'linear' },
  prompts: { kind: 'synthetic', input: { tokens: 256, spread: 0.1 }, output: { tokens: 128 }, prefix: { tokens: 32 }, groups: { count: 4, systemTokens: 64 }, shuffle: false },
}

const V2_SCENARIO = {
  server: 'http://gpu:8000', model: 'm', endpoint: 'chat', stream: true, concurrency: [1, 8], requests: 50,
  input: { tokens: 256, spread: 0.1, prefix: { tokens: 32 }, groups: { count: 4, systemTokens: 64, shuffle: false } }, output: { tokens: 128 },
  ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 60_000, seed: 3,
  headers: { 'x-team': '***' }, body: { temperature: 0 }, slo: { goodput: { ttft: 500, tpot: 50 } },
  rate: [5, 10], arrival: 'gamma', burstiness: 0.5, duration: '30000ms', warmup: '5000ms', cooldown: 4,
  ramp: { of: 'rate', from: 1, to: 20, over: '60000ms', shape: 'linear' },
}

describe('results of schemaVersion 1', () => {
  it('read a run result with its scenario under the bench-file names, valid against today\'s schema', () => {
    const v1 = { ...syntheticRunResult({ requests: 4, concurrency: [1] }), schemaVersion: 1, scenario: V1_SCENARIO }
    const read = classifyResult(v1, 'old.json')
    expect(read.kind).toBe('run')
    const doc = read.doc as RunResult
    expect(doc.schemaVersion).toBe(2)
    expect(doc.scenario).toEqual(V2_SCENARIO)
    expect(schemaErrors(doc)).toEqual([])
  })

  it('read a suite result with every scenario\'s options upgraded', () => {
    const suite = syntheticSuiteResult({ requests: 4, concurrency: [1] })
    const v1 = { ...suite, schemaVersion: 1, files: suite.files.map((f) => ({ ...f, scenarios: f.scenarios.map((s) => ({ ...s, options: V1_SCENARIO })) })) }
    const doc = classifyResult(v1, 'old.json').doc as SuiteResult
    expect(doc.files[0].scenarios[0].options).toEqual(V2_SCENARIO)
    expect(suiteSchemaErrors(doc)).toEqual([])
  })

  it('map a dataset and a capacity sweep', () => {
    const scenario = {
      ...V1_SCENARIO, ramp: undefined, rate: undefined,
      prompts: { kind: 'file', path: '/data/share.json', format: 'sharegpt', filters: { maxInput: 1024 }, tokenizer: '/t.json' },
      sweep: { method: 'capacity', kind: 'concurrency', start: 1, max: 64, factor: 2, resolution: 1, maxLevels: 12, maxTimeMs: 600_000, min: 0.9 },
    }
    const doc = classifyResult({ ...syntheticRunResult({ requests: 4, concurrency: [1] }), schemaVersion: 1, scenario }, 'old.json').doc as RunResult
    expect(doc.scenario).toMatchObject({
      dataset: { path: '/data/share.json', format: 'sharegpt', filters: { maxInput: 1024 } }, tokenizer: '/t.json',
      sweep: { method: 'capacity', of: 'concurrency', start: 1, max: 64, factor: 2, resolution: 1, levels: 12, maxTime: '600000ms', min: 0.9 },
    })
  })
})
