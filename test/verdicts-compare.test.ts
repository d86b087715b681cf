// Comparisons: verdicts flip when the sides swap, a level against itself is equivalent with no
// doubt, clear changes are found, tiny samples are inconclusive with a reason (never NaN, never
// a throw), repeats widen intervals by the measured run-to-run spread, and the multiplicity
// correction is the one stated.
import { describe, expect, it } from 'vitest'
import type { LevelResult, RunResult } from '../src/results/types.js'
import { compareFigure } from '../src/verdicts/compare.js'
import { figureSpec } from '../src/verdicts/figures.js'
import { compareLevels, compareResults } from '../src/verdicts/many.js'
import { Side } from '../src/verdicts/side.js'
import type { FigureComparison, Verdict } from '../src/verdicts/types.js'
import { makeLevel, numbersIn, type LevelShape } from './helpers/levels.js'

const SLO = { ttft: 80, tpot: 12 }
const shape = (over: Partial<LevelShape> = {}): LevelShape => ({
  requests: 600, concurrency: 4, tokens: 16, slo: SLO,
  ttft: (_, r) => 40 + r() * 30, gap: (_, __, r) => 8 + r() * 3, fails: (_, r) => r() < 0.02, ...over,
})
const flipped: Record<Verdict, Verdict> = { regressed: 'improved', improved: 'regressed', equivalent: 'equivalent', inconclusive: 'inconclusive' }

function run(levels: LevelResult[]): RunResult {
  return { levels } as unknown as RunResult
}

describe('swapping base and new', () => {
  it('flips regressed and improved, and mirrors every interval', () => {
    let decisive = 0
    for (let seed = 1; seed <= 12; seed++) {
      const factor = [0.7, 0.9, 1, 1.08, 1.3, 1.6][seed % 6]
      const a = makeLevel(shape({ seed, requests: 200 + 100 * seed }))
      const b = makeLevel(shape({ seed: seed + 100, requests: 300 + 50 * seed, ttft: (_, r) => (40 + r() * 30) * factor, fails: (_, r) => r() < 0.02 * factor }))
      const ab = compareLevels(a, b)
      const ba = compareLevels(b, a)
      ab.levels[0].figures.forEach((f, i) => {
        const g = ba.levels[0].figures[i]
        expect(g.figure).toBe(f.figure)
        expect(g.verdict).toBe(flipped[f.verdict])
        if (f.verdict === 'regressed' || f.verdict === 'improved') decisive++
        if (f.changeKind === 'points') {
          expect(g.interval[0]).toBeCloseTo(-f.interval[1], 12)
          expect(g.interval[1]).toBeCloseTo(-f.interval[0], 12)
        } else if (Number.isFinite(f.interval[0])) {
          // Ratios: the mirrored interval is [1/(1 + hi) − 1, 1/(1 + lo) − 1].
          expect(g.interval[0]).toBeCloseTo(1 / (1 + f.interval[1]) - 1, 9)
          expect(g.interval[1]).toBeCloseTo(1 / (1 + f.interval[0]) - 1, 9)
        }
      })
    }
    expect(decisive).toBeGreaterThan(5) // the property was tested on decisive verdicts too
  })
})

describe('a level against itself', () => {
  it('is equivalent everywhere with a zero change and a zero-width interval', () => {
    const a = makeLevel(shape({ requests: 50 }))
    for (const doc of [compareLevels(a, a), compareResults(run([a]), JSON.parse(JSON.stringify(run([a]))))]) {
      const rows = doc.levels[0].figures
      expect(rows.length).toBe(16)
      for (const f of rows) {
        expect(f.verdict).toBe('equivalent')
        expect(f.change).toBe(0)
        expect(f.interval).toEqual([0, 0])
        expect(f.base).toBe(f.next)
      }
      expect(doc.counts).toEqual({ regressed: 0, improved: 0, equivalent: 16, inconclusive: 0 })
    }
  })

  it('but two runs of the same settings are not the same measurements', () => {
    const a = makeLevel(shape({ seed: 1 }))
    const b = makeLevel(shape({ seed: 2 }))
    const rows = compareLevels(a, b).levels[0].figures
    expect(rows.some((f) => f.interval[0] < f.interval[1])).toBe(true)
    expect(rows.filter((f) => f.verdict === 'regressed' || f.verdict === 'improved')).toEqual([])
  })
})

