import { describe, expect, it } from 'vitest'
import { median } from '../src/metrics/stats.js'
import { percentile } from '../src/metrics/stats.js'

describe('the progress line\'s live TTFT median', () => {
  it('equals the sorted percentile(…, 50) for odd and even counts, ties and one value', () => {
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (const n of [1, 2, 3, 4, 5, 10, 11, 100, 101, 1000, 1001]) {
      for (const ties of [false, true]) {
        const xs = Array.from({ length: n }, () => (ties ? Math.floor(rand() * 5) : rand() * 1000))
        const expected = percentile(Float64Array.from(xs).sort(), 50)
        expect(median(xs.slice())).toBe(expected)
      }
    }
    expect(median([3, 1, 2, 2])).toBe(2)
    expect(median([5, 1])).toBe(3)
  })
})
