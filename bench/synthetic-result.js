/**
 * Synthetic results for report tests and benchmarks: a closed-loop run of any size, every record
 * with its token times, summaries from llmbench's own metrics module (dist/), so the document is
 * exactly what `llmbench run --output` writes, without waiting for a server.
 *
 *   import { syntheticRunResult, syntheticSuiteResult } from './synthetic-result.js'
 *   syntheticRunResult({ requests: 10_000, concurrency: [1, 8, 32, 64, 128] })
 */
import { summarizeLevel } from '../dist/src/metrics/index.js'
import { mulberry32 } from '../dist/src/random.js'

/** A small deterministic PRNG (mulberry32): the same seed gives the same result. */
const rng = mulberry32

/** One level: `slots` requests in flight, `count` measured requests after one warm-up per slot. */
function level(rand, { slots, count, tokens, inputTokens, startAt, failRate, errorMessage, slo }) {
  const free = Array.from({ length: slots }, (_, i) => startAt + i * 0.37)
  const records = []
  const total = count + slots
  for (let index = 0; index < total; index++) {
    let slot = 0
    for (let s = 1; s < slots; s++) if (free[s] < free[slot]) slot = s
    const sentAt = free[slot] + rand() * 0.2
    const warmup = index < slots
    const n = warmup ? 16 : tokens
    const load = 1 + slots / 48
    const ttft = (28 + inputTokens * 0.05) * load * (0.85 + rand() * 0.3 + (rand() < 0.02 ? rand() * 2 : 0))
    const itl = 9 * (1 + slots / 96)
    const tokenTimes = [round(ttft)]
    for (let i = 1; i < n; i++) tokenTimes.push(round(tokenTimes[i - 1] + itl * (0.8 + rand() * 0.4) + (rand() < 0.003 ? 40 + rand() * 120 : 0)))
    const fails = !warmup && rand() < failRate
    let record
    if (!fails) {
      const lastTokenAt = sentAt + tokenTimes[n - 1]
      record = {
        index, warmup, stream: true, scheduledAt: sentAt - 0.01, sentAt, firstTokenAt: sentAt + ttft, firstContentAt: sentAt + ttft,
        lastTokenAt, endAt: lastTokenAt + 0.3, outcome: 'ok', outputTokens: n, outputTokensSource: 'usage',
        inputTokens, inputTokensSource: 'usage', tokenTimes,
      }
    } else if (rand() < 0.6) {
      const endAt = sentAt + 3 + rand() * 5
      record = {
        index, warmup, stream: true, scheduledAt: sentAt - 0.01, sentAt, endAt, outcome: 'http', error: { status: 500, message: errorMessage },
        outputTokens: 0, outputTokensSource: 'events', inputTokens, inputTokensSource: 'prompt',
      }
    } else {
      const cut = Math.max(2, Math.floor(n / 2))
      const lastTokenAt = sentAt + tokenTimes[cut - 1]
      record = {
        index, warmup, stream: true, scheduledAt: sentAt - 0.01, sentAt, firstTokenAt: sentAt + ttft, firstContentAt: sentAt + ttft,
        lastTokenAt, endAt: lastTokenAt + 1, outcome: 'stream-error', error: { message: errorMessage },
        outputTokens: cut, outputTokensSource: 'events', inputTokens, inputTokensSource: 'prompt', tokenTimes: tokenTimes.slice(0, cut),
      }
    }
    records.push(record)
    free[slot] = record.endAt + 0.05
  }
  const summary = summarizeLevel(records, { load: { kind: 'concurrency', value: slots }, slo, client: { eventLoopDelayP99Ms: 1.2, cpuPercent: 35 } })
  return { summary, records, endAt: Math.max(...free) }
}

const round = (v) => Math.round(v * 1000) / 1000

/**
 * A `llmbench run` result of `requests` measured requests spread evenly over the levels.
 * Strings llmbench does not control (model, server, error messages) can be set, e.g. to hostile text.
 */
export function syntheticRunResult({
  requests = 1000,
  concurrency = [1, 8, 32],
  tokens = 128,
  inputTokens = 256,
  seed = 1,
  model = 'synthetic-model',
  server = 'http://127.0.0.1:8000',
  errorMessage = '{"error":{"message":"Simulated internal server error.","code":500}}',
  failRate = 0.01,
  slo = { ttft: 400, tpot: 25 },
  startedAt = '2026-01-01T12:00:00.000Z',
} = {}) {
  const rand = rng(seed)
  const levels = []
  let at = 1000
  concurrency.forEach((slots, i) => {
    const count = Math.floor(requests / concurrency.length) + (i < requests % concurrency.length ? 1 : 0)
    const { summary, records, endAt } = level(rand, { slots, count, tokens, inputTokens, startAt: at, failRate, errorMessage, slo })
    levels.push({ summary, records })
    at = endAt + 500
  })
  const finishedAt = new Date(Date.parse(startedAt) + at).toISOString()
  return {
    schemaVersion: 2,
    llmbench: { version: '0.1.0' },
    startedAt,
    finishedAt,
    interrupted: false,
    command: `llmbench run --model ${model} --concurrency ${concurrency.join(',')} --num-prompts ${requests}`,
    environment: { node: 'v20.19.0', platform: 'linux-x64', cpus: 8, cpuModel: 'Synthetic CPU' },
    scenario: {
      server, model, endpoint: 'chat', stream: true, concurrency, requests: Math.ceil(requests / concurrency.length),
      input: { tokens: inputTokens }, output: { tokens }, ignoreEos: true, includeUsage: true, continuousUsage: false, timeout: 300000, seed: 0,
      headers: {}, body: {}, slo: { goodput: slo },
    },
    levels,
  }
}

/** A suite result of one bench file with one scenario, its levels from syntheticRunResult, and checks. */
export function syntheticSuiteResult({ name = 'chat under load', file = 'load.bench.ts', suite = 'release gate', checkName, ...run } = {}) {
  const r = syntheticRunResult(run)
  const last = r.levels[r.levels.length - 1].summary
  const checks = [
    { name: checkName ?? `ttft.p95 < 800 @ concurrency ${last.load.value}`, kind: 'objective', passed: last.stats.ttft.p95 < 800, level: last.load.value, metric: 'ttft.p95', expected: '< 800', actual: last.stats.ttft.p95, location: { file, line: 7 } },
    { name: `goodput >= 0.9 @ concurrency ${last.load.value}`, kind: 'objective', passed: (last.goodput?.ratio ?? 0) >= 0.9, level: last.load.value, metric: 'goodput', expected: '>= 0.9', actual: last.goodput?.ratio ?? 0, location: { file, line: 8 } },
  ]
  const passed = checks.every((c) => c.passed)
  return {
    schemaVersion: 2,
    llmbench: r.llmbench,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    interrupted: false,
    environment: r.environment,
    files: [{
      file,
      durationMs: Date.parse(r.finishedAt) - Date.parse(r.startedAt),
      scenarios: [{
        id: `${suite} > ${name}`, name, suite: [suite], file, status: passed ? 'passed' : 'failed', options: r.scenario, levels: r.levels, checks, durationMs: 1000,
      }],
    }],
    exitCode: passed ? 0 : 1,
  }
}
