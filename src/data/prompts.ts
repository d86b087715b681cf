/**
 * The prompts of a scenario level: exactly `count`, the same for the same spec and seed.
 * Synthetic prompts and trace lines are generated to exact lengths (by the server's /tokenize when
 * a calibration is given); dataset files are read once per process and drawn in a seeded order.
 */
import { buildDraft, type Draft } from './draft.js'
import { filePrompts, filtersOf, fileStats } from './file-prompts.js'
import { cachedSource, openSource } from './file-source.js'
import { describeLength } from './lengths.js'
import type { FileSpec, Prompt, PromptSpec, SyntheticSpec } from './prompt.js'
import { fitDrafts, type Tokenize } from './server-fit.js'
import { checkPromptsFit } from './prompt-memory.js'
import { PromptsStopped, turns } from './turns.js'

export { PromptsStopped }
import { shownPath } from './dataset-error.js'
import { checkPromptSpec } from './spec-check.js'
import { syntheticDrafts } from './synthetic-set.js'
import { loadTokenizer, TOKENIZER_NAME } from './tokenizer.js'
import { traceDrafts } from './trace.js'

export interface LoadOptions {
  /** The server's count of a prompt: synthetic prompts and trace lines are fitted to it. */
  tokenize?: Tokenize
  /** Expected server count minus ours, from a calibration: the fit's first guess. */
  offset?: number
  /** Asked between pieces of the work (the event loop runs there): true ends it with PromptsStopped. */
  stopped?: () => boolean
}

export async function loadPrompts(spec: PromptSpec, count: number, seed: number, options: LoadOptions = {}): Promise<Prompt[]> {
  checkPromptSpec(spec)
  if (count <= 0) return []
  checkPromptsFit(spec, count)
  const tok = loadTokenizer(spec.tokenizer)
  let drafts: Draft[]
  if (spec.kind === 'synthetic') {
    drafts = syntheticDrafts(spec, count, seed, tok)
  } else {
    const source = openSource(spec)
    if (source.format !== 'trace') return filePrompts(source, spec, count, seed, tok, turns(options.stopped))
    drafts = traceDrafts(source, spec, count, seed, tok)
  }
  const tokenize = options.tokenize
  if (!tokenize) {
    const pause = turns(options.stopped)
    const prompts: Prompt[] = new Array(drafts.length)
    for (let i = 0; i < drafts.length; i++) {
      prompts[i] = buildDraft(tok, drafts[i])
      await pause()
    }
    return prompts
  }
  const stopped = options.stopped ?? (() => false)
  const ask: Tokenize = (text, messages) => (stopped() ? Promise.reject(new PromptsStopped()) : tokenize(text, messages))
  return (await fitDrafts(drafts, tok, ask, options.offset)).map((f) => f.prompt)
}

const FORMAT_NAMES: Record<FileSpec['format'], string> = {
  sharegpt: 'ShareGPT file', jsonl: 'JSONL file', csv: 'CSV file', text: 'text file', trace: 'trace',
}

const n = (x: number) => x.toLocaleString('en-US')

/** One line for the console: where the prompts come from, and what the file gave so far. */
export function describePrompts(spec: PromptSpec): string {
  const tokenizer = spec.tokenizer ? `, tokenizer ${spec.tokenizer}` : ''
  if (spec.kind === 'synthetic') return describeSynthetic(spec) + tokenizer
  const name = `${FORMAT_NAMES[spec.format]} ${shownPath(spec.path)}`
  const source = cachedSource(spec)
  if (source?.format === 'trace') {
    const lines = source.lines
    const seconds = (lines[lines.length - 1].timestamp - lines[0].timestamp) / 1000
    return `${name}: ${n(lines.length)} requests over ${n(Math.round(seconds))} s, replayed at ${spec.speed ?? 1}× speed${tokenizer}`
  }
  const stats = source ? fileStats.get(source.path) : undefined
  if (!source || !stats) return name + tokenizer
  const f = filtersOf(spec)
  const filtered = Object.values(f).some((v) => v) ? ' after filters' : ''
  const unit = spec.format === 'sharegpt' ? 'conversations' : 'records'
  const turns = spec.multiTurn ? ' (multi-turn)' : ''
  const cycled = stats.cycled ? ', repeated to fill the level' : ''
  return `${name}: ${n(stats.used)} prompts${filtered}${turns} from ${n(stats.examined)} of ${n(stats.records)} ${unit}${cycled}${tokenizer}`
}

function describeSynthetic(spec: SyntheticSpec): string {
  let text = `synthetic prompts: ${describeLength(spec.input)} in, ${describeLength(spec.output)} out`
  if (spec.prefix) text += `; first ${n(spec.prefix.tokens)} tokens shared by all`
  if (spec.groups) text += `; ${n(spec.groups.count)} groups, each with its own ${n(spec.groups.systemTokens)}-token system prompt`
  return text + (spec.tokenizer ? '' : `, tokenizer ${TOKENIZER_NAME}`)
}
