/** A small byte-level BPE tokenizer.json (GPT-2 style) written by tests, never downloaded. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const MERGES: Array<[string, string]> = [
  ['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['Ġ', 'a'], ['i', 'n'], ['e', 'r'], ['o', 'n'], ['Ġ', 's'], ['r', 'e'], ['Ġ', 'w'],
]

export function tinyTokenizerJson(): object {
  const vocab: Record<string, number> = {}
  let id = 0
  for (const c of 'Ġabcdefghijklmnopqrstuvwxyz') vocab[c] = id++
  for (const [a, b] of MERGES) vocab[a + b] = id++
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }
  return {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_suffix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, vocab, merges: MERGES.map((m) => m.join(' ')), ignore_merges: false,
    },
  }
}

/** Writes tokenizer.json into `dir` and returns its path. */
export function writeTinyTokenizer(dir: string): string {
  const path = join(dir, 'tokenizer.json')
  writeFileSync(path, JSON.stringify(tinyTokenizerJson()))
  return path
}
