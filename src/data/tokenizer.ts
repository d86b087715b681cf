/**
 * Token counting for prompts and estimates. gpt-tokenizer's o200k BPE stands in for the
 * server's tokenizer: the record prefers the server's own `usage` counts whenever it sends them.
 */
import { encode, decode, countTokens as count } from 'gpt-tokenizer/encoding/o200k_base'

export const TOKENIZER_NAME = 'o200k_base'

export function countTokens(text: string): number {
  return count(text)
}

export function encodeText(text: string): number[] {
  return encode(text)
}

export function decodeTokens(tokens: number[]): string {
  return decode(tokens)
}
