/** Builds the result document of a run: metadata, the scenario without secrets, the levels. */
import os from 'node:os'
import { VERSION } from '../version.js'
import { now } from '../clock.js'
import { SCHEMA_VERSION, type LevelResult, type RunResult, type ScenarioOptionsPublic, type PromptsSummary, type SweepSummary, type TelemetrySeries } from './types.js'

export function buildRunResult(args: {
  scenario: ScenarioOptionsPublic
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
    scenario: args.scenario,
    levels: args.levels,
    ...(args.sweep ? { sweep: args.sweep } : {}),
    ...(args.telemetry?.length ? { telemetry: args.telemetry } : {}),
    ...(args.prompts ? { prompts: args.prompts } : {}),
    ...(args.scenario.shard ? { shard: args.scenario.shard } : {}),
    clockOffsetMs: Date.now() - now(),
  }
}

/** The machine a result was measured on. */
export function machineEnvironment(): RunResult['environment'] {
  const cpus = os.cpus()
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown' }
}
