/** `llmbench simulate`: the built-in simulated LLM server in the foreground, every option a flag. */
import type { Argv } from 'yargs'
import { startSimulator, FAULTS, QUIRKS, SIMULATOR_DEFAULTS, type Fault, type Quirk, type SimulatorOptions } from '../simulator/index.js'
import { NUMERIC_FLAGS } from '../simulator/flags.js'
import { EXIT_WITH_PARENT } from '../simulator/spawn.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'

export function simulateCommand(y: Argv) {
  let out = y
    .option('port', { type: 'number', default: 8000, describe: 'TCP port (0 picks a free one)' })
    .option('host', { type: 'string', default: SIMULATOR_DEFAULTS.host, describe: 'Address to listen on' })
    .option('model', { type: 'string', default: SIMULATOR_DEFAULTS.model, describe: 'Model id the server serves' })
  for (const [flag, option, describe] of NUMERIC_FLAGS) {
    const def = SIMULATOR_DEFAULTS[option]
    out = out.option(flag, { type: 'number', describe: def === null ? describe : `${describe} [default: ${def}]` })
  }
  return out
    .option('reasoning-field', { type: 'string', choices: ['reasoning_content', 'reasoning'], describe: 'With the reasoning quirk: the delta field' })
    .option('lora-modules', { type: 'string', describe: 'LoRA adapters served besides the model, comma-separated (vLLM --lora-modules names)' })
    .option('trace', { type: 'boolean', describe: 'Record receive and token write times per request, served at GET /debug/trace (for accuracy tests)' })
    .option('prefix-cache', { type: 'boolean', describe: 'A prefix cache of hashed token blocks: cached prompt tokens skip prefill (--no-prefix-cache for none) [default: on]' })
    .option('quirks', { type: 'string', describe: `Wire quirks for every request, comma-separated: ${QUIRKS.join(', ')}` })
    .option('fault', { type: 'string', array: true, describe: `Fault probability per request, NAME=P (repeatable): ${FAULTS.join(', ')}` })
}

export function toSimulatorOptions(a: Record<string, any>): SimulatorOptions {
  const o: SimulatorOptions = { port: a.port, host: a.host, model: a.model }
  for (const [flag, option] of NUMERIC_FLAGS) {
    const v = a[flag]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`--${flag} must be a number, got "${v}"`)
    ;(o as Record<string, unknown>)[option] = v
  }
  if (a.reasoningField) o.reasoningField = a.reasoningField
  if (a.trace) o.trace = true
  if (a.loraModules) o.loraModules = String(a.loraModules).split(',').map((m) => m.trim()).filter(Boolean)
  if (a.prefixCache === false) o.prefixCache = false
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
    // Started by spawnSimulator: stop when the thread that started it is gone (its end of stdin closed).
    if (process.env[EXIT_WITH_PARENT] === '1') {
      delete process.env[EXIT_WITH_PARENT]
      process.stdin.once('end', stop).once('error', stop).resume()
    }
  })
  process.stdin.destroy() // a pipe still open would keep the process alive
  await sim.close()
  return EXIT.OK
}
