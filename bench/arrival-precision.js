#!/usr/bin/env node
/**
 * How closely an open-loop level keeps its schedule: constant arrivals at each rate against the
 * simulator in its own process, with the sent rate against the target and the client's own
 * lateness (sentAt − scheduledAt). A figure of the machine as much as of llmbench: run it on an
 * idle machine to judge the client, and on a loaded one to see what load does to it. The unit
 * test (test/load-simulator.test.ts) checks only what the code controls: the scheduled times.
 *
 *   npm run build && node bench/arrival-precision.js [--rates 10,40,200] [--requests 400]
 */
import { spawnSimulator } from '../dist/src/simulator/spawn.js'
import { runScenario } from '../dist/src/runner/scenario.js'
import { numberArg, parseArgs } from './args.js'

const args = parseArgs(process.argv.slice(2))
const RATES = String(args.rates ?? '10,40,200').split(',').map(Number)
const REQUESTS = numberArg(args, 'requests', 400)

const sim = await spawnSimulator({ decodeBaseMs: 4, decodeMsPerSeq: 0, prefillBaseMs: 2, prefillMsPerToken: 0 })
try {
  console.log('rate/s  requests  sent rate/s  sent/target  lateness p50 ms  p99 ms  max ms')
  for (const rate of RATES) {
    const { levels: [level] } = await runScenario({
      server: sim.url, model: sim.model, endpoint: 'chat', stream: true, concurrency: [1], rate: [rate], arrival: 'constant',
      numPrompts: REQUESTS, inputLen: 16, outputLen: 8, ignoreEos: true, includeUsage: true, continuousUsage: false,
      timeoutMs: 20_000, headers: {}, body: {}, seed: 1, calibrate: false, telemetry: { enabled: false },
    })
    const s = level.summary.schedule
    const lag = s.clientLag
    console.log(
      `${String(rate).padStart(6)}  ${String(REQUESTS).padStart(8)}  ${s.achievedRate.toFixed(2).padStart(11)}  ` +
      `${(s.achievedRate / rate).toFixed(4).padStart(11)}  ${lag.p50.toFixed(3).padStart(15)}  ${lag.p99.toFixed(3).padStart(6)}  ${lag.max.toFixed(3).padStart(6)}`,
    )
  }
} finally {
  await sim.close()
}
