import { describe, expect, it } from 'vitest'
import { handOff, nextSlice } from '../src/load/turns.js'

/** Counts event-loop turns: one tick per check phase, for `turns` turns. */
function turnCounter(turns: number): { now: () => number; done: Promise<void> } {
  let n = 0
  let finish: () => void
  const done = new Promise<void>((r) => (finish = r))
  const tick = () => {
    n++
    if (n < turns) setImmediate(tick)
    else finish()
  }
  setImmediate(tick)
  return { now: () => n, done }
}

describe('handOff: deferred work a few items per event-loop turn', () => {
  it('runs every item once, in order, at most 8 a turn', async () => {
    const turns = turnCounter(50)
    const seen: Array<[item: number, turn: number]> = []
    for (let i = 0; i < 30; i++) handOff(() => seen.push([i, turns.now()]))
    await turns.done
    expect(seen.map(([i]) => i)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    const perTurn = new Map<number, number>()
    for (const [, t] of seen) perTurn.set(t, (perTurn.get(t) ?? 0) + 1)
    expect(Math.max(...perTurn.values())).toBe(8)
    expect(perTurn.size).toBe(4) // 8 + 8 + 8 + 6
  })

  it('lets I/O callbacks run between slices', async () => {
    const { createServer, connect } = await import('node:net')
    const server = createServer((s) => s.end('x'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    const order: string[] = []
    const socket = connect(port, '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    // Queue many slices' worth of work that busy-waits 1 ms an item, then wait for the byte.
    const gotByte = new Promise<void>((r) => socket.once('data', () => (order.push('read'), r())))
    await new Promise((r) => setTimeout(r, 20)) // the byte is surely waiting in the kernel now
    const all: Array<Promise<void>> = []
    for (let i = 0; i < 64; i++) {
      all.push(nextSlice().then(() => {
        const until = performance.now() + 1
        while (performance.now() < until) { /* the work of one item */ }
        order.push('work')
      }))
    }
    await Promise.all([...all, gotByte])
    socket.destroy()
    server.close()
    // The read is handled after at most a slice or two of work, not after all 64 items.
    expect(order.indexOf('read')).toBeLessThan(24)
  })
})