describe('clear changes', () => {
  const base = makeLevel(shape({ seed: 3, requests: 2000 }))
  const slower = makeLevel(shape({ seed: 4, requests: 2000, ttft: (_, r) => (40 + r() * 30) * 1.5 }))
  const doc = compareLevels(base, slower)
  const row = (name: string): FigureComparison => doc.levels[0].figures.find((f) => f.figure === name)!

  it('a 50% slower TTFT regresses TTFT p50 and p90, with the change inside its interval', () => {
    for (const name of ['ttft.p50', 'ttft.p90']) {
      const f = row(name)
      expect(f.verdict).toBe('regressed')
      expect(f.interval[0]).toBeGreaterThan(0.05)
      expect(f.interval[0]).toBeLessThanOrEqual(f.change)
      expect(f.change).toBeLessThanOrEqual(f.interval[1])
      expect(f.change).toBeCloseTo(0.5, 1)
    }
    expect(doc.headline).toMatch(/^\d+ regressions? \(TTFT p50 \+\d+% \[\+\d+%, \+\d+%\] at concurrency 4/)
  })

  it("point estimates are the summaries' figures", () => {
    expect(row('ttft.p50').base).toBe(base.summary.stats.ttft!.p50)
    expect(row('ttft.p50').next).toBe(slower.summary.stats.ttft!.p50)
    expect(row('itl.p99').base).toBe(base.summary.stats.itl!.p99)
    expect(row('throughput.output').next).toBe(slower.summary.throughput.outputTokensPerSec)
    expect(row('goodput').base).toBe(base.summary.goodput!.ratio)
    expect(row('goodput').changeKind).toBe('points')
    expect(row('goodput').change).toBeCloseTo(slower.summary.goodput!.ratio - base.summary.goodput!.ratio, 12)
  })

  it('TPOT, untouched, is not called a regression', () => {
    expect(['equivalent', 'inconclusive']).toContain(row('tpot.p50').verdict)
  })
})

describe('tiny samples', () => {
  const cases: Array<[string, LevelResult]> = [
    ['no request', makeLevel(shape({ requests: 0 }))],
    ['one request', makeLevel(shape({ requests: 1 }))],
    ['two requests', makeLevel(shape({ requests: 2 }))],
    ['all failed', makeLevel(shape({ requests: 30, fails: () => true }))],
  ]
  const normal = makeLevel(shape({ requests: 400 }))
  for (const [what, tiny] of cases) {
    it(`${what}: inconclusive with a reason, never NaN, never a throw`, () => {
      for (const [b, n] of [[tiny, normal], [normal, tiny]]) {
        const doc = compareLevels(b, n)
        for (const f of doc.levels[0].figures) {
          if (f.verdict !== 'inconclusive') continue
          expect(f.reason, f.figure).toMatch(/\w/)
        }
        // Every latency figure lacks an interval; the shares may be decided when the other side is large.
        for (const f of doc.levels[0].figures.filter((x) => /^(ttft|tpot|itl|e2e)\./.test(x.figure))) expect(f.verdict).toBe('inconclusive')
        expect(numbersIn(doc).some(Number.isNaN)).toBe(false)
        expect(JSON.stringify(doc)).not.toMatch(/NaN/)
      }
    })
  }

  it('says how many requests would do when an interval cannot be had', () => {
    const small = makeLevel(shape({ requests: 120, concurrency: 32 }))
    const f = compareLevels(small, normal).levels[0].figures.find((x) => x.figure === 'ttft.p50')!
    expect(f.verdict).toBe('inconclusive')
    expect(f.reason).toMatch(/independent stretch/)
    expect(f.needed).toBeGreaterThan(120)
  })

  it('an inconclusive change estimates the requests that would decide it', () => {
    const a = makeLevel(shape({ seed: 21, requests: 300 }))
    const b = makeLevel(shape({ seed: 22, requests: 300, ttft: (_, r) => (40 + r() * 30) * 1.1 }))
    const f = compareLevels(a, b).levels[0].figures.find((x) => x.figure === 'ttft.p50')!
    expect(f.verdict).toBe('inconclusive')
    expect(f.needed).toBeGreaterThan(300)
    // The estimate assumes the change stays as measured (+12% here, +10% in truth): with a few
    // times that many requests, the same difference is decided.
    expect(f.needed).toBeLessThan(3000)
    const n = f.needed! * 4
    const a2 = makeLevel(shape({ seed: 23, requests: n }))
    const b2 = makeLevel(shape({ seed: 24, requests: n, ttft: (_, r) => (40 + r() * 30) * 1.1 }))
    expect(compareLevels(a2, b2).levels[0].figures.find((x) => x.figure === 'ttft.p50')!.verdict).toBe('regressed')
  })
})

describe('repeats', () => {
  // Each run of the same server lands a little off (warm caches, placement): a per-run factor.
  const repeats = (seed: number, factors: number[]): LevelResult[] =>
    factors.map((f, i) => makeLevel(shape({ seed: seed + i, requests: 1500, ttft: (_, r) => (40 + r() * 30) * f })))

  it('measure the run-to-run spread: a difference within it is not a regression', () => {
    const base = repeats(1, [1, 0.88, 1.12])
    const next = repeats(10, [1.12, 1.0, 1.24])
    const single = compareFigure(new Side(base[0]), new Side(next[2]), figureSpec('ttft.p50')!, { confidence: 0.95, tolerance: undefined, goodput: undefined })
    expect(single.verdict).toBe('regressed') // one run each: the spread between runs is invisible
    const many = compareFigure(new Side(base), new Side(next), figureSpec('ttft.p50')!, { confidence: 0.95, tolerance: undefined, goodput: undefined })
    expect(many.verdict).toBe('inconclusive')
    expect(many.repeats).toEqual({ base: 3, next: 3 })
    expect(many.base).toBeCloseTo(base.reduce((s, l) => s + l.summary.stats.ttft!.p50, 0) / 3, 9)
    expect(many.reason).toMatch(/repeats/)
  })

  it('still find a change much larger than the spread', () => {
    const base = repeats(1, [1, 0.99, 1.01])
    const next = repeats(10, [1.3, 1.31, 1.29])
    const f = compareFigure(new Side(base), new Side(next), figureSpec('ttft.p50')!, { confidence: 0.95, tolerance: undefined, goodput: undefined })
    expect(f.verdict).toBe('regressed')
  })

  it('are found in results by scenario and load', () => {
    const doc = compareResults([run([makeLevel(shape({ seed: 1 }))]), run([makeLevel(shape({ seed: 2 }))])], run([makeLevel(shape({ seed: 3 }))]))
    expect(doc.levels[0].figures[0].repeats).toEqual({ base: 2, next: 1 })
  })
})

describe('many figures at once', () => {
  const a = run([makeLevel(shape({ seed: 1 })), makeLevel(shape({ seed: 2, concurrency: 16 }))])
  const b = run([makeLevel(shape({ seed: 3 })), makeLevel(shape({ seed: 4, concurrency: 16 })), makeLevel(shape({ seed: 5, concurrency: 64 }))])

  it('Bonferroni over every figure of every matched level, stated in the output', () => {
    const doc = compareResults(a, b, { confidence: 0.9 })
    expect(doc.levels.length).toBe(2)
    expect(doc.correction.method).toBe('bonferroni')
    expect(doc.correction.tests).toBe(32)
    expect(doc.correction.perFigureConfidence).toBeCloseTo(1 - 0.1 / 32, 12)
    for (const f of doc.levels.flatMap((l) => l.figures)) expect(f.confidence).toBeCloseTo(1 - 0.1 / 32, 12)
    const total = Object.values(doc.counts).reduce((s, n) => s + n, 0)
    expect(total).toBe(32)
  })

  it('suite results match by file and scenario id; a scenario one side lacks is listed', () => {
    const suite = (ids: string[], seed: number) => ({
      files: [{ file: 'load.bench.ts', scenarios: ids.map((id, i) => ({ id, name: id, levels: [makeLevel(shape({ seed: seed + i }))] })) }],
    })
    const doc = compareResults(suite(['chat', 'rag'], 1), suite(['chat', 'tools'], 10))
    expect(doc.levels.map((l) => l.scenario)).toEqual(['load.bench.ts > chat'])
    expect(doc.unmatched.map((u) => [u.side, u.scenario])).toEqual([['base', 'load.bench.ts > rag'], ['next', 'load.bench.ts > tools']])
  })

  it('a load only one side has is listed and decides nothing', () => {
    const doc = compareResults(a, b)
    expect(doc.unmatched).toEqual([expect.objectContaining({ side: 'next', load: { kind: 'concurrency', value: 64 } })])
    expect(doc.unmatched[0].message).toMatch(/concurrency 64 .* not in the baseline/)
  })

  it('declared primary figures share the confidence; the rest are shown as secondary', () => {
    const doc = compareResults(a, b, { primary: ['ttft.p99'] })
    expect(doc.correction.method).toBe('primary')
    expect(doc.correction.tests).toBe(2)
    expect(doc.correction.secondary!.tests).toBe(30)
    const rows = doc.levels.flatMap((l) => l.figures)
    expect(rows.filter((f) => !f.secondary).map((f) => f.figure)).toEqual(['ttft.p99', 'ttft.p99'])
    expect(rows.find((f) => f.figure === 'ttft.p99')!.confidence).toBeCloseTo(1 - 0.05 / 2, 12)
    expect(Object.values(doc.counts).reduce((s, n) => s + n, 0)).toBe(2)
  })

  it('per-figure tolerances and the figure list are honoured; an unknown figure is one clear error', () => {
    const doc = compareResults(a, b, { figures: ['ttft.p50', 'goodput'], tolerance: { 'ttft.p50': 0.5, goodput: 0.3 } })
    const rows = doc.levels[0].figures
    expect(rows.map((f) => f.figure)).toEqual(['ttft.p50', 'goodput'])
    expect(rows[0].tolerance).toBe(0.5)
    expect(rows[1].tolerance).toBe(0.3)
    expect(() => compareResults(a, b, { figures: ['ttft.p42'] })).toThrow(/^Unknown figure "ttft.p42": use <metric>\.<stat>/)
    // A name of Object.prototype is no percentile either.
    expect(() => compareResults(a, b, { figures: ['ttft.constructor'] })).toThrow(/^Unknown figure "ttft.constructor"/)
  })
})

describe('a client busier in one run than in the other', () => {
  const busy = (level: LevelResult, ms: number): LevelResult => ({ ...level, summary: { ...level.summary, client: { ...level.summary.client, eventLoopDelayP99Ms: ms } } })
  const a = makeLevel(shape({ seed: 5, requests: 300 }))
  const b = makeLevel(shape({ seed: 6, requests: 300 }))

  it('is said beside the level, naming the busier side, and decides nothing', () => {
    const quiet = compareLevels(busy(a, 6), busy(b, 6))
    const loud = compareLevels(busy(a, 6), busy(b, 35))
    expect(quiet.levels[0].note).toBeUndefined()
    expect(loud.levels[0].note).toMatch(/35 ms in the new run against 6 ms/)
    expect(loud.levels[0].figures.map((f) => f.verdict)).toEqual(quiet.levels[0].figures.map((f) => f.verdict))
    expect(compareLevels(busy(a, 35), busy(b, 6)).levels[0].note).toMatch(/in the baseline/)
  })

  it('is not said for delays too small to move a percentile that matters', () => {
    expect(compareLevels(busy(a, 1), busy(b, 8)).levels[0].note).toBeUndefined()
  })
})
