/** The README's main job: the example bench files run against the simulator and pass. */
import { describe, expect, it } from 'vitest'
import { readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { runCli } from './helpers/cli.js'
import type { SuiteResult } from '../src/results/suite.js'

const EXAMPLES = fileURLToPath(new URL('../examples', import.meta.url))

describe('examples/', () => {
  it('every example scenario passes and the configured reports are written', async () => {
    rmSync(join(EXAMPLES, 'llmbench-results'), { recursive: true, force: true })
    const r = await runCli(['--root', EXAMPLES], {}, 180_000)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const suite = JSON.parse(readFileSync(join(EXAMPLES, 'llmbench-results/results.json'), 'utf8')) as SuiteResult
    const scenarios = suite.files.flatMap((f) => f.scenarios)
    expect(scenarios.map((s) => `${s.file}: ${s.name}`).sort()).toEqual([
      'chat-session.bench.ts: 4-turn chats, 200 ms think time',
      'compare-servers.bench.ts: fast server',
      'compare-servers.bench.ts: slow server',
      'goodput-gate.bench.ts: chat under load',
      'grid.bench.ts: 512 in / 16 out',
      'grid.bench.ts: 64 in / 16 out',
      'quickstart.bench.ts: chat, 128 in / 32 out',
      'request-kinds.bench.ts: JSON that must match its schema',
      'request-kinds.bench.ts: images over two LoRA adapters',
    ])
    expect(scenarios.every((s) => s.status === 'passed')).toBe(true)
    expect(readFileSync(join(EXAMPLES, 'llmbench-results/junit.xml'), 'utf8')).toMatch(/failures="0"/)
  }, 200_000)
})
