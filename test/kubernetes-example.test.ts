/**
 * examples/kubernetes/ run without a cluster: the Job's own command line, taken from job.yaml, is
 * run by `sh -c` once per pod index as Kubernetes would (JOB_COMPLETION_INDEX, SERVER, MODEL,
 * START_AT set, /results a temporary folder), with the load scaled down for a test; then the
 * files merge.sh copies must exist and its merge command must give one result of every request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSimulator, type SpawnedSimulator } from '../src/simulator/index.js'
import type { RunResult } from '../src/results/types.js'
import { runCli } from './helpers/cli.js'
import { schemaErrors } from './helpers/schema.js'

const EXAMPLE = fileURLToPath(new URL('../examples/kubernetes/', import.meta.url))
const BIN = fileURLToPath(new URL('../bin/llmbench.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'llmbench-k8s-'))
let sim: SpawnedSimulator
beforeAll(async () => {
  sim = await spawnSimulator({ decodeBaseMs: 2, decodeMsPerSeq: 0, prefillBaseMs: 1, prefillMsPerToken: 0 })
})
afterAll(() => sim.close())

/** The container's shell command: the folded (`>-`) block under `args:`, joined as YAML folds it. */
function jobCommand(): string {
  const yaml = readFileSync(join(EXAMPLE, 'job.yaml'), 'utf8')
  const m = /args:\n\s*- >-\n((?:\s{14}.*\n)+)/.exec(yaml)
  if (!m) throw new Error('job.yaml: no folded args block')
  return m[1].split('\n').map((l) => l.trim()).filter(Boolean).join(' ')
}

function sh(command: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code, out }))
  })
}

describe('the Kubernetes example', () => {
  it('runs its four shards from the Job\'s own command line and merges them as merge.sh does', async () => {
    const command = jobCommand()
    expect(command).toContain('--shard "$JOB_COMPLETION_INDEX/4"')
    // The same command with the local CLI, a small load and the results in a temporary folder.
    const local = command
      .replace('npx --yes llmbench', `"${process.execPath}" "${BIN}"`)
      .replace('--concurrency 16,64,256', '--concurrency 4,8')
      .replace('--num-prompts 400', '--num-prompts 24')
      .replace('--input-len 1024 --output-len 256', '--input-len 16 --output-len 8')
      .replaceAll('/results/', `${dir}/`)
    expect(local).not.toContain('/results/')
    const startAt = new Date(Date.now() + 6000).toISOString().replace(/\.\d+Z$/, 'Z') // as `date -u +%Y-%m-%dT%H:%M:%SZ` prints it
    const pods = await Promise.all([0, 1, 2, 3].map((i) => sh(local, {
      JOB_COMPLETION_INDEX: String(i), SERVER: sim.url, MODEL: 'sim-model', START_AT: startAt, OPENAI_API_KEY: '',
    })))
    for (const p of pods) expect(p.code, p.out).toBe(0)

    // What merge.sh copies out of the volume...
    const script = readFileSync(join(EXAMPLE, 'merge.sh'), 'utf8')
    for (const i of [0, 1, 2, 3]) {
      for (const name of [`shard-${i}.json`, `shard-${i}.records.jsonl`]) {
        expect(script).toContain(name.replace(String(i), '$i'))
        expect(existsSync(join(dir, name)), name).toBe(true)
      }
    }
    // ...and its merge command, on those files.
    const mergeLine = script.split('\n').find((l) => l.startsWith('npx llmbench merge'))!
    expect(mergeLine).toBe('npx llmbench merge shards/shard-*.json --output merged.json --html report')
    const merged = await runCli(['merge', ...[0, 1, 2, 3].map((i) => join(dir, `shard-${i}.json`)), '--output', join(dir, 'merged.json'), '--html', join(dir, 'report'), '--no-history'])
    expect(merged.code, merged.stderr).toBe(0)
    const m = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as RunResult
    expect(schemaErrors(m)).toEqual([])
    expect(m.shards).toBe(4)
    expect(m.levels.map((l) => l.summary.load.value)).toEqual([4, 8])
    expect(m.levels.map((l) => l.summary.requests.total)).toEqual([24, 24])
    expect(existsSync(join(dir, 'report', 'index.html'))).toBe(true)
  }, 90_000)
})
