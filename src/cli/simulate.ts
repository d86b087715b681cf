/** `llmbench simulate`: the built-in simulated LLM server in the foreground, every option a flag. */
import type { Argv } from 'yargs'
import { startSimulator, FAULTS, QUIRKS, SIMULATOR_DEFAULTS, type Fault, type Quirk, type SimulatorOptions } from '../simulator/index.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'

/** Numeric flags and the simulator option each sets (descriptions name the defaults). */
const NUMERIC: Array<[flag: string, option: keyof SimulatorOptions, describe: string]> = [
  ['seed', 'seed', 'Seed of every random choice'],
  ['max-num-seqs', 'maxNumSeqs', 'Most sequences decoding at once; the rest wait'],
  ['max-model-len', 'maxModelLen', 'Context length (prompt + max_tokens)'],
  ['kv-cache-tokens', 'kvCacheTokens', 'KV-cache capacity in tokens'],
  ['decode-base-ms', 'decodeBaseMs', 'Fixed cost of a decode step (ms)'],
  ['decode-ms-per-seq', 'decodeMsPerSeq', 'Added to a decode step per running sequence (ms)'],
  ['prefill-base-ms', 'prefillBaseMs', 'Fixed cost of a step that prefills new sequences (ms)'],
  ['prefill-ms-per-token', 'prefillMsPerToken', 'Added to that step per prompt token (ms)'],
  ['default-max-tokens', 'defaultMaxTokens', 'Output length when a request sets no max_tokens'],
  ['eos-probability', 'eosProbability', 'Chance per token to stop early (not with ignore_eos)'],
  ['fixed-ttft-ms', 'fixedTtftMs', 'Exact timing: first token this long after receive, whatever the load'],
  ['fixed-itl-ms', 'fixedItlMs', 'Exact timing: one token event every this many ms'],
  ['fault-after-tokens', 'faultAfterTokens', 'Tokens written before an in-stream fault'],
  ['reasoning-tokens', 'reasoningTokens', 'With the reasoning quirk: leading reasoning tokens'],
  ['tokens-per-event', 'tokensPerEvent', 'With the multi-token quirk: tokens per event'],
]

export function simulateCommand(y: Argv) {
  let out = y
    .option('port', { type: 'number', default: 8000, describe: 'TCP port (0 picks a free one)' })
    .option('host', { type: 'string', default: SIMULATOR_DEFAULTS.host, describe: 'Address to listen on' })
    .option('model', { type: 'string', default: SIMULATOR_DEFAULTS.model, describe: 'Model id the server serves' })
  for (const [flag, option, describe] of NUMERIC) {
    const def = SIMULATOR_DEFAULTS[option]
    out = out.option(flag, { type: 'number', describe: def === null ? describe : `${describe} [default: ${def}]` })
  }
  return out
    .option('reasoning-field', { type: 'string', choices: ['reasoning_content', 'reasoning'], describe: 'With the reasoning quirk: the delta field' })
    .option('trace', { type: 'boolean', describe: 'Record receive and token write times per request, served at GET /debug/trace (for accuracy tests)' })
    .option('quirks', { type: 'string', describe: `Wire quirks for every request, comma-separated: ${QUIRKS.join(', ')}` })
    .option('fault', { type: 'string', array: true, describe: `Fault probability per request, NAME=P (repeatable): ${FAULTS.join(', ')}` })
}

export function toSimulatorOptions(a: Record<string, any>): SimulatorOptions {
  const o: SimulatorOptions = { port: a.port, host: a.host, model: a.model }
  for (const [flag, option] of NUMERIC) {
    const v = a[flag]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`--${flag} must be a number, got "${v}"`)
    ;(o as Record<string, unknown>)[option] = v
  }
  if (a.reasoningField) o.reasoningField = a.reasoningField
  if (a.trace) o.trace = true
  if (a.quirks) {
    const quirks = String(a.quirks).split(',').map((q) => q.trim()).filter(Boolean)
    for (const q of quirks) {
      if (!(QUIRKS as readonly string[]).includes(q)) throw new UsageError(`--quirks: unknown quirk "${q}"; use some of ${QUIRKS.join(', ')}`)
    }
    o.quirks = quirks as Quirk[]
  }
  if (a.fault) {
    const faults: Partial<Record<Fault, number>> = {}
    for (const item of a.fault as string[]) {
      const [name, p] = String(item).split('=')
      const prob = Number(p)
      if (!(FAULTS as readonly string[]).includes(name)) throw new UsageError(`--fault: unknown fault "${name}"; use one of ${FAULTS.join(', ')}`)
      if (p === undefined || !(prob >= 0 && prob <= 1)) throw new UsageError(`--fault ${name} needs a probability from 0 to 1, e.g. --fault ${name}=0.05`)
      faults[name as Fault] = prob
    }
    o.faults = faults
  }
  return o
}

export async function simulateHandler(a: Record<string, any>): Promise<number> {
  let sim
  try {
    sim = await startSimulator(toSimulatorOptions(a))
  } catch (err) {
    if (err instanceof UsageError) throw err
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${a.port} is in use: pick another with --port, or --port 0 for a free one`)
    if (e instanceof RangeError) throw new UsageError(e.message)
    throw err
  }
  process.stdout.write(`llmbench simulator: listening on ${sim.url} (model ${a.model}); Ctrl-C to stop\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await sim.close()
  return EXIT.OK
}
