/**
 * The user's side of chained conversations (docs/workloads.md, Sessions): for each session, its
 * first prompt (as any prompt: a system prompt, a shared prefix, a group) and the user messages of
 * its later turns. The replies are the server's, taken as the session runs (runner/session.ts).
 *
 * ShareGPT and JSONL conversations give their own user turns, in order (their replies are never
 * sent); other sources give the first turn, and later turns are synthetic, of `userTurn` tokens.
 * Every choice is seeded: session k is the same from run to run.
 */
import { datasetError } from './dataset-error.js'
import { filtersOf, passes } from './file-prompts.js'
import { openSource } from './file-source.js'
import { drawLength } from './lengths.js'
import type { ChatMessage, LengthSpec, Prompt, PromptSpec } from './prompt.js'
import { loadPrompts, type LoadOptions } from './prompts.js'
import { exactText, TokenStream } from './synthetic.js'
import { shuffleInPlace } from './synthetic-set.js'
import { loadTokenizer, type TextTokenizer } from './tokenizer.js'
import type { RecordSource } from './source.js'
import { mixSeed, mulberry32 } from '../random.js'
import { turns as pauses } from './turns.js'

export interface SessionTurn {
  /** The user message. */
  content: string
  tokens: number
  /** Output tokens this turn asks for; undefined: the scenario's. */
  maxTokens?: number
}

export interface SessionScript {
  /** The first request's prompt. */
  first: Prompt
  /** Tokens of the first prompt's leading system messages (they stay when a session is truncated). */
  systemTokens: number
  /** The user messages of the turns after the first. */
  turns: SessionTurn[]
}

export interface SessionPlan {
  turns: number | { min: number; max: number } | 'dataset'
  /** Length of synthetic user turns after the first. */
  userTurn: LengthSpec
}

const SALT = { turns: 0x7a17, text: 0x7e47, lengths: 0x1e9, order: 0x5eed } as const

/** `count` sessions of `spec`'s prompts, the same for the same seed. */
export async function loadSessionScripts(spec: PromptSpec, count: number, seed: number, plan: SessionPlan, options: LoadOptions = {}): Promise<SessionScript[]> {
  if (count <= 0) return []
  const tok = loadTokenizer(spec.tokenizer)
  if (spec.kind === 'file' && (spec.format === 'sharegpt' || spec.format === 'jsonl')) {
    const source = openSource(spec)
    if (source.format !== 'trace') return conversationScripts(source, spec, count, seed, plan, tok, pauses(options.stopped))
  }
  const firsts = await loadPrompts(spec, count, seed, options)
  const turnCount = turnDraw(plan, seed)
  const pause = pauses(options.stopped)
  const out: SessionScript[] = []
  for (let k = 0; k < count; k++) {
    const n = turnCount(k, Infinity)
    const rand = mulberry32(mixSeed(mixSeed(seed, SALT.lengths), k))
    const turns: SessionTurn[] = []
    for (let j = 1; j < n; j++) {
      const target = drawLength(plan.userTurn, rand)
      const maxTokens = spec.kind === 'synthetic' ? drawLength(spec.output, rand) : spec.outputTokens
      const { text, tokens } = exactText(tok, '', new TokenStream(tok, mulberry32(mixSeed(mixSeed(seed, SALT.text), k * 4099 + j))), target)
      turns.push({ content: text, tokens, ...(maxTokens !== undefined ? { maxTokens } : {}) })
    }
    const first = firsts[k]
    out.push({ first, systemTokens: systemTokensOf(first, tok), turns })
    await pause()
  }
  return out
}

/** How many turns session k has, given how many its conversation offers. */
function turnDraw(plan: SessionPlan, seed: number): (k: number, available: number) => number {
  const t = plan.turns
  if (t === 'dataset') return (_k, available) => available
  if (typeof t === 'number') return (_k, available) => Math.min(t, available)
  return (k, available) => Math.min(available, t.min + Math.floor(mulberry32(mixSeed(mixSeed(seed, SALT.turns), k))() * (t.max - t.min + 1)))
}

function systemTokensOf(p: Prompt, tok: TextTokenizer): number {
  let n = 0
  for (const m of p.messages ?? []) {
    if (m.role !== 'system') break
    n += tok.count(m.content)
  }
  return n
}

/**
 * Sessions from a file of conversations, in a seeded order: each conversation's leading system
 * messages and user messages; its assistant messages only give the output lengths. The first
 * turn must pass the dataset's length filters; a file with too few conversations is used again.
 */
async function conversationScripts(source: RecordSource, spec: Extract<PromptSpec, { kind: 'file' }>, count: number, seed: number, plan: SessionPlan, tok: TextTokenizer, pause: () => Promise<void> | undefined): Promise<SessionScript[]> {
  const order = Array.from({ length: source.size }, (_, i) => i)
  if (spec.shuffle !== false) shuffleInPlace(order, mulberry32(mixSeed(seed, SALT.order)))
  const turnCount = turnDraw(plan, seed)
  const filters = filtersOf(spec)
  const found: SessionScript[] = []
  for (const index of order) {
    if (found.length >= count) break
    const script = conversationScript(source.conversation(index).messages, spec.outputTokens, tok, (available) => turnCount(found.length, available))
    if (script && passes(filters, script.first.tokens, script.first.maxTokens)) found.push(script)
    await pause()
  }
  if (found.length === 0) throw datasetError(source.path, undefined, `no conversation has a user turn that passes the filters among its ${source.size} records`, 'loosen the filters, or check the format')
  const out = found.slice()
  for (let k = found.length; k < count; k++) out.push(found[k % found.length])
  return out
}

function conversationScript(messages: ChatMessage[], outputTokens: number | undefined, tok: TextTokenizer, turnsOf: (available: number) => number): SessionScript | undefined {
  const users = messages.flatMap((m, k) => (m.role === 'user' ? [k] : []))
  if (users.length === 0) return undefined
  const n = Math.max(1, turnsOf(users.length))
  const replyTokens = (k: number) => (outputTokens ?? (messages[k + 1]?.role === 'assistant' ? tok.count(messages[k + 1].content) || undefined : undefined))
  const systems = messages.slice(0, users[0]).filter((m) => m.role === 'system')
  const firstUser = messages[users[0]]
  const firstMessages: ChatMessage[] = [...systems.map((m) => ({ role: m.role, content: m.content })), { role: 'user', content: firstUser.content }]
  const text = firstMessages.map((m) => m.content).join('\n')
  const first: Prompt = { text, tokens: tok.count(text) }
  if (firstMessages.length > 1) first.messages = firstMessages
  const firstMax = replyTokens(users[0])
  if (firstMax !== undefined) first.maxTokens = firstMax
  const turns: SessionTurn[] = users.slice(1, n).map((k) => {
    const max = replyTokens(k)
    return { content: messages[k].content, tokens: tok.count(messages[k].content), ...(max !== undefined ? { maxTokens: max } : {}) }
  })
  return { first, systemTokens: systems.reduce((sum, m) => sum + tok.count(m.content), 0), turns }
}
