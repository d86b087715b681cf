import { describe, expect, it } from 'vitest'
import { runCli, startCli } from './helpers/cli.js'
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js'

const env = () => ({ LLMBENCH_NVIDIA_SMI: fakeNvidiaSmi() })
const count = (text: string, part: string) => text.split(part).length - 1

describe('llmbench gpu --watch', () => {
  it('prints the table once per refresh, plainly when stdout is not a terminal', async () => {
    const started = Date.now()
    const r = await runCli(['gpu', '--watch', '--count', '2', '--interval', '0.2'], env())
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(count(r.stdout, '1234 / 81559')).toBe(2)
    expect(count(r.stdout, 'NVIDIA H100 80GB HBM3')).toBe(4)
    expect(r.stdout.match(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}every 0\.2 s$/gm)).toHaveLength(2)
    expect(r.stdout).not.toContain('\x1b')
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
  })

  it('prints one JSON line per refresh with --json', async () => {
    const r = await runCli(['gpu', '--watch', '--json', '--count', '3', '--interval', '0.1'], env())
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toHaveLength(3)
    expect(lines[2].gpus[0]).toMatchObject({ index: 0, memoryUsedMiB: 1234 })
    expect(typeof lines[0].at).toBe('string')
  })

  it('stops on Ctrl-C with exit code 0', async () => {
    const { child, done } = startCli(['gpu', '--watch', '--interval', '0.2'], env(), 20_000)
    let out = ''
    await new Promise<void>((resolve) => child.stdout!.on('data', (d) => { out += d; if (out.includes('1234 / 81559')) resolve() }))
    child.kill('SIGINT')
    const r = await done
    expect(r.code).toBe(0)
  })

  it('rejects bad refresh settings', async () => {
    expect((await runCli(['gpu', '--watch', '--count', '0'], env())).code).toBe(2)
    expect((await runCli(['gpu', '--watch', '--interval', 'soon'], env())).code).toBe(2)
    expect((await runCli(['gpu', '--count', '2'], env())).stderr).toContain('--interval and --count go with --watch')
  })

  it('says in one line when there is no GPU', async () => {
    const none = await runCli(['gpu', '--watch', '--count', '2'], { LLMBENCH_NVIDIA_SMI: '/nonexistent/nvidia-smi' })
    expect(none.code).toBe(3)
    expect(none.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^llmbench: no NVIDIA GPU found \(nvidia-smi was not found/)])
  })
})
