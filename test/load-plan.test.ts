import { describe, expect, it } from 'vitest'
import { PhaseClock, type PhasePlan } from '../src/load/phases.js'
import { CapacitySearch, evenRates, type CapacitySweep } from '../src/load/sweep.js'
import { parseCountOrTime, parseDuration } from '../src/options/duration.js'
import { toLoadOptions } from '../src/load/options.js'
import { check, keyNaming, named } from '../src/options/check.js'
import { benchSchema } from '../src/options/scenario.js'

const phasesOf = (plan: PhasePlan, times: number[]) => {
  const clock = new PhaseClock(plan)
  return times.map((t) => clock.next(t))
}

describe('level phases', () => {
  it('counts warm-up, measured and cool-down requests in order, then ends', () => {
    expect(phasesOf({ warmup: { count: 1 }, measured: { count: 2 }, cooldown: { count: 1 } }, [0, 1, 2, 3, 4, 5])).toEqual([
      'warmup', 'measured', 'measured', 'cooldown', null, null,
    ])
  })

  it('bounds phases by time, from the end of the previous one', () => {
    const clock = new PhaseClock({ warmup: { ms: 100 }, measured: { ms: 200 }, cooldown: { ms: 50 } })
    expect([0, 99, 100, 299, 300, 349, 350].map((t) => clock.next(t))).toEqual([
      'warmup', 'warmup', 'measured', 'measured', 'cooldown', 'cooldown', null,
    ])
    expect(clock.measuredStart).toBe(100)
    expect(clock.measuredEnd).toBe(300)
  })

  it('mixes counts and times: a count phase ends at its last request, a time phase after it', () => {
    expect(phasesOf({ warmup: { count: 2 }, measured: { ms: 100 }, cooldown: { count: 0 } }, [0, 5, 10, 109, 110])).toEqual([
      'warmup', 'warmup', 'measured', 'measured', null,
    ])
  })

  it('peek tells the phase without taking a place in it', () => {
    const clock = new PhaseClock({ warmup: { count: 0 }, measured: { count: 1 }, cooldown: { count: 0 } })
    expect(clock.peek(0)).toBe('measured')
    expect(clock.peek(0)).toBe('measured')
    expect(clock.next(0)).toBe('measured')
    expect(clock.peek(1)).toBeNull()
  })
})

const sweep = (o: Partial<CapacitySweep> = {}): CapacitySweep => ({
  method: 'capacity', kind: 'concurrency', start: 1, max: 1024, factor: 2, resolution: 1, maxLevels: 20, min: 0.9, ...o,
})

/** Runs a search against a server whose true capacity is `capacity`. */
function search(o: CapacitySweep, capacity: number) {
  const s = new CapacitySearch(o)
  for (let load = s.next(), i = 0; load !== null; load = s.next(), i++) s.record(load, load <= capacity, i)
  return s.summary()
}

describe('capacity search', () => {
  it('probes upward geometrically, then bisects to the exact concurrency', () => {
    const r = search(sweep(), 37)
    expect(r.capacity).toBe(37)
    expect(r.firstFailing).toBe(38)
    expect(r.stoppedBy).toBe('resolution')
    expect(r.probes.slice(0, 7).map((p) => p.load)).toEqual([1, 2, 4, 8, 16, 32, 64])
    expect(r.probes.every((p) => p.passed === p.load <= 37)).toBe(true)
  })

  it('finds every capacity from 1 to 300 within the resolution, in few levels', () => {
    for (let c = 1; c <= 300; c++) {
      const r = search(sweep(), c)
      expect(r.capacity).toBe(c)
      expect(r.probes.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(c + 1)) + 1)
    }
  })

  it('says when even the first load failed, when the maximum passed, and when the budget ran out', () => {
    expect(search(sweep({ start: 4 }), 0)).toMatchObject({ capacity: null, firstFailing: 1 })
    expect(search(sweep({ max: 10 }), 100)).toMatchObject({ capacity: 10, firstFailing: null, stoppedBy: 'max' })
    expect(search(sweep({ maxLevels: 3 }), 100)).toMatchObject({ capacity: 4, stoppedBy: 'budget' })
  })

  it('bisects rates to the resolution', () => {
    const r = search(sweep({ kind: 'rate', start: 1, resolution: 0.25 }), 13.3)
    expect(r.capacity).toBeLessThanOrEqual(13.3)
    expect(r.firstFailing! - r.capacity!).toBeLessThanOrEqual(0.25)
    expect(r.firstFailing).toBeGreaterThan(13.3)
  })

  it('GuideLLM-style rates lie evenly between the two ends, ends excluded', () => {
    expect(evenRates(1, 11, 4)).toEqual([3, 5, 7, 9])
    expect(evenRates(5, 5, 3)).toEqual([])
  })
})

