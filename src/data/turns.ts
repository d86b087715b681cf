/**
 * Preparing prompts can take many seconds of CPU (tokenizing a large dataset, building thousands
 * of prompts): it gives the event loop a turn every 50 ms, so Ctrl-C, a second Ctrl-C and a
 * worker's messages get through, and stops there when asked.
 */

/** Preparation was stopped (the user pressed Ctrl-C): no prompt set is returned. */
export class PromptsStopped extends Error {
  constructor() {
    super('prompt preparation was stopped')
  }
}

const SLICE_MS = 50

/**
 * A function to await between pieces of work: it resolves at once until 50 ms of work have gone
 * by, then after one turn of the event loop; it rejects with PromptsStopped once `stopped()` is true.
 */
export function turns(stopped: () => boolean = () => false): () => Promise<void> | undefined {
  let slice = performance.now()
  return () => {
    if (performance.now() - slice < SLICE_MS) return undefined
    return new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        slice = performance.now()
        if (stopped()) reject(new PromptsStopped())
        else resolve()
      })
    })
  }
}
