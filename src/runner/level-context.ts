/**
 * What a level runs with (level.ts): the scenario's options, client, adapter and listeners, and
 * the one way it sends a request. Apart from level.ts so the modules a level uses (sessions) can
 * name it without importing the level.
 */
import type { LlmClient } from '../client/http.js'
import type { Adapter } from '../client/adapter.js'
import type { ReplyCapture } from '../client/reply.js'
import type { ToolsSpec } from '../client/tool-messages.js'
import type { Validator } from '../client/structured.js'
import type { Prompt, PromptSpec } from '../data/prompt.js'
import type { LevelPlan } from '../load/levels.js'
import type { RecordsSink } from '../records/records-file.js'
import type { LevelResult, RequestRecord } from '../results/types.js'
import type { TelemetrySampler } from '../telemetry/sampler.js'
import type { Calibration } from './calibrate.js'
import type { ScenarioListener, ScenarioOptions } from './types.js'

/** The scenario's load threads (threads.ts), as a level sees them. */
export interface LevelThreads {
  run(ctx: LevelContext, plan: LevelPlan, i: number): Promise<LevelResult>
  abort(): void
  close(): Promise<void>
}

export interface LevelContext {
  opts: ScenarioOptions
  client: LlmClient
  adapter: Adapter
  listener: ScenarioListener
  stopped: () => boolean
  /** Samples the server's metrics; its TTFT histogram is read around each level. */
  telemetry?: TelemetrySampler
  /** Every request's headers (auth included): for the server's /tokenize too. */
  headers: Record<string, string>
  spec: PromptSpec
  /** The fit of prompts to the server's /tokenize, when it has one. */
  calibration?: Calibration
  /** Every record is appended here as it ends (results/records-file.ts), when the run keeps one. */
  recordsFile?: RecordsSink
  /** The scenario's load threads, when it runs on several (threads.ts). */
  threads?: LevelThreads
  /** This context runs in a load thread: the main thread reads the server's side of each level. */
  loadThread?: boolean
  /** Called between a level's warm-up and its measured part: threads wait there to start together, from the time it gives. */
  beforeMeasure?: (level: number) => Promise<number>
  send(tag: string, prompt: SendablePrompt, maxTokens: number, index: number, warmup: boolean, scheduledAt: number, extra?: SendExtras): Promise<RequestRecord>
}

/** What a session's request adds (runner/session.ts): its id's header and body field, the tools, a reply capture. */
export interface SendExtras {
  /** The message the prompt's media go into (RequestSpec.mediaAt): a session's first user message. */
  mediaAt?: number
  headers?: Record<string, string>
  body?: Record<string, unknown>
  tools?: ToolsSpec
  reply?: ReplyCapture
  /** A tool loop's check of its tool calls, when the scenario has no structured-output check of its own. */
  validator?: Validator
}

/** What a request needs of a prompt (a dataset Prompt, or the preflight's synthetic one). */
export type SendablePrompt = Pick<Prompt, 'text' | 'tokens' | 'messages' | 'media' | 'adapter'>
