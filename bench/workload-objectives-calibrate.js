/**
 * Coverage of the intervals objectives get on session and tool-loop figures (docs/workloads.md,
 * "Objectives on sessions and tool loops"; docs/verdicts.md, "Sessions and tool loops"): how often
 * a figure's 90% interval misses the figure's true value. Target about 10%: as wide as the noise.
 *
 * The synthetic level: a closed loop of `slots` sessions (or agent tasks) going at once. Requests
 * sent at about the same time share the server's slowness, an AR(1) process over 250 ms stretches
 * (batches and queues make neighbours alike); each session has its own factor (its user's prompts)
 * and each request its own lognormal noise; users think between turns. Tasks call a tool with
 * probability 0.6 per step, up to 5 steps. The true value of each figure is its value on one very
 * large level of the same process. `ttft.p50` and `e2e.mean` over every request are printed as
 * the reference: the request figures' coverage on the same process. The slowness is strong and
 * slow to fade, so a level of 120 sessions holds only a dozen or so independent stretches of it:
 * every interval, the request figures' too, misses more often than its nominal 10% there.
 *
 *   npm run build && node bench/workload-objectives-calibrate.js [--quick]
 */
import { mulberry32 } from '../dist/src/random.js'
import { summarizeLevel } from '../dist/src/metrics/index.js'
import { figure } from '../dist/src/metrics/figures.js'
import { checkObjective } from '../dist/src/verdicts/objective.js'

const quick = process.argv.includes('--quick')
const REPS = quick ? 80 : 300
const SIZES = quick ? [120] : [120, 480]

function normal(rand) {
  const u = 1 - rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** The server's slowness at time t (ms): AR(1) over 250 ms stretches, drawn as time goes on. */
function slowness(rand) {
  const values = [0]
  return (t) => {
    const k = Math.max(0, Math.floor(t / 250))
    while (values.length <= k) values.push(0.8 * values[values.length - 1] + 0.6 * 0.25 * normal(rand))
    return Math.exp(values[k])
  }
}

/** Units (sessions of 3 turns, or tool-loop tasks) on `slots` slots; records in send order with their summary. */
function level(units, slots, kind, seed) {
  const rand = mulberry32(seed)
  const slow = slowness(rand)
  const free = Array.from({ length: slots }, (_, s) => s * 3)
  const records = []
  for (let j = 0; j < units; j++) {
    let slot = 0
    for (let s = 1; s < slots; s++) if (free[s] < free[slot]) slot = s
    let t = free[slot]
    const own = Math.exp(0.15 * normal(rand))
    const steps = []
    if (kind === 'sessions') for (let k = 1; k <= 3; k++) steps.push({ turn: k, last: k === 3 })
    else {
      for (let k = 1; k <= 5; k++) {
        const calls = rand() < 0.6 ? 1 : 0
        steps.push({ turn: 1, step: k, calls, last: calls === 0 || k === 5 })
        if (calls === 0) break
      }
    }
    for (const s of steps) {
      const f = slow(t) * own
      const ttft = (s.turn === 1 ? 120 : 60) * f * Math.exp(0.2 * normal(rand))
      const decode = 300 * f * Math.exp(0.1 * normal(rand))
      const r = {
        warmup: false, stream: true, scheduledAt: t, sentAt: t, firstTokenAt: t + ttft, firstContentAt: t + ttft, lastTokenAt: t + ttft + decode, endAt: t + ttft + decode + 1,
        outcome: 'ok', outputTokens: 32, outputTokensSource: 'usage', inputTokens: 200, inputTokensSource: 'usage', sessionId: `u${j}`, turn: s.turn,
      }
      if (kind === 'tasks') Object.assign(r, { step: s.step, toolCalls: s.calls }, s.last ? { taskEnd: s.calls ? 'max-steps' : 'answer' } : {})
      if (s.last) r.sessionEnd = 'turns'
      records.push(r)
      // Think time between turns; a tool's latency between steps.
      t = r.endAt + (kind === 'sessions' ? 400 * -Math.log(1 - rand()) : 50 + 100 * rand())
    }
    free[slot] = t
  }
  records.sort((a, b) => a.sentAt - b.sentAt)
  records.forEach((r, i) => (r.index = i))
  const summary = summarizeLevel([...records].sort((a, b) => a.endAt - b.endAt), { load: { kind: 'concurrency', value: slots }, client: { eventLoopDelayP99Ms: 1, cpuPercent: 1 } })
  return { summary, records }
}

// ttft.p50 and e2e.mean (every request of the sessions) are the reference: request figures of the same process.
const FIGURES = {
  sessions: ['ttft.p50', 'e2e.mean', 'session.duration.p50', 'session.duration.p90', 'session.duration.mean', 'turn2.ttft.p90', 'laterTurns.ttft.p50', 'laterTurns.e2e.mean'],
  tasks: ['tools.answered', 'tools.timeToAnswer.p50', 'tools.timeToAnswer.p90', 'tools.steps.mean'],
}
const SLOTS = 8

for (const kind of ['sessions', 'tasks']) {
  const truthLevel = level(quick ? 20000 : 60000, SLOTS, kind, 424242)
  const truth = Object.fromEntries(FIGURES[kind].map((f) => [f, figure(f).read(truthLevel.summary)]))
  for (const n of SIZES) {
    const misses = Object.fromEntries(FIGURES[kind].map((f) => [f, { low: 0, high: 0, none: 0 }]))
    for (let rep = 0; rep < REPS; rep++) {
      const l = level(n, SLOTS, kind, 1000 + rep * 7919 + n)
      for (const f of FIGURES[kind]) {
        const c = checkObjective(l, { figure: f, op: '<', bound: truth[f] }, { confidence: 0.9, mode: 'point' })
        const [lo, hi] = c.interval
        if (!Number.isFinite(lo) && !Number.isFinite(hi)) misses[f].none++
        else if (truth[f] < lo) misses[f].low++
        else if (truth[f] > hi) misses[f].high++
      }
    }
    for (const f of FIGURES[kind]) {
      const m = misses[f]
      const bounded = REPS - m.none
      const missed = bounded > 0 ? (100 * (m.low + m.high)) / bounded : NaN
      console.log(`${kind} ${n} units: ${f.padEnd(24)} truth ${truth[f].toFixed(3).padStart(10)}  90% interval misses ${missed.toFixed(1).padStart(5)}% (${m.low} above, ${m.high} below the truth; ${m.none} of ${REPS} without an interval)`)
    }
  }
}
