/**
 * Each fault of a real server ends its request with the right outcome, and the run goes on:
 * failures are counted by kind and kept out of the latency figures.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator, type Fault, type Simulator } from '../src/simulator/index.js'
import { runScenario } from '../src/runner/scenario.js'
import type { FailureKind } from '../src/results/types.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function runAgainstFault(fault: Fault) {
  // Every request meets the fault, the preflight included: it must not stop the run.
  sim = await startSimulator({ fixedTtftMs: 10, fixedItlMs: 2, faultAfterTokens: 3, faults: { [fault]: 1 } })
  const { levels: [level] } = await runScenario({
    server: sim.url, model: 'sim-model', endpoint: 'chat', stream: true, concurrency: [2], numPrompts: 4, warmup: 0,
    inputLen: 16, outputLen: 8, ignoreEos: true, includeUsage: true, continuousUsage: false, timeoutMs: 5_000,
    headers: {}, body: {}, seed: 0,
  })
  return level
}

describe('faults are recorded by kind and the level goes on', () => {
  const cases: Array<[Fault, FailureKind]> = [
    ['http-500', 'http'],
    ['http-429', 'http'],
    ['http-503', 'http'],
    ['stream-error', 'stream-error'],
    ['malformed', 'parse'],
    ['cut', 'disconnect'],
  ]
  for (const [fault, kind] of cases) {
    it(`${fault} → ${kind}`, async () => {
      const level = await runAgainstFault(fault)
      expect(level.summary.requests).toMatchObject({ total: 4, succeeded: 0, failed: 4 })
      expect(level.summary.errors).toEqual({ [kind]: 4 })
      expect(level.summary.stats.ttft).toBeUndefined()
      expect(level.summary.throughput.outputTokensPerSec).toBe(0)
      expect(level.summary.warnings.join(' ')).toMatch(/succeeded/)
      if (kind === 'http') expect(level.records[0].error?.status).toBe(Number(fault.slice(5)))
    })
  }
})
