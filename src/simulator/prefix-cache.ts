/**
 * The simulator's prefix cache, as vLLM's automatic prefix caching works: a prompt's token ids are
 * cut into blocks of `blockSize` tokens, each full block named by a hash of its tokens chained to
 * its parent's hash, so a block is found only after the same tokens from the prompt's start. A
 * request's cached tokens are its leading blocks already held; they skip prefill time (engine.ts).
 * Blocks are kept in least-recently-used order up to a capacity in tokens; a request's blocks are
 * touched from its last to its first, so a shared prefix stays fresher than the tails behind it
 * and eviction takes the tails first. Unlike vLLM, blocks in use by running requests may be
 * evicted too (the capacity is the cache's own, not the KV cache's).
 *
 * Counters follow vLLM's `vllm:prefix_cache_queries` (prompt tokens looked up) and
 * `vllm:prefix_cache_hits` (of those, the tokens found). As in vLLM, the last prompt token is
 * always computed: a prompt found whole still counts one block short.
 */

/** Two 32-bit hashes of a block chained to its parent, as one exact JavaScript number (53 bits). */
function blockHash(parent: number, ids: readonly number[], from: number, to: number): number {
  let a = (parent % 0x100000000) ^ 0x811c9dc5
  let b = Math.floor(parent / 0x100000000) ^ 0x2545f491
  for (let i = from; i < to; i++) {
    const x = ids[i] | 0
    a = Math.imul(a ^ x, 0x01000193)
    b = Math.imul(b ^ x, 0x5bd1e995)
    b ^= b >>> 15
  }
  a ^= a >>> 16
  a = Math.imul(a, 0x85ebca6b)
  a ^= a >>> 13
  return (b >>> 11) * 0x100000000 + (a >>> 0)
}

export interface PrefixCacheCounters {
  /** Prompt tokens looked up. */
  queries: number
  /** Of those, the tokens found in the cache. */
  hits: number
}

export class PrefixCache implements PrefixCacheCounters {
  queries = 0
  hits = 0
  /** Block hash to nothing: a Map keeps insertion order, which is the LRU order here. */
  private readonly blocks = new Map<number, true>()
  private readonly maxBlocks: number

  constructor(capacityTokens: number, readonly blockSize = 16) {
    this.maxBlocks = Math.max(1, Math.floor(capacityTokens / blockSize))
  }

  /** Tokens held. */
  get tokens(): number {
    return this.blocks.size * this.blockSize
  }

  /** The hashes of the prompt's full blocks, in order. */
  private hashes(ids: readonly number[], limit = ids.length): number[] {
    const out: number[] = []
    let parent = 0
    for (let end = this.blockSize; end <= limit; end += this.blockSize) {
      parent = blockHash(parent, ids, end - this.blockSize, end)
      out.push(parent)
    }
    return out
  }

  /**
   * Looks the prompt up, counts it, caches its blocks and returns how many of its leading tokens
   * were found (a multiple of the block size, below the prompt's length).
   */
  admit(ids: readonly number[]): number {
    const hashes = this.hashes(ids)
    let found = 0
    while (found < hashes.length && this.blocks.has(hashes[found])) found++
    const cached = Math.min(found * this.blockSize, Math.floor(Math.max(0, ids.length - 1) / this.blockSize) * this.blockSize)
    this.queries += ids.length
    this.hits += cached
    this.keep(hashes)
    return cached
  }

  /** Caches a sequence's blocks without counting a lookup (a finished request's prompt and reply). */
  insert(ids: readonly number[]): void {
    this.keep(this.hashes(ids))
  }

  /** Drops every block (vLLM's `POST /reset_prefix_cache`); the counters go on. */
  reset(): void {
    this.blocks.clear()
  }

  private keep(hashes: number[]): void {
    // Last block first: the prompt's start ends up the most recently used.
    for (let i = hashes.length - 1; i >= 0; i--) {
      this.blocks.delete(hashes[i])
      this.blocks.set(hashes[i], true)
    }
    let over = this.blocks.size - this.maxBlocks
    if (over <= 0) return
    for (const key of this.blocks.keys()) {
      this.blocks.delete(key)
      if (--over === 0) break
    }
  }
}
