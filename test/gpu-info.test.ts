import { describe, expect, it } from 'vitest'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseNvidiaSmi, queryGpus } from '../src/telemetry/gpu.js'
import { runCli } from './helpers/cli.js'

const CSV = '0, NVIDIA H100 80GB HBM3, 1234, 81559, 37, 45, 120.50\n1, NVIDIA H100 80GB HBM3, 10, 81559, 0, 33, 70.10\n'

function fakeNvidiaSmi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmbench-gpu-'))
  const file = join(dir, 'nvidia-smi')
  writeFileSync(file, `#!/bin/sh\ncase "$*" in *--query-gpu=*) printf '%s' '${CSV}' ;; *) exit 9 ;; esac\n`)
  chmodSync(file, 0o755)
  return file
}

describe('GPU queries', () => {
  it('parses nvidia-smi CSV rows', () => {
    const gpus = parseNvidiaSmi(CSV)
    expect(gpus).toHaveLength(2)
    expect(gpus[0]).toEqual({ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryUsedMiB: 1234, memoryTotalMiB: 81559, utilizationPercent: 37, temperatureC: 45, powerW: 120.5 })
  })

  it('a bare name is looked up on PATH before anything is spawned: found there, it runs; missing, the same reason', async () => {
    const fake = fakeNvidiaSmi()
    const dir = join(fake, '..')
    const saved = process.env.PATH
    try {
      process.env.PATH = `/nonexistent-dir:${dir}`
      const found = await queryGpus('nvidia-smi')
      expect(found.gpus.map((g) => g.index)).toEqual([0, 1])
      process.env.PATH = '/nonexistent-dir'
      expect(await queryGpus('nvidia-smi')).toEqual({ gpus: [], reason: 'nvidia-smi was not found: no NVIDIA driver on this machine' })
    } finally {
      process.env.PATH = saved
    }
  })

  it('llmbench gpu prints a table and JSON from nvidia-smi', async () => {
    const env = { LLMBENCH_NVIDIA_SMI: fakeNvidiaSmi() }
    const table = await runCli(['gpu'], env)
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('NVIDIA H100 80GB HBM3')
    expect(table.stdout).toContain('1234 / 81559')
    const json = await runCli(['gpu', '--json'], env)
    expect(JSON.parse(json.stdout)[1]).toMatchObject({ index: 1, utilizationPercent: 0 })
  })

  it('llmbench gpu without an NVIDIA GPU says so in one line and exits non-zero', async () => {
    const r = await runCli(['gpu'], { LLMBENCH_NVIDIA_SMI: '/nonexistent/nvidia-smi' })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim()).toMatch(/^llmbench: no NVIDIA GPU found \(nvidia-smi was not found/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('llmbench info describes the machine, with the GPUs when there are some', async () => {
    const r = await runCli(['info', '--json'], { LLMBENCH_NVIDIA_SMI: fakeNvidiaSmi() })
    expect(r.code).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info.node).toBe(process.version)
    expect(info.memoryGiB).toBeGreaterThan(0)
    expect(info.gpus).toEqual(['NVIDIA H100 80GB HBM3 (81559 MiB)', 'NVIDIA H100 80GB HBM3 (81559 MiB)'])
  })
})
