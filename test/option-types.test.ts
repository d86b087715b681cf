// The editor catches mistakes in options: endpoints, objective keys and expressions are literal types
// (checked by `npm run typecheck`, which compiles this file), and the same mistakes fail at run time.
import { describe, expect, it } from 'vitest'
import type { BenchOptions, UserConfig } from '../src/index.js'
import { check, keyNaming } from '../src/options/check.js'
import { benchSchema } from '../src/options/scenario.js'

const valid: BenchOptions = {
  endpoint: 'chat',
  concurrency: [1, 8],
  slo: { 'ttft.p95': '< 800', 'errors.rate': '<= 0.01', 'tpot.p99': { expect: '<50', level: 8 }, goodput: { ttft: 500, tpot: 50, min: 0.9 } },
}
const config: UserConfig = { defaults: { endpoint: 'completions' }, servers: { vllm: { url: 'http://gpu:8000', endpoint: 'chat' } } }

// @ts-expect-error a misspelled endpoint
const endpoint: BenchOptions = { endpoint: 'chatt' }
// @ts-expect-error an objective on a statistic that does not exist
const key: BenchOptions = { slo: { 'ttft.p96': '< 800' } }
// @ts-expect-error an expression with a unit
const unit: BenchOptions = { slo: { 'ttft.p95': '< 800ms' } }
// @ts-expect-error an expression without an operator
const bare: BenchOptions = { slo: { 'e2e.p50': '800' } }
// @ts-expect-error an unknown option
const option: BenchOptions = { concurency: 4 }

describe('option types', () => {
  it('match what the checks accept and refuse', () => {
    const run = (o: unknown) => () => check(benchSchema, o, keyNaming(undefined))
    expect(run(valid)).not.toThrow()
    expect(run(config.defaults)).not.toThrow()
    for (const wrong of [endpoint, key, unit, bare, option]) expect(run(wrong)).toThrow()
  })
})