describe('load options as users write them', () => {
  it('reads times with units and counts', () => {
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration(2)).toBe(2000)
    expect(parseCountOrTime(10)).toEqual({ count: 10 })
    expect(parseCountOrTime('10s')).toEqual({ ms: 10_000 })
    expect(() => parseDuration('soon')).toThrow('must be a time above 0 such as 60s')
    expect(() => parseDuration('5x')).toThrow()
  })

  it('turns rates, arrivals, ramps and sweeps into runner options', () => {
    expect(toLoadOptions({ rate: [5, 10], burstiness: 0.5, maxConcurrency: 8, duration: '1m', cooldown: '5s' }, false)).toEqual({
      rate: [5, 10], arrival: 'gamma', burstiness: 0.5, maxConcurrency: 8, durationMs: 60_000, cooldownMs: 5000,
    })
    expect(toLoadOptions({ ramp: { from: 1, to: 50, over: '2m' } }, false).ramp).toEqual({
      kind: 'concurrency', from: 1, to: 50, overMs: 120_000, shape: 'linear',
    })
    expect(toLoadOptions({ rate: 5, sweep: { min: 0.95 } }, true).sweep).toMatchObject({ method: 'capacity', kind: 'rate', min: 0.95 })
  })

  it('names the key at fault and what it expects', () => {
    // As a bench file's options are read: checked by their declarations, then turned into levels.
    const fails = (input: object, goodput = false) => {
      const naming = keyNaming(undefined)
      try {
        named(naming, () => toLoadOptions(check(benchSchema, input, naming), goodput))
      } catch (err) {
        return (err as Error).message
      }
      throw new Error('expected an error')
    }
    expect(fails({ rate: [5, -1] })).toBe('rate[1] must be a rate above 0 in requests per second, got -1')
    expect(fails({ arrival: 'uniform' })).toBe('arrival must be one of constant, poisson, gamma, got "uniform"')
    expect(fails({ arrival: 'constant', burstiness: 2 })).toBe('burstiness applies to gamma arrivals only (arrival is constant)')
    expect(fails({ duration: 'abc' })).toBe('duration must be a time above 0 such as 60s, 2m, 1m30s or 500ms, got "abc"')
    expect(fails({ ramp: { from: 0, to: 5, over: '1m' } })).toBe('ramp.from must be a whole number of at least 1, got 0')
    expect(fails({ sweep: {} })).toMatch(/^sweep needs goodput bounds to judge each level/)
    expect(fails({ sweep: { min: 2 } }, true)).toMatch(/^sweep.min must be a goodput ratio in \(0, 1\]/)
  })
})

describe('the open-file limit', () => {
  it('reads the soft limit and refuses a run that needs more sockets, naming the fix', async () => {
    const { checkOpenFiles, openFileLimit } = await import('../src/runner/fd-limit.js')
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const file = join(mkdtempSync(join(tmpdir(), 'llmbench-limits-')), 'limits')
    writeFileSync(file, 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n')
    expect(openFileLimit(file)).toBe(1024)
    expect(() => checkOpenFiles(900, 1024)).not.toThrow()
    expect(() => checkOpenFiles(10_000, 1024)).toThrow('10000 concurrent streams need about 10064 open files, but this process may open 1024: raise the hard limit (ulimit -Hn 65536 as root, nofile in /etc/security/limits.conf, LimitNOFILE= for a systemd service, --ulimit nofile= for a container), or lower the concurrency')
    expect(() => checkOpenFiles(10_000, undefined)).not.toThrow()
  })
})
