/**
 * What a scenario sends (Prompt) and where it comes from (PromptSpec). A PromptSpec is plain,
 * JSON-serialisable data so that a result file can record exactly how its prompts were made.
 * docs/datasets.md describes every field.
 */
import type { PromptMedia, RowMedia } from './media-types.js'

export interface ChatMessage {
  /** `tool`: a tool's result in an agent's tool loop (docs/workloads.md, Tool loops). */
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  /** An assistant's tool calls (tool loops); its `content` may then be empty. */
  toolCalls?: Array<{ id: string; name: string; arguments: string }>
  /** A tool message: the call it answers. */
  toolCallId?: string
}

export interface Prompt {
  /** The whole prompt as one string: what completions-style endpoints send. With messages, their
   * contents in order (a dataset's joined by newlines; a group's system prompt and question by a space). */
  text: string
  /** Chat messages, when the prompt is more than one user message (a system prompt, a history). */
  messages?: ChatMessage[]
  /** Input tokens of `text`: by the spec's tokenizer, or by the server's /tokenize when calibrated. */
  tokens: number
  /** Output tokens this prompt asks for; undefined: the scenario's output length. */
  maxTokens?: number
  /** Trace replay: when to send it, in ms from the start, already divided by the speed factor. */
  at?: number
  /** Multi-turn position. The history in `messages` holds the dataset's own replies, not the
   * server's, so every turn is self-contained and can be sent at any time. */
  conversation?: { id: number; turn: number; turns: number }
  /** Leading parts of the prompt other prompts may share, in order, with their tokens: a shared
   * prefix, a group's system prompt, trace blocks, a dataset conversation's earlier messages. The
   * prefix reuse a workload is designed to have is counted from them (docs/workloads.md). */
  segments?: PromptSegment[]
  // Request kinds (docs/request-kinds.md): what the dataset row lists, and what the level attached.
  /** The row's images and audio clips: absolute file paths or http(s) URLs. */
  rowMedia?: RowMedia
  /** The row's LoRA adapter (`"lora"`), for dataset assignment. */
  rowLora?: string
  /** The images and clips this prompt sends (data/media.ts), attached before the level. */
  media?: PromptMedia
  /** The LoRA adapter this prompt asks for (data/lora.ts); absent: the base model. */
  adapter?: string
}

/** A part of a prompt named so that the same part of another prompt has the same key. */
export interface PromptSegment {
  key: string
  tokens: number
}


export { RANGE_MODES, type RangeMode } from '../options/vocabulary.js'

export type { LengthSpec } from '../options/lengths.js'
import type { LengthSpec } from '../options/lengths.js'

export interface SyntheticSpec {
  kind: 'synthetic'
  /** The whole prompt's length, shared prefix and group system prompt included. */
  input: LengthSpec
  output: LengthSpec
  /** The first `tokens` tokens of every prompt are the same text (prefix-cache tests). */
  prefix?: { tokens: number }
  /** SGLang's generated-shared-prefix shape: prompt i belongs to group i mod count, and each group's
   * prompts start with the same system prompt of `systemTokens` tokens (after the shared prefix). */
  groups?: { count: number; systemTokens: number }
  tokenizer?: string
  /** Shuffle the order of the prompts (groups interleave at random). Default true. */
  shuffle?: boolean
}

export { FILE_FORMATS, type FileFormat } from '../options/vocabulary.js'
import type { FileFormat } from '../options/vocabulary.js'

/** A prompt is dropped when any bound fails: input < minInput, output < minOutput,
 * input > maxInput, input + output > maxTotal. Output bounds apply only where the output length is
 * known (a reply or max_tokens). */
export interface LengthFilters {
  minInput?: number
  minOutput?: number
  maxInput?: number
  maxTotal?: number
}

/** vLLM's ShareGPT filters (benchmarks/datasets.py is_valid_sequence). */
export const SHAREGPT_FILTERS: Readonly<Required<LengthFilters>> = Object.freeze({ minInput: 4, minOutput: 4, maxInput: 1024, maxTotal: 2048 })

/** Mooncake traces hash blocks of 512 tokens. */
export const TRACE_BLOCK_TOKENS = 512

export interface FileSpec {
  kind: 'file'
  path: string
  format: FileFormat
  /** csv: the column holding the prompt. Default 'prompt'. */
  column?: string
  /** sharegpt: defaults to SHAREGPT_FILTERS; other formats: none unless given. Not for trace. */
  filters?: LengthFilters
  /** sharegpt, jsonl with messages: every user turn becomes a prompt with its history. */
  multiTurn?: boolean
  /** Every prompt asks for this many output tokens, whatever the dataset says. */
  outputTokens?: number
  /** trace: replay speed factor (2 sends twice as fast). Default 1. */
  speed?: number
  /** trace: tokens per hash block. Default TRACE_BLOCK_TOKENS. */
  blockTokens?: number
  tokenizer?: string
  /** Seeded shuffle of the records before use. Default true; never for a trace. */
  shuffle?: boolean
}

export type PromptSpec = SyntheticSpec | FileSpec
