/** Builds the result document of a run: metadata, the scenario without secrets, the levels. */
import os from 'node:os'
import { VERSION } from '../version.js'
import { now } from '../clock.js'
import type { ScenarioOptions } from '../runner/scenario.js'
import { SCHEMA_VERSION, type LevelResult, type RunResult, type ScenarioOptionsPublic, type PromptsSummary, type SweepSummary, type TelemetrySeries } from './types.js'

/** Load-shape options copied as they are when set (none is a secret). */
const LOAD_KEYS = ['rate', 'arrival', 'burstiness', 'maxConcurrency', 'durationMs', 'warmupMs', 'cooldown', 'cooldownMs', 'ramp', 'sweep', 'prompts', 'calibrate', 'shard', 'startAt'] as const

export function publicOptions(o: ScenarioOptions): ScenarioOptionsPublic {
  const pub: ScenarioOptionsPublic = {
    server: o.server,
    model: o.model,
    endpoint: o.endpoint,
    stream: o.stream,
    concurrency: o.concurrency,
    numPrompts: o.numPrompts,
    warmup: o.warmup ?? null,
    inputLen: o.inputLen,
    outputLen: o.outputLen,
    ignoreEos: o.ignoreEos,
    includeUsage: o.includeUsage,
    continuousUsage: o.continuousUsage,
    seed: o.seed,
    timeoutMs: o.timeoutMs,
    headerNames: Object.keys(o.headers).sort(),
    body: o.body,
  }
  if (o.goodput) pub.goodput = o.goodput
  if (o.goodputMin !== undefined) pub.goodputMin = o.goodputMin
  for (const key of LOAD_KEYS) if (o[key] !== undefined) (pub as unknown as Record<string, unknown>)[key] = o[key]
  return pub
}

export function buildRunResult(args: {
  options: ScenarioOptions
  levels: LevelResult[]
  sweep?: SweepSummary
  telemetry?: TelemetrySeries[]
  prompts?: PromptsSummary
  startedAt: Date
  finishedAt: Date
  command: string
  interrupted?: boolean
}): RunResult {
  return {
    schemaVersion: SCHEMA_VERSION,
    llmbench: { version: VERSION },
    startedAt: args.startedAt.toISOString(),
    finishedAt: args.finishedAt.toISOString(),
    interrupted: args.interrupted ?? false,
    command: args.command,
    environment: machineEnvironment(),
    scenario: publicOptions(args.options),
    levels: args.levels,
    ...(args.sweep ? { sweep: args.sweep } : {}),
    ...(args.telemetry?.length ? { telemetry: args.telemetry } : {}),
    ...(args.prompts ? { prompts: args.prompts } : {}),
    ...(args.options.shard ? { shard: args.options.shard } : {}),
    clockOffsetMs: Date.now() - now(),
  }
}

/** The machine a result was measured on. */
export function machineEnvironment(): RunResult['environment'] {
  const cpus = os.cpus()
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown' }
}
