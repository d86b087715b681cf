/**
 * Work that can wait a moment (a finished request handed on, a closed loop's next send) runs a
 * few items per event-loop turn, after the turn's reads.
 *
 * Why: a read is stamped when its callback runs (client/http1.ts), so any work done inside a
 * read callback, or in one long stretch of the loop, delays the stamp of every stream whose
 * bytes are already waiting. Finishing a request and sending the next costs some 70 µs, most of
 * it the send's system call; when thousands of streams end within one token interval (every
 * round of a closed loop does) or start at once (a level's first round), doing all of that in one
 * go adds tens of milliseconds to other streams' TTFT and ITL. Run PER_TURN at a time from the
 * check phase, the poll phase between slices stamps every waiting read first. Nothing measured
 * moves: each end is stamped before it is handed on, and each send is stamped when it goes out.
 */
const PER_TURN = 8

const queue: Array<() => void> = []
let head = 0
let scheduled = false

/** Runs `fn` in a later turn of the event loop, after that turn's reads, at most PER_TURN a turn. */
export function handOff(fn: () => void): void {
  queue.push(fn)
  if (!scheduled) {
    scheduled = true
    setImmediate(drain)
  }
}

/** Resolves in a later turn, as handOff runs its function. */
export function nextSlice(): Promise<void> {
  return new Promise((resolve) => handOff(resolve))
}

function drain(): void {
  scheduled = false
  const end = Math.min(queue.length, head + PER_TURN)
  while (head < end) {
    const fn = queue[head]
    queue[head++] = noop // let it be collected
    fn()
  }
  if (head === queue.length) {
    queue.length = 0
    head = 0
  } else {
    if (head > 4096) {
      queue.splice(0, head)
      head = 0
    }
    scheduled = true
    setImmediate(drain)
  }
}

function noop(): void {}
