/**
 * The built-in simulated LLM server: vLLM-like continuous batching (or exact timing), the
 * OpenAI-compatible wire format and the native protocols of Anthropic, Triton, TGI, SGLang and
 * Ollama (protocols/*.ts), and switchable quirks and faults of real servers.
 */
export { startSimulator, type Simulator, type SimulatorMetrics } from './server.js'
export {
  SIMULATOR_DEFAULTS, QUIRKS, FAULTS, resolveOptions,
  type SimulatorOptions, type ResolvedOptions, type Quirk, type Fault, type ReasoningField,
} from './options.js'
export type { TraceEntry } from './stats.js'
export { PING_COMMENT } from './quirks.js'
export { spawnSimulator, type SpawnedSimulator } from './spawn.js'
